//! Case managers under the Durham v1 rules: CM-1, CM-2, PROV-1, AUD-1, LOCK-1.
use serde_json::{Value, json};

use crate::enrollments::{
    client, community, count, enroll, error_field, id, permission, update as update_enrollment,
};
use crate::helpers::{TestApp, error_code, error_rule, nodes};

const ASSIGN: &str = "mutation($i: AssignCaseManagerInput!) { assignCaseManager(input: $i) {
    assignment { id version agencyId caseManagerUserId startDate endDate active
    access { action allowed rule reason planVersion } provenance { enteredByUserId enteredByAgencyId } } } }";
const END: &str = "mutation($id: UUID!, $v: Int!, $d: NaiveDate!) {
    endCaseManagerAssignment(input: { id: $id, expectedVersion: $v, endDate: $d }) { assignment { id version endDate active } } }";
const REMOVE: &str = "mutation($id: UUID!, $v: Int!) { removeCaseManagerAssignment(input: { id: $id, expectedVersion: $v }) { deletedId } }";
const LIST: &str = "query($c: UUID!) { clientCaseManagers(clientId: $c) { edges { node {
    id version agencyId active caseManager { id displayName } access { action allowed rule reason } } } } }";
const GAPS: &str = "{ caseManagerGaps { edges { node {
    clientId hmisNumber enrollmentId projectId projectName agencyId entryDate rule } } } }";

async fn assign(
    app: &TestApp,
    token: &str,
    client: &str,
    project: &str,
    case_manager: &str,
) -> Value {
    app.gql(
        ASSIGN,
        json!({ "i": { "clientId": client, "projectId": project, "caseManagerUserId": case_manager, "startDate": "2021-05-01" } }),
        Some(token),
    )
    .await
}

async fn list(app: &TestApp, token: &str, client: &str) -> Vec<Value> {
    let response = app.gql(LIST, json!({ "c": client }), Some(token)).await;
    nodes(&response, "clientCaseManagers")
}

