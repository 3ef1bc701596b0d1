//! The third ownership column of the decision matrix: another tenant. Whatever the plan, a
//! user of tenant B reaches none of tenant A's records by id — every read and write answers
//! as if the record did not exist (the policy matrix itself is in `policy::matrix_tests`).
use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app};

#[tokio::test]
async fn another_tenant_reaches_no_record_by_id_under_any_plan() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    let agency =
        app.create_agency(&a.token, "Urban Ministries").await["data"]["createAgency"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let project = app
        .gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }",
            json!({ "i": { "agencyId": agency, "name": "Shelter", "projectType": 0 } }),
            Some(&a.token),
        )
        .await["data"]["createProject"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (user, _) = app
        .add_user(
            &a.token,
            "durham",
            "staff@um.example",
            "USER",
            Some(&agency),
        )
        .await;
    let id = |v: &Value, path: &[&str]| {
        path.iter()
            .fold(v, |v, k| &v[*k])
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned()
    };
    let client = id(
        &app.gql(
            "mutation { createClient(input: { firstName: \"John\", lastName: \"Smith\" }) { id } }",
            json!({}),
            Some(&user),
        )
        .await,
        &["data", "createClient", "id"],
    );
    let enrollment = id(
        &app.gql("mutation($i: EnrollClientInput!) { enrollClient(input: $i) { id } }", json!({ "i": { "clientId": client, "projectId": project, "relationshipToHoh": 1, "entryDate": "2024-01-01" } }), Some(&user)).await,
        &["data", "enrollClient", "id"],
    );
    let service = id(
        &app.gql("mutation($i: RecordServiceInput!) { recordService(input: $i) { id } }", json!({ "i": { "clientId": client, "kind": "SERVICE", "serviceType": "meal", "serviceDate": "2024-01-02" } }), Some(&user)).await,
        &["data", "recordService", "id"],
    );
    let note = id(
        &app.gql(
            "mutation($c: UUID!) { addClientNote(clientId: $c, body: \"hello\") { id } }",
            json!({ "c": client }),
            Some(&user),
        )
        .await,
        &["data", "addClientNote", "id"],
    );
    let row = id(
        &app.gql("mutation($i: AddProfileRowInput!) { addProfileRow(input: $i) { id } }", json!({ "i": { "clientId": client, "kind": "PHONE", "value": "919-555-0100", "startDate": "2024-01-01" } }), Some(&user)).await,
        &["data", "addProfileRow", "id"],
    );

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
            "query($c: UUID!) { dataConflicts(clientId: $c) { id } }",
            json!({ "c": client }),
        ),
        (
            "query($c: UUID!) { clientEnrollments(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "mutation($e: UUID!) { updateEnrollment(input: { id: $e, expectedVersion: 1, exitDate: \"2024-02-01\" }) { id } }",
            json!({ "e": enrollment }),
        ),
        (
            "mutation($e: UUID!) { deleteEnrollment(id: $e, expectedVersion: 1) }",
            json!({ "e": enrollment }),
        ),
        (
            "query($c: UUID!) { clientServices(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "mutation($s: UUID!) { updateService(input: { id: $s, expectedVersion: 1, serviceType: \"x\" }) { id } }",
            json!({ "s": service }),
        ),
        (
            "query($c: UUID!) { clientNotes(clientId: $c) { edges { node { id } } } }",
            json!({ "c": client }),
        ),
        (
            "mutation($n: UUID!) { editClientNote(id: $n, expectedVersion: 1, body: \"x\") { id } }",
            json!({ "n": note }),
        ),
        (
            "query($c: UUID!) { clientProfileRows(clientId: $c) { id } }",
            json!({ "c": client }),
        ),
        (
            "mutation($r: UUID!) { endDateProfileRow(rowId: $r, expectedVersion: 1, endDate: \"2024-02-01\") { id } }",
            json!({ "r": row }),
        ),
        (
            "query($c: UUID!) { clientAttachments(clientId: $c) { id } }",
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
                "mutation($t: PlanTemplate!) { publishSharingPlanTemplate(template: $t) { version } }",
                json!({ "t": template }),
                Some(&b.token),
            )
            .await;
        assert_eq!(
            published["data"]["publishSharingPlanTemplate"]["version"], version,
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
