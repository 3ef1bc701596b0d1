//! Entry/exit under the Durham v1 rules: ENR-1, ENR-2, PLAN-1, PROV-1, AUD-1, LOCK-1. Also the
//! community the case-manager and service tests share.
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{Coc, TestApp, created_id, error_code, error_rule, nodes};

pub const ENROLL: &str = "mutation($i: EnrollClientInput!) { enrollClient(input: $i) {
    enrollment { id version householdId agencyId projectType flags { rule message otherEnrollmentId }
    access { action allowed rule reason planVersion }
    provenance { enteredByUserId enteredByAgencyId enteredAt updatedByUserId } } } }";
const UPDATE: &str = "mutation($i: UpdateEnrollmentInput!) { updateEnrollment(input: $i) {
    enrollment { id version exitDate destination moveInDate flags { rule otherEnrollmentId }
    provenance { enteredByUserId updatedByUserId updatedByAgencyId } } } }";
const DELETE: &str = "mutation($id: UUID!, $v: Int!) { deleteEnrollment(input: { id: $id, expectedVersion: $v }) { deletedId } }";
const LIST: &str = "query($c: UUID!) { clientEnrollments(clientId: $c) { edges { node {
    id version agencyId exitDate flags { rule message otherEnrollmentId }
    access { action allowed rule reason } } } } }";

/// A CoC with two agencies: A (Urban Ministries: a shelter) and B (Housing for New Hope: a
/// rapid re-housing project and a shelter), a user in each, and a client entered by A.
pub struct Community {
    pub app: TestApp,
    pub data_center: String,
    pub user_a: String,
    pub user_a_id: String,
    pub user_b: String,
    pub user_b_id: String,
    pub agency_a: String,
    pub agency_b: String,
    pub shelter_a: String,
    pub rrh_b: String,
    pub shelter_b: String,
    pub client: String,
}

pub fn id(response: &Value, mutation: &str, object: &str) -> String {
    created_id(response, mutation, object)
}

pub async fn client(app: &TestApp, token: &str, first_name: &str) -> String {
    let created = app
        .gql(
            "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
            json!({ "i": { "firstName": first_name, "lastName": "Smith" } }),
            Some(token),
        )
        .await;
    id(&created, "createClient", "client")
}

pub async fn community() -> Community {
    let coc = Coc::new().await;
    let (user_a, user_a_id) = coc.member("a@um.example", "USER", &coc.agency_a).await;
    let (user_b, user_b_id) = coc.member("b@hnh.example", "USER", &coc.agency_b).await;
    let shelter_a = coc.project(&coc.agency_a, "UM Shelter", 0).await;
    let rrh_b = coc.project(&coc.agency_b, "HNH Rapid Re-Housing", 13).await;
    let shelter_b = coc.project(&coc.agency_b, "HNH Shelter", 0).await;
    let client = client(&coc.app, &user_a, "John").await;
    Community {
        app: coc.app,
        data_center: coc.data_center,
        user_a,
        user_a_id,
        user_b,
        user_b_id,
        agency_a: coc.agency_a,
        agency_b: coc.agency_b,
        shelter_a,
        rrh_b,
        shelter_b,
        client,
    }
}

pub async fn enroll(
    app: &TestApp,
    token: &str,
    client: &str,
    project: &str,
    entry: &str,
    extra: Value,
) -> Value {
    let mut input = json!({ "clientId": client, "projectId": project, "relationshipToHoh": 1, "entryDate": entry });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    app.gql(ENROLL, json!({ "i": input }), Some(token)).await
}

pub async fn update(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(UPDATE, json!({ "i": input }), Some(token)).await
}

async fn list(app: &TestApp, token: &str, client: &str) -> Vec<Value> {
    let response = app.gql(LIST, json!({ "c": client }), Some(token)).await;
    nodes(&response, "clientEnrollments")
}

pub fn permission<'a>(record: &'a Value, action: &str) -> &'a Value {
    record["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["action"] == action)
        .unwrap_or_else(|| panic!("no {action} in {record}"))
}

