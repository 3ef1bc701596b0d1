//! Needs, services and referrals under the Durham v1 rules: SRV-1, SRV-2, PROV-1, AUD-1.
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::enrollments::{community, count, enroll, error_field, id, permission};
use crate::helpers::{TestApp, error_code, error_rule, nodes};

const RECORD: &str = "mutation($i: RecordServiceInput!) { recordService(input: $i) {
    service { id version kind serviceType serviceDate providerAgencyId enrollmentId cmMinutes cmNote
    access { action allowed rule reason planVersion } provenance { enteredByUserId enteredByAgencyId } } } }";
const UPDATE: &str = "mutation($i: UpdateServiceInput!) { updateService(input: $i) {
    service { id version serviceType cmMinutes cmNote provenance { updatedByUserId updatedByAgencyId } } } }";
const DELETE: &str = "mutation($id: UUID!) { deleteService(input: { id: $id }) { deletedId } }";
const LIST: &str = "query($c: UUID!) { clientServices(clientId: $c) { edges { node {
    id version serviceType cmMinutes cmNote access { action allowed rule reason planVersion } } } } }";
const HISTORY: &str = "query($s: UUID!) { serviceHistory(serviceId: $s) { edges { node {
    version serviceType cmMinutes cmNote changedByUserId changedByAgencyId changedAt } } } }";

/// Records a service for `client` with a case-management note; `extra` overrides the input.
pub async fn record(app: &TestApp, token: &str, client: &str, extra: Value) -> Value {
    let mut input = json!({
        "clientId": client, "kind": "SERVICE", "serviceType": "Shelter bed",
        "serviceDate": "2021-05-02", "cmMinutes": 30, "cmNote": "Discussed housing plan",
    });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    app.gql(RECORD, json!({ "i": input }), Some(token)).await
}

pub async fn update(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(UPDATE, json!({ "i": input }), Some(token)).await
}

async fn list(app: &TestApp, token: &str, client: &str) -> Vec<Value> {
    let response = app.gql(LIST, json!({ "c": client }), Some(token)).await;
    nodes(&response, "clientServices")
}

async fn history(app: &TestApp, token: &str, service: &str) -> Vec<Value> {
    let response = app.gql(HISTORY, json!({ "s": service }), Some(token)).await;
    nodes(&response, "serviceHistory")
}