/// The clients listed by CM-1 for this viewer.
async fn gaps(app: &TestApp, token: &str) -> Vec<String> {
    let response = app.gql(GAPS, json!({}), Some(token)).await;
    let mut clients: Vec<String> = response["data"]["caseManagerGaps"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("caseManagerGaps failed: {response}"))
        .iter()
        .map(|e| {
            assert_eq!(e["node"]["rule"], "CM-1");
            assert!(e["node"]["hmisNumber"].is_string());
            e["node"]["clientId"].as_str().unwrap().to_owned()
        })
        .collect();
    clients.sort();
    clients
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn cm_1_heads_of_household_without_a_case_manager_are_listed() {
    let c = community().await;
    let app = &c.app;
    let head = enroll(
        app,
        &c.user_a,
        &c.client,
        &c.shelter_a,
        "2021-05-01",
        json!({}),
    )
    .await;
    let head_stay = id(&head, "enrollClient", "enrollment");
    let household = head["data"]["enrollClient"]["enrollment"]["householdId"]
        .as_str()
        .unwrap()
        .to_owned();
    // A child in the same household is not a head of household.
    let child = client(app, &c.user_a, "Jimmy").await;
    let child_stay = enroll(
        app,
        &c.user_a,
        &child,
        &c.shelter_a,
        "2021-05-01",
        json!({ "householdId": household, "relationshipToHoh": 2 }),
    )
    .await;
    assert!(
        child_stay["data"]["enrollClient"]["enrollment"].is_object(),
        "{child_stay}"
    );
    let other = client(app, &c.user_b, "Mary").await;
    id(
        &enroll(app, &c.user_b, &other, &c.rrh_b, "2021-05-10", json!({})).await,
        "enrollClient",
        "enrollment",
    );

    // Each agency sees its own projects' heads of household; the Data Center the whole CoC.
    assert_eq!(gaps(app, &c.user_a).await, vec![c.client.clone()]);
    assert_eq!(gaps(app, &c.user_b).await, vec![other.clone()]);
    assert_eq!(
        gaps(app, &c.data_center).await,
        sorted(vec![c.client.clone(), other.clone()])
    );

    // Another agency's case manager does not count for A's project.
    let from_b = assign(app, &c.user_b, &c.client, &c.rrh_b, &c.user_b_id).await;
    assert!(
        from_b["data"]["assignCaseManager"]["assignment"].is_object(),
        "{from_b}"
    );
    assert_eq!(gaps(app, &c.user_a).await, vec![c.client.clone()]);
    // And a case manager must be an active user of the project's agency.
    let wrong_agency = assign(app, &c.user_a, &c.client, &c.shelter_a, &c.user_b_id).await;
    assert_eq!(error_code(&wrong_agency), "VALIDATION");
    assert_eq!(error_field(&wrong_agency), "caseManagerUserId");

    let assigned = assign(app, &c.user_a, &c.client, &c.shelter_a, &c.user_a_id).await;
    let assignment = id(&assigned, "assignCaseManager", "assignment");
    assert!(gaps(app, &c.user_a).await.is_empty());
    assert_eq!(gaps(app, &c.data_center).await, vec![other.clone()]);

    // An ended assignment no longer counts.
    let ended = app
        .gql(
            END,
            json!({ "id": assignment, "v": 1, "d": "2021-06-01" }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(
        ended["data"]["endCaseManagerAssignment"]["assignment"]["active"], false,
        "{ended}"
    );
    assert_eq!(gaps(app, &c.user_a).await, vec![c.client.clone()]);
    // Nor is an exited head of household listed.
    let exited = update_enrollment(
        app,
        &c.user_a,
        json!({ "id": head_stay, "expectedVersion": 1, "exitDate": "2021-07-01" }),
    )
    .await;
    assert!(
        exited["data"]["updateEnrollment"]["enrollment"].is_object(),
        "{exited}"
    );
    assert!(gaps(app, &c.user_a).await.is_empty());
}

#[tokio::test]
async fn cm_2_only_the_assigning_agency_changes_its_case_manager() {
    let c = community().await;
    let app = &c.app;
    let assigned = assign(app, &c.user_a, &c.client, &c.shelter_a, &c.user_a_id).await;
    let assignment = &assigned["data"]["assignCaseManager"]["assignment"];
    let assignment_id = id(&assigned, "assignCaseManager", "assignment");
    assert_eq!(assignment["agencyId"], c.agency_a.as_str());
    assert_eq!(assignment["active"], true);
    assert_eq!(permission(assignment, "endDate")["allowed"], true);
    assert_eq!(
        assignment["provenance"]["enteredByAgencyId"],
        c.agency_a.as_str()
    );

    // Nobody outside agency A assigns, ends or removes A's case manager.
    for token in [&c.user_b, &c.data_center] {
        let refused = assign(app, token, &c.client, &c.shelter_a, &c.user_a_id).await;
        assert_eq!(error_code(&refused), "PLAN_RULE", "{refused}");
        assert_eq!(error_rule(&refused), "CM-2");
    }
    let seen_by_b = list(app, &c.user_b, &c.client).await;
    assert_eq!(
        seen_by_b.len(),
        1,
        "case managers are shared under Durham v1"
    );
    // Named, so that the profile says who it is (PROV-1's name loader).
    assert_eq!(seen_by_b[0]["caseManager"]["id"], c.user_a_id.as_str());
    assert!(
        seen_by_b[0]["caseManager"]["displayName"]
            .as_str()
            .is_some_and(|name| name.starts_with("Staff ")),
        "{}",
        seen_by_b[0]
    );
    let end_date = permission(&seen_by_b[0], "endDate");
    assert_eq!(end_date["allowed"], false);
    assert_eq!(end_date["rule"], "CM-2");
    let refused = app
        .gql(
            END,
            json!({ "id": assignment_id, "v": 1, "d": "2021-06-01" }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(error_rule(&refused), "CM-2");
    let refused = app
        .gql(
            REMOVE,
            json!({ "id": assignment_id, "v": 1 }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(error_rule(&refused), "CM-2");
    assert_eq!(
        count(
            app,
            "SELECT count(*) AS n FROM audit_log WHERE outcome = 'REFUSED' AND rule = 'CM-2'"
        )
        .await,
        4
    );

    // Agency A's users do.
    let before_start = app
        .gql(
            END,
            json!({ "id": assignment_id, "v": 1, "d": "2021-04-01" }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(error_field(&before_start), "endDate");
    let ended = app
        .gql(
            END,
            json!({ "id": assignment_id, "v": 1, "d": "2021-06-01" }),
            Some(&c.user_a),
        )
        .await;
    let ended = &ended["data"]["endCaseManagerAssignment"]["assignment"];
    assert_eq!(ended["version"], 2, "{ended}");
    assert_eq!(ended["endDate"], "2021-06-01");
    let stale = app
        .gql(
            REMOVE,
            json!({ "id": assignment_id, "v": 1 }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT");
    assert_eq!(
        stale["errors"][0]["extensions"]["current"]["endDate"],
        "2021-06-01"
    );
    let removed = app
        .gql(
            REMOVE,
            json!({ "id": assignment_id, "v": 2 }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(
        removed["data"]["removeCaseManagerAssignment"]["deletedId"],
        assignment_id.as_str(),
        "{removed}"
    );
    assert!(list(app, &c.user_a, &c.client).await.is_empty());
    assert_eq!(
        count(
            app,
            "SELECT count(*) AS n FROM audit_log WHERE action LIKE 'case_manager.%' AND outcome = 'ALLOWED'"
        )
        .await,
        3
    );
}

/// LOCK-1: ending one assignment by writers who all read version 1; exactly one wins.
#[tokio::test]
async fn lock_1_concurrent_ends_of_an_assignment_let_exactly_one_through() {
    let c = community().await;
    let app = &c.app;
    let assigned = assign(app, &c.user_a, &c.client, &c.shelter_a, &c.user_a_id).await;
    let assignment = id(&assigned, "assignCaseManager", "assignment");
    let ends = ["2021-06-01", "2021-06-02", "2021-06-03", "2021-06-04"];
    let writes = futures_util::future::join_all(ends.iter().map(|end| {
        app.gql(
            END,
            json!({ "id": assignment, "v": 1, "d": end }),
            Some(&c.user_a),
        )
    }));
    let outcomes = crate::helpers::race_on_row(
        app,
        "case_manager_assignments",
        &assignment,
        ends.len(),
        writes,
    )
    .await;
    crate::helpers::assert_one_won(&outcomes, |o| {
        o["data"]["endCaseManagerAssignment"]["assignment"]["version"] == 2
    });
}
