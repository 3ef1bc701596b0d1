//! The third ownership column of the decision matrix: another tenant. Whatever the plan, a
//! user of tenant B reaches none of tenant A's records by id — every read and write answers
//! as if the record did not exist (the policy matrix itself is in `policy::matrix_tests`).
use serde_json::{Value, json};

use crate::helpers::{EnteredRecords, error_code, spawn_app};

#[tokio::test]
async fn another_tenant_reaches_no_record_by_id_under_any_plan() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    let EnteredRecords {
        user,
        client,
        enrollment,
        service,
        note,
        row,
    } = app.enter_records(&a, "durham").await;

    // Every operation by tenant B's Data Center (who sees everything of its own tenant) and
    // by B under each plan template.
    let operations: Vec<(&str, Value)> = vec![
        (
            "query($c: UUID!) { client(id: $c) { id } }",
            json!({ "c": client }),
        ),
        (
            "mutation($c: UUID!) { changeClientDemographic(input: { clientId: $c, expectedVersion: 1, field: FIRST_NAME, value: \"X\", documentation: { documentType: \"birth certificate\" } }) { __typename } }",
            json!({ "c": client }),
        ),
        (
            "query($c: UUID!) { dataConflicts(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "query($c: UUID!) { clientEnrollments(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "mutation($e: UUID!) { updateEnrollment(input: { id: $e, expectedVersion: 1, exitDate: \"2024-02-01\" }) { enrollment { id } } }",
            json!({ "e": enrollment }),
        ),
        (
            "mutation($e: UUID!) { deleteEnrollment(input: { id: $e, expectedVersion: 1 }) { deletedId } }",
            json!({ "e": enrollment }),
        ),
        (
            "query($c: UUID!) { clientServices(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "mutation($s: UUID!) { updateService(input: { id: $s, expectedVersion: 1, serviceType: \"x\" }) { service { id } } }",
            json!({ "s": service }),
        ),
        (
            "query($c: UUID!) { clientNotes(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "mutation($n: UUID!) { editClientNote(input: { id: $n, expectedVersion: 1, body: \"x\" }) { note { id } } }",
            json!({ "n": note }),
        ),
        (
            "query($c: UUID!) { clientProfileRows(clientId: $c) { nodes { id } } }",
            json!({ "c": client }),
        ),
        (
            "mutation($r: UUID!) { endDateProfileRow(input: { rowId: $r, expectedVersion: 1, endDate: \"2024-02-01\" }) { row { id } } }",
            json!({ "r": row }),
        ),
        (
            "query($c: UUID!) { clientAttachments(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "query($c: UUID!) { explain(action: VIEW_CLIENT, recordId: $c) { allowed } }",
            json!({ "c": client }),
        ),
    ];
    // B's plan is republished each pass (version 2, then 3): the refusals must hold under
    // each template, which the pass proves only if the publication took.
    for (template, version) in [("DURHAM_V1", 2), ("PRIVATE", 3)] {
        let published = app
            .gql(
                "mutation($t: PlanTemplate!) { publishSharingPlanTemplate(input: { template: $t }) { version { version } } }",
                json!({ "t": template }),
                Some(&b.token),
            )
            .await;
        assert_eq!(
            published["data"]["publishSharingPlanTemplate"]["version"]["version"], version,
            "{template}: {published}"
        );
        for (query, variables) in &operations {
            let response = app.gql(query, variables.clone(), Some(&b.token)).await;
            assert_eq!(
                error_code(&response),
                "NOT_FOUND",
                "{template}: {query}: {response}"
            );
        }
    }
    // The records are all still there, unchanged, for tenant A.
    let seen = app
        .gql(
            "query($c: UUID!) { client(id: $c) { version demographics { field value } } }",
            json!({ "c": client }),
            Some(&user),
        )
        .await;
    assert_eq!(seen["data"]["client"]["version"], 1, "{seen}");
    let search = app
        .gql(
            "{ searchClients(query: \"John Smith\") { edges { node { score } } } }",
            json!({}),
            Some(&b.token),
        )
        .await;
    assert_eq!(search["data"]["searchClients"]["edges"], json!([]));
}