#[tokio::test]
async fn srv_1_services_are_never_deleted_and_only_the_provider_edits_with_history() {
    let c = community().await;
    let app = &c.app;
    let stay = id(
        &enroll(
            app,
            &c.user_a,
            &c.client,
            &c.shelter_a,
            "2021-05-01",
            json!({}),
        )
        .await,
        "enrollClient",
        "enrollment",
    );
    let recorded = record(app, &c.user_a, &c.client, json!({ "enrollmentId": stay })).await;
    let service = &recorded["data"]["recordService"]["service"];
    let service_id = id(&recorded, "recordService", "service");
    assert_eq!(
        service["providerAgencyId"],
        c.agency_a.as_str(),
        "{recorded}"
    );
    assert_eq!(service["enrollmentId"], stay.as_str());
    assert_eq!(service["kind"], "SERVICE");
    assert_eq!(permission(service, "edit")["allowed"], true);
    let delete = permission(service, "delete");
    assert_eq!(delete["allowed"], false);
    assert_eq!(delete["rule"], "SRV-1");

    // Nobody deletes a service: not its provider, not the Data Center.
    for token in [&c.user_a, &c.user_b, &c.data_center] {
        let refused = app
            .gql(DELETE, json!({ "id": service_id }), Some(token.as_str()))
            .await;
        assert_eq!(error_code(&refused), "PLAN_RULE", "{refused}");
        assert_eq!(error_rule(&refused), "SRV-1");
    }
    // Nor, while the service points at it, the enrollment it was provided in.
    let pinned = app
        .gql(
            "mutation($id: UUID!) { deleteEnrollment(input: { id: $id, expectedVersion: 1 }) { deletedId } }",
            json!({ "id": stay }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(error_code(&pinned), "VALIDATION", "{pinned}");

    // Only the provider edits.
    let edit =
        json!({ "id": service_id, "expectedVersion": 1, "serviceType": "Shelter bed and meals" });
    let refused = update(app, &c.user_b, edit.clone()).await;
    assert_eq!(error_code(&refused), "PLAN_RULE");
    assert_eq!(error_rule(&refused), "SRV-1");
    let edited = update(app, &c.user_a, edit).await;
    assert_eq!(
        edited["data"]["updateService"]["service"]["version"], 2,
        "{edited}"
    );
    assert_eq!(
        edited["data"]["updateService"]["service"]["serviceType"],
        "Shelter bed and meals"
    );
    let edited = update(
        app,
        &c.user_a,
        json!({ "id": service_id, "expectedVersion": 2, "cmMinutes": 45 }),
    )
    .await;
    assert_eq!(
        edited["data"]["updateService"]["service"]["cmMinutes"], 45,
        "{edited}"
    );

    // Every version is kept, newest first, with who wrote it (PROV-1).
    let versions = history(app, &c.user_a, &service_id).await;
    let shown: Vec<(i64, &str, i64)> = versions
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["serviceType"].as_str().unwrap(),
                v["cmMinutes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            (3, "Shelter bed and meals", 45),
            (2, "Shelter bed and meals", 30),
            (1, "Shelter bed", 30)
        ]
    );
    assert!(
        versions
            .iter()
            .all(|v| v["changedByUserId"] == c.user_a_id.as_str()
                && v["changedByAgencyId"] == c.agency_a.as_str())
    );
    assert_eq!(
        count(
            app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'service.delete' AND outcome = 'REFUSED' AND rule = 'SRV-1'"
        )
        .await,
        3
    );
    // The audit log keeps what changed, never the note's text.
    assert_eq!(
        count(
            app,
            "SELECT count(*) AS n FROM audit_log WHERE action LIKE 'service.%' AND detail::text LIKE '%housing plan%'"
        )
        .await,
        0
    );

    // The Data Center provides no services, and nobody links a service to another agency's stay.
    let no_agency = record(app, &c.data_center, &c.client, json!({})).await;
    assert_eq!(error_code(&no_agency), "VALIDATION", "{no_agency}");
    let foreign_stay = record(app, &c.user_b, &c.client, json!({ "enrollmentId": stay })).await;
    assert_eq!(error_field(&foreign_stay), "enrollmentId");
    let negative = record(app, &c.user_a, &c.client, json!({ "cmMinutes": -5 })).await;
    assert_eq!(error_field(&negative), "cmMinutes");
}

#[tokio::test]
async fn srv_1_the_database_refuses_to_delete_a_service_even_for_the_superuser() {
    let c = community().await;
    let app = &c.app;
    let recorded = record(app, &c.user_a, &c.client, json!({})).await;
    let service_id = id(&recorded, "recordService", "service");
    let db = app.superuser().await;
    let deleted = db
        .execute_unprepared(&format!("DELETE FROM services WHERE id = '{service_id}'"))
        .await;
    crate::helpers::refused_as_append_only(deleted, "DELETE", "services");
    let history = db
        .execute_unprepared("UPDATE service_history SET version = 7")
        .await;
    crate::helpers::refused_as_append_only(history, "UPDATE", "service_history");
    assert_eq!(count(app, "SELECT count(*) AS n FROM services").await, 1);
}

#[tokio::test]
async fn srv_2_case_management_notes_stay_with_the_providing_agency() {
    let c = community().await;
    let app = &c.app;
    let recorded = record(app, &c.user_a, &c.client, json!({})).await;
    let service_id = id(&recorded, "recordService", "service");
    assert_eq!(
        recorded["data"]["recordService"]["service"]["cmNote"],
        "Discussed housing plan"
    );

    // The provider sees its notes; another agency and the Data Center see the service only.
    let own = list(app, &c.user_a, &c.client).await;
    assert_eq!(own[0]["cmMinutes"], 30);
    assert_eq!(permission(&own[0], "readNotes")["allowed"], true);
    for token in [&c.user_b, &c.data_center] {
        let other = list(app, token, &c.client).await;
        assert_eq!(other.len(), 1, "services are shared under Durham v1");
        assert_eq!(other[0]["serviceType"], "Shelter bed");
        assert!(other[0]["cmMinutes"].is_null());
        assert!(other[0]["cmNote"].is_null());
        let notes = permission(&other[0], "readNotes");
        assert_eq!(notes["allowed"], false);
        assert_eq!(notes["rule"], "SRV-2");
        assert_eq!(notes["planVersion"], 1);
        let versions = history(app, token, &service_id).await;
        assert!(versions[0]["cmNote"].is_null(), "history hides them too");
    }

    // A plan that shares the notes shares them from the next request on.
    let published = app
        .republish_plan(&c.data_center, |document| {
            document["parameters"]["serviceNotesShared"] = json!(true);
        })
        .await;
    assert_eq!(
        published["data"]["publishSharingPlan"]["version"]["version"], 2,
        "{published}"
    );
    let shared = list(app, &c.user_b, &c.client).await;
    assert_eq!(shared[0]["cmNote"], "Discussed housing plan");
    let notes = permission(&shared[0], "readNotes");
    assert_eq!(notes["allowed"], true);
    assert_eq!(notes["planVersion"], 2);
    // Sharing the notes does not let another agency edit them (SRV-1).
    let refused = update(
        app,
        &c.user_b,
        json!({ "id": service_id, "expectedVersion": 1, "cmNote": "changed" }),
    )
    .await;
    assert_eq!(error_rule(&refused), "SRV-1");
}

/// A batch of refused actions writes its refusals without starving the pool: every one is
/// refused with its rule and audited, and another tenant is served meanwhile.
#[tokio::test]
async fn srv_1_a_batch_of_refused_deletes_is_audited_and_holds_up_no_other_tenant() {
    let c = community().await;
    let app = &c.app;
    let service = id(
        &record(app, &c.user_a, &c.client, json!({})).await,
        "recordService",
        "service",
    );
    let other = app.sign_up("orange").await;
    let batch: Vec<Value> = (0..app.state.settings.limits.max_batch)
        .map(|_| json!({ "query": DELETE, "variables": { "id": service } }))
        .collect();
    let refused = async {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&c.user_a)
            .json(&batch)
            .send()
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    };
    let (refused, served) = tokio::join!(
        refused,
        app.create_agency(&other.token, "Orange County Shelter")
    );
    assert_eq!(refused.len(), batch.len());
    for response in &refused {
        assert_eq!(error_code(response), "PLAN_RULE", "{response}");
        assert_eq!(error_rule(response), "SRV-1", "{response}");
    }
    assert!(
        served["data"]["createAgency"]["agency"]["id"].is_string(),
        "the other tenant is served: {served}"
    );
    let audited = count(
        app,
        &format!(
            "SELECT count(*) AS n FROM audit_log WHERE subject_id = '{service}' \
             AND outcome = 'REFUSED' AND rule = 'SRV-1'"
        ),
    )
    .await;
    assert_eq!(audited, i64::try_from(batch.len()).unwrap());
}