pub fn error_field(response: &Value) -> &str {
    response["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.superuser().await;
    db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

#[tokio::test]
async fn enr_1_only_the_owning_agency_changes_or_deletes_an_enrollment() {
    let c = community().await;
    let app = &c.app;
    let created = enroll(
        app,
        &c.user_a,
        &c.client,
        &c.shelter_a,
        "2021-05-01",
        json!({}),
    )
    .await;
    let enrollment = &created["data"]["enrollClient"]["enrollment"];
    let enrollment_id = id(&created, "enrollClient", "enrollment");
    assert_eq!(enrollment["version"], 1);
    assert_eq!(enrollment["agencyId"], c.agency_a.as_str());
    assert_eq!(permission(enrollment, "edit")["allowed"], true);
    // PROV-1: who entered it, from which agency.
    assert_eq!(
        enrollment["provenance"]["enteredByUserId"],
        c.user_a_id.as_str()
    );
    assert_eq!(
        enrollment["provenance"]["enteredByAgencyId"],
        c.agency_a.as_str()
    );

    // Another agency cannot enroll into A's project, nor change or delete A's enrollment.
    let refused = enroll(
        app,
        &c.user_b,
        &c.client,
        &c.shelter_a,
        "2021-05-02",
        json!({}),
    )
    .await;
    assert_eq!(error_code(&refused), "PLAN_RULE");
    assert_eq!(error_rule(&refused), "ENR-1");
    let seen_by_b = list(app, &c.user_b, &c.client).await;
    assert_eq!(seen_by_b.len(), 1, "entry/exit is shared under Durham v1");
    let edit = permission(&seen_by_b[0], "edit");
    assert_eq!(edit["allowed"], false);
    assert_eq!(edit["rule"], "ENR-1");
    assert!(edit["reason"].as_str().unwrap().contains("another agency"));
    let exit = json!({ "id": enrollment_id, "expectedVersion": 1, "exitDate": "2021-06-01" });
    for token in [&c.user_b, &c.data_center] {
        let refused = update(app, token, exit.clone()).await;
        assert_eq!(error_code(&refused), "PLAN_RULE", "{refused}");
        assert_eq!(error_rule(&refused), "ENR-1");
        let refused = app
            .gql(
                DELETE,
                json!({ "id": enrollment_id, "v": 1 }),
                Some(token.as_str()),
            )
            .await;
        assert_eq!(error_rule(&refused), "ENR-1");
    }
    assert_eq!(
        count(
            app,
            "SELECT count(*) AS n FROM audit_log WHERE outcome = 'REFUSED' AND rule = 'ENR-1'"
        )
        .await,
        5
    );

    // The owning agency can, within HUD's rules.
    let early = update(
        app,
        &c.user_a,
        json!({ "id": enrollment_id, "expectedVersion": 1, "exitDate": "2021-04-01" }),
    )
    .await;
    assert_eq!(error_code(&early), "VALIDATION");
    assert_eq!(error_field(&early), "exitDate");
    let move_in = update(
        app,
        &c.user_a,
        json!({ "id": enrollment_id, "expectedVersion": 1, "moveInDate": "2021-05-03" }),
    )
    .await;
    assert_eq!(
        error_field(&move_in),
        "moveInDate",
        "a shelter has no move-in date"
    );
    let bad_code = enroll(
        app,
        &c.user_a,
        &c.client,
        &c.shelter_a,
        "2021-05-01",
        json!({ "relationshipToHoh": 7 }),
    )
    .await;
    assert_eq!(error_field(&bad_code), "relationshipToHoh");
    let exited = update(
        app,
        &c.user_a,
        json!({ "id": enrollment_id, "expectedVersion": 1, "exitDate": "2021-06-01", "destination": 410 }),
    )
    .await;
    let exited = &exited["data"]["updateEnrollment"]["enrollment"];
    assert_eq!(exited["version"], 2, "{exited}");
    assert_eq!(exited["exitDate"], "2021-06-01");
    assert_eq!(exited["destination"], 410);
    assert_eq!(
        exited["provenance"]["updatedByAgencyId"],
        c.agency_a.as_str()
    );
    assert_eq!(
        count(app, "SELECT count(*) AS n FROM audit_log WHERE action = 'enrollment.update' AND outcome = 'ALLOWED' AND detail->'before'->>'exitDate' IS NULL AND detail->'after'->>'exitDate' = '2021-06-01'").await,
        1,
        "AUD-1 keeps before and after"
    );
    let deleted = app
        .gql(
            DELETE,
            json!({ "id": enrollment_id, "v": 2 }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(
        deleted["data"]["deleteEnrollment"]["deletedId"],
        enrollment_id.as_str(),
        "{deleted}"
    );
    assert!(list(app, &c.user_a, &c.client).await.is_empty());
}

#[tokio::test]
async fn enr_2_unusual_concurrent_enrollments_are_flagged_not_refused() {
    let c = community().await;
    let app = &c.app;
    let shelter_a = id(
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
    // Shelter beside rapid re-housing is a normal pair under Durham v1.
    let rrh = enroll(
        app,
        &c.user_b,
        &c.client,
        &c.rrh_b,
        "2021-06-01",
        json!({ "moveInDate": "2021-07-01" }),
    )
    .await;
    assert_eq!(
        rrh["data"]["enrollClient"]["enrollment"]["flags"],
        json!([]),
        "{rrh}"
    );
    // Two shelters at once are not: written, and flagged.
    let second_shelter = enroll(
        app,
        &c.user_b,
        &c.client,
        &c.shelter_b,
        "2021-06-15",
        json!({}),
    )
    .await;
    let flags = &second_shelter["data"]["enrollClient"]["enrollment"]["flags"];
    assert_eq!(flags.as_array().map(Vec::len), Some(1), "{second_shelter}");
    assert_eq!(
        second_shelter["data"]["enrollClient"]["enrollment"]["agencyId"],
        c.agency_b.as_str()
    );
    assert_eq!(flags[0]["rule"], "ENR-2");
    assert_eq!(flags[0]["otherEnrollmentId"], shelter_a.as_str());
    assert!(flags[0]["message"].as_str().unwrap().contains("UM Shelter"));
    let second_shelter = id(&second_shelter, "enrollClient", "enrollment");
    // The other side of the overlap carries the flag too.
    let listed = list(app, &c.user_a, &c.client).await;
    assert_eq!(listed.len(), 3);
    let first = listed
        .iter()
        .find(|e| e["id"] == shelter_a.as_str())
        .unwrap();
    assert_eq!(
        first["flags"][0]["otherEnrollmentId"],
        second_shelter.as_str()
    );

    // Exiting the first shelter the day the second begins clears both flags.
    let exited = update(
        app,
        &c.user_a,
        json!({ "id": shelter_a, "expectedVersion": 1, "exitDate": "2021-06-15" }),
    )
    .await;
    assert_eq!(
        exited["data"]["updateEnrollment"]["enrollment"]["flags"],
        json!([]),
        "{exited}"
    );
    assert!(
        list(app, &c.user_b, &c.client)
            .await
            .iter()
            .all(|e| e["flags"] == json!([]))
    );
}

#[tokio::test]
async fn lock_1_a_stale_write_is_refused_with_the_current_values() {
    let c = community().await;
    let app = &c.app;
    let enrollment = id(
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
    let first = update(
        app,
        &c.user_a,
        json!({ "id": enrollment, "expectedVersion": 1, "exitDate": "2021-06-01" }),
    )
    .await;
    assert_eq!(
        first["data"]["updateEnrollment"]["enrollment"]["version"], 2,
        "{first}"
    );
    // A colleague who read version 1 is refused, and shown what is there now.
    let stale = update(
        app,
        &c.user_a,
        json!({ "id": enrollment, "expectedVersion": 1, "exitDate": "2021-06-20" }),
    )
    .await;
    assert_eq!(error_code(&stale), "CONFLICT");
    let current = &stale["errors"][0]["extensions"]["current"];
    assert_eq!(current["version"], 2);
    assert_eq!(current["exitDate"], "2021-06-01");
    let stale_delete = app
        .gql(DELETE, json!({ "id": enrollment, "v": 1 }), Some(&c.user_a))
        .await;
    assert_eq!(error_code(&stale_delete), "CONFLICT");
    assert_eq!(
        count(app, &format!("SELECT count(*) AS n FROM audit_log WHERE subject_id = '{enrollment}' AND outcome = 'REFUSED' AND rule = 'LOCK-1'")).await,
        2,
        "both stale writes are audited as refusals"
    );

    // The same holds for services and case-manager assignments.
    let service = crate::services::record(app, &c.user_a, &c.client, json!({})).await;
    let service = id(&service, "recordService", "service");
    let edit = json!({ "id": service, "expectedVersion": 1, "serviceType": "Bus pass" });
    assert!(
        crate::services::update(app, &c.user_a, edit.clone()).await["data"]["updateService"]["service"]
            .is_object()
    );
    let stale = crate::services::update(app, &c.user_a, edit).await;
    assert_eq!(error_code(&stale), "CONFLICT");
    assert_eq!(
        stale["errors"][0]["extensions"]["current"]["serviceType"],
        "Bus pass"
    );
    assert_eq!(stale["errors"][0]["extensions"]["current"]["version"], 2);
}

#[tokio::test]
async fn plan_1_a_private_plan_keeps_entry_exit_and_its_flags_inside_the_owning_agency() {
    let c = community().await;
    let app = &c.app;
    let shelter_a = id(
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
    let shelter_b = enroll(
        app,
        &c.user_b,
        &c.client,
        &c.shelter_b,
        "2021-06-15",
        json!({}),
    )
    .await;
    assert_eq!(
        shelter_b["data"]["enrollClient"]["enrollment"]["flags"][0]["otherEnrollmentId"],
        shelter_a.as_str()
    );
    let published = app
        .gql(
            "mutation { publishSharingPlanTemplate(input: { template: PRIVATE }) { version { version } } }",
            json!({}),
            Some(&c.data_center),
        )
        .await;
    assert_eq!(
        published["data"]["publishSharingPlanTemplate"]["version"]["version"], 2,
        "{published}"
    );

    // Each agency sees its own stay only, and no flag names the other agency's.
    let seen_by_a = list(app, &c.user_a, &c.client).await;
    assert_eq!(seen_by_a.len(), 1);
    assert_eq!(seen_by_a[0]["id"], shelter_a.as_str());
    assert_eq!(seen_by_a[0]["flags"], json!([]));
    let seen_by_b = list(app, &c.user_b, &c.client).await;
    assert_eq!(seen_by_b.len(), 1);
    assert_eq!(seen_by_b[0]["flags"], json!([]));
    assert_eq!(
        list(app, &c.data_center, &c.client).await.len(),
        2,
        "the Data Center reads its whole CoC"
    );
    // Probing A's stay, which the plan keeps from B, is answered exactly as probing a stay
    // that does not exist, by the action and by `explain`: neither confirms it exists.
    let refused = update(
        app,
        &c.user_b,
        json!({ "id": shelter_a, "expectedVersion": 1, "exitDate": "2021-06-01" }),
    )
    .await;
    let missing = update(
        app,
        &c.user_b,
        json!({ "id": uuid::Uuid::now_v7(), "expectedVersion": 1, "exitDate": "2021-06-01" }),
    )
    .await;
    assert_eq!(error_code(&refused), "NOT_FOUND", "{refused}");
    assert_eq!(refused["errors"][0], missing["errors"][0]);
    let explain = |record: String| {
        app.gql(
            "query($r: UUID!) { explain(action: EDIT_ENROLLMENT, recordId: $r) { allowed rule } }",
            json!({ "r": record }),
            Some(&c.user_b),
        )
    };
    let explained = explain(shelter_a.clone()).await;
    let explained_missing = explain(uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(error_code(&explained), "NOT_FOUND", "{explained}");
    assert_eq!(explained["errors"][0], explained_missing["errors"][0]);

    // Services and case managers likewise.
    let service = crate::services::record(app, &c.user_a, &c.client, json!({})).await;
    assert!(
        service["data"]["recordService"]["service"].is_object(),
        "{service}"
    );
    let services =
        "query($c: UUID!) { clientServices(clientId: $c) { edges { node { id cmNote } } } }";
    let seen_by_b = app
        .gql(services, json!({ "c": c.client }), Some(&c.user_b))
        .await;
    assert_eq!(seen_by_b["data"]["clientServices"]["edges"], json!([]));
    let seen_by_dc = app
        .gql(services, json!({ "c": c.client }), Some(&c.data_center))
        .await;
    let edges = &seen_by_dc["data"]["clientServices"]["edges"];
    assert_eq!(edges.as_array().map(Vec::len), Some(1), "{seen_by_dc}");
    assert!(edges[0]["node"]["cmNote"].is_null(), "SRV-2 still holds");
}

/// LOCK-1 for enrollments and services through the one versioned-write path: writers who all
/// read version 1 race, and exactly one wins.
#[tokio::test]
async fn lock_1_concurrent_writes_to_an_enrollment_or_a_service_let_exactly_one_through() {
    let c = community().await;
    let app = &c.app;
    let enrollment = id(
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
    let exits = [
        "2021-06-01",
        "2021-06-02",
        "2021-06-03",
        "2021-06-04",
        "2021-06-05",
    ];
    let writes = futures_util::future::join_all(exits.iter().map(|exit| {
        update(
            app,
            &c.user_a,
            json!({ "id": enrollment, "expectedVersion": 1, "exitDate": exit }),
        )
    }));
    let outcomes =
        crate::helpers::race_on_row(app, "enrollments", &enrollment, exits.len(), writes).await;
    crate::helpers::assert_one_won(&outcomes, |o| {
        o["data"]["updateEnrollment"]["enrollment"]["version"] == 2
    });

    let service = id(
        &crate::services::record(app, &c.user_a, &c.client, json!({})).await,
        "recordService",
        "service",
    );
    let kinds = ["Bus pass", "Meal", "Shower", "Laundry", "Phone"];
    let writes = futures_util::future::join_all(kinds.iter().map(|kind| {
        crate::services::update(
            app,
            &c.user_a,
            json!({ "id": service, "expectedVersion": 1, "serviceType": kind }),
        )
    }));
    let outcomes =
        crate::helpers::race_on_row(app, "services", &service, kinds.len(), writes).await;
    crate::helpers::assert_one_won(&outcomes, |o| {
        o["data"]["updateService"]["service"].is_object()
    });
    assert_eq!(
        count(
            app,
            &format!("SELECT count(*) AS n FROM service_history WHERE service_id = '{service}'")
        )
        .await,
        2,
        "the first version and the one change that won"
    );
}

/// Integrations find clients the way a caseworker would: by HMIS number, part of a name in any
/// case, date of birth, or a project they were enrolled in — the last only where the viewer
/// reads that project's enrollments (PLAN-1).
#[tokio::test]
async fn clients_are_listed_by_hmis_number_name_date_of_birth_and_project() {
    let c = community().await;
    let app = &c.app;
    let new_client = |input: Value| {
        let (app, token) = (app, c.user_a.clone());
        async move {
            let created = app
                .gql(
                    "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
                    json!({ "i": input }),
                    Some(&token),
                )
                .await;
            id(&created, "createClient", "client")
        }
    };
    let johnny = new_client(json!({ "hmisNumber": "DUR-000001", "firstName": "Johnny", "lastName": "Walker", "dob": "1980-01-01" })).await;
    let maria = new_client(json!({ "hmisNumber": "DUR-000002", "firstName": "Maria", "lastName": "Lopez", "dob": "1990-05-05" })).await;
    let enrolled = enroll(
        app,
        &c.user_a,
        &c.client,
        &c.shelter_a,
        "2025-01-10",
        json!({}),
    )
    .await;
    assert!(enrolled["errors"].is_null(), "{enrolled}");
    let listed = |token: &str, filter: Value| {
        let (app, token) = (app, token.to_owned());
        async move {
            let response = app
                .gql(
                    "query($f: ClientFilter) { clients(filter: $f, first: 50) { edges { node { id } } } }",
                    json!({ "f": filter }),
                    Some(&token),
                )
                .await;
            if !response["errors"].is_null() {
                return Err(response);
            }
            let mut ids: Vec<String> = nodes(&response, "clients")
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            Ok(ids)
        }
    };
    let sorted = |mut ids: Vec<&String>| {
        ids.sort();
        ids.into_iter().cloned().collect::<Vec<_>>()
    };
    assert_eq!(
        listed(&c.user_a, json!({ "name": "JOHN" })).await.unwrap(),
        sorted(vec![&c.client, &johnny])
    );
    assert_eq!(
        listed(&c.user_a, json!({ "name": "_" })).await.unwrap(),
        Vec::<String>::new(),
        "a wildcard character matches itself only"
    );
    assert_eq!(
        listed(&c.user_a, json!({ "hmisNumber": "DUR-000002" }))
            .await
            .unwrap(),
        vec![maria.clone()]
    );
    assert_eq!(
        listed(&c.user_a, json!({ "dob": "1990-05-05", "name": "lop" }))
            .await
            .unwrap(),
        vec![maria.clone()]
    );
    assert_eq!(
        listed(&c.user_b, json!({ "projectId": c.shelter_a }))
            .await
            .unwrap(),
        vec![c.client.clone()],
        "durham-v1 shares entry/exit records"
    );

    // A plan that keeps entry/exit inside each agency: another agency's project says nothing.
    let published = app
        .republish_plan(&c.data_center, |d| {
            for element in d["elements"].as_array_mut().unwrap() {
                if element["key"] == "entry_exit" {
                    element["shared"] = json!(false);
                }
            }
        })
        .await;
    assert!(published["errors"].is_null(), "{published}");
    let refused = listed(&c.user_b, json!({ "projectId": c.shelter_a }))
        .await
        .unwrap_err();
    assert_eq!(
        (error_code(&refused), error_rule(&refused)),
        ("FORBIDDEN", "PLAN-1"),
        "{refused}"
    );
    assert_eq!(
        listed(&c.user_a, json!({ "projectId": c.shelter_a }))
            .await
            .unwrap(),
        vec![c.client.clone()]
    );
}

/// A project's enrollments open at some time in a date range, for a viewer who reads them.
#[tokio::test]
async fn a_projects_enrollments_are_listed_by_the_dates_they_were_open() {
    let c = community().await;
    let app = &c.app;
    let maria = client(app, &c.user_a, "Maria").await;
    let exited = enroll(
        app,
        &c.user_a,
        &c.client,
        &c.shelter_a,
        "2025-01-10",
        json!({}),
    )
    .await;
    let exited = id(&exited, "enrollClient", "enrollment");
    let exit = update(
        app,
        &c.user_a,
        json!({ "id": exited, "expectedVersion": 1, "exitDate": "2025-02-10" }),
    )
    .await;
    assert!(exit["errors"].is_null(), "{exit}");
    let open = enroll(
        app,
        &c.user_a,
        &maria,
        &c.shelter_a,
        "2025-03-01",
        json!({}),
    )
    .await;
    let open = id(&open, "enrollClient", "enrollment");

    let listed = |token: &str, from: Option<&str>, until: Option<&str>| {
        let (app, token, project) = (app, token.to_owned(), c.shelter_a.clone());
        let (from, until) = (from.map(str::to_owned), until.map(str::to_owned));
        async move {
            let response = app
                .gql(
                    "query($p: UUID!, $f: NaiveDate, $u: NaiveDate) { projectEnrollments(projectId: $p, activeFrom: $f, activeUntil: $u) { edges { node { id clientId } } } }",
                    json!({ "p": project, "f": from, "u": until }),
                    Some(&token),
                )
                .await;
            if !response["errors"].is_null() {
                return Err(response);
            }
            Ok(nodes(&response, "projectEnrollments")
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>())
        }
    };
    assert_eq!(
        listed(&c.user_b, None, None).await.unwrap(),
        vec![exited.clone(), open.clone()]
    );
    assert_eq!(
        listed(&c.user_a, Some("2025-02-15"), None).await.unwrap(),
        vec![open.clone()]
    );
    assert_eq!(
        listed(&c.user_a, None, Some("2025-02-01")).await.unwrap(),
        vec![exited.clone()]
    );
    assert_eq!(
        listed(&c.user_a, Some("2025-02-01"), Some("2025-02-05"))
            .await
            .unwrap(),
        vec![exited.clone()]
    );
    let backwards = listed(&c.user_a, Some("2025-02-05"), Some("2025-02-01"))
        .await
        .unwrap_err();
    assert_eq!(
        (error_code(&backwards), error_field(&backwards)),
        ("VALIDATION", "activeUntil"),
        "{backwards}"
    );

    app.republish_plan(&c.data_center, |d| {
        for element in d["elements"].as_array_mut().unwrap() {
            if element["key"] == "entry_exit" {
                element["shared"] = json!(false);
            }
        }
    })
    .await;
    let refused = listed(&c.user_b, None, None).await.unwrap_err();
    assert_eq!(error_rule(&refused), "PLAN-1", "{refused}");
    assert_eq!(listed(&c.data_center, None, None).await.unwrap().len(), 2);
}
