//! The shared records on the embedded default (SQLite, no Redis): the same GraphQL, the same
//! rules, through every kind of record.
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, error_code, error_rule, spawn_embedded};

fn id(v: &Value, path: &[&str]) -> String {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned()
}

#[tokio::test]
async fn every_record_kind_works_under_the_rules_on_the_embedded_default() {
    let app = spawn_embedded().await;
    let dc = app.sign_up("durham").await;
    assert!(app.login("durham", &dc.email, PASSWORD).await["data"]["login"].is_object());
    let agency_a = id(
        &app.create_agency(&dc.token, "Urban Ministries").await,
        &["data", "createAgency", "agency", "id"],
    );
    let agency_b = id(
        &app.create_agency(&dc.token, "Housing for New Hope").await,
        &["data", "createAgency", "agency", "id"],
    );
    let project = id(
        &app.gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
            json!({ "i": { "agencyId": agency_a, "name": "Shelter", "projectType": 0 } }),
            Some(&dc.token),
        )
        .await,
        &["data", "createProject", "project", "id"],
    );
    let (a, _) = app
        .add_user(&dc.token, "durham", "a@um.example", "USER", Some(&agency_a))
        .await;
    let (b, _) = app
        .add_user(
            &dc.token,
            "durham",
            "b@hnh.example",
            "USER",
            Some(&agency_b),
        )
        .await;

    let client = id(
        &app.gql("mutation { createClient(input: { firstName: \"John\", lastName: \"Smith\", dob: \"1980-07-01\", ssn: \"123-45-6789\" }) { client { id } } }", json!({}), Some(&a)).await,
        &["data", "createClient", "client", "id"],
    );
    // DEM-3 then DEM-2.
    let change = "mutation($i: ChangeDemographicInput!) { changeClientDemographic(input: $i) { __typename ... on Client { version } } }";
    let input = |documentation: Value| json!({ "i": { "clientId": client, "expectedVersion": 1, "field": "DOB", "value": "1980-07-08", "documentation": documentation } });
    let oral = app.gql(change, input(Value::Null), Some(&b)).await;
    assert_eq!(
        oral["data"]["changeClientDemographic"]["__typename"], "DataConflict",
        "{oral}"
    );
    let written = app
        .gql(
            change,
            input(json!({ "documentType": "birth certificate" })),
            Some(&b),
        )
        .await;
    assert_eq!(
        written["data"]["changeClientDemographic"]["version"], 2,
        "{written}"
    );

    // ENR-1, CM-1, SRV-1/2, NOTE-1, PRO-1.
    let enrolled = app
        .gql("mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }", json!({ "i": { "clientId": client, "projectId": project, "relationshipToHoh": 1, "entryDate": "2024-01-01", "disablingCondition": 1 } }), Some(&a))
        .await;
    let enrollment = id(&enrolled, &["data", "enrollClient", "enrollment", "id"]);
    let other = app
        .gql("mutation($e: UUID!) { updateEnrollment(input: { id: $e, expectedVersion: 1, exitDate: \"2024-02-01\" }) { enrollment { id } } }", json!({ "e": enrollment }), Some(&b))
        .await;
    assert_eq!(error_rule(&other), "ENR-1");
    let gaps = app
        .gql(
            "{ caseManagerGaps { edges { node { __typename } } } }",
            json!({}),
            Some(&dc.token),
        )
        .await;
    assert_eq!(
        gaps["data"]["caseManagerGaps"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{gaps}"
    );
    let service = app
        .gql("mutation($c: UUID!) { recordService(input: { clientId: $c, kind: SERVICE, serviceType: \"meal\", serviceDate: \"2024-01-02\", cmNote: \"private\" }) { service { id } } }", json!({ "c": client }), Some(&a))
        .await;
    let service = id(&service, &["data", "recordService", "service", "id"]);
    assert_eq!(
        error_rule(
            &app.gql(
                "mutation($s: UUID!) { deleteService(input: { id: $s }) { deletedId } }",
                json!({ "s": service }),
                Some(&a)
            )
            .await
        ),
        "SRV-1"
    );
    let seen = app
        .gql(
            "query($c: UUID!) { clientServices(clientId: $c) { edges { node { cmNote } } } }",
            json!({ "c": client }),
            Some(&b),
        )
        .await;
    assert_eq!(
        seen["data"]["clientServices"]["edges"][0]["node"]["cmNote"],
        Value::Null,
        "SRV-2: {seen}"
    );
    let note = id(
        &app.gql(
            "mutation($c: UUID!) { addClientNote(input: { clientId: $c, body: \"hello\" }) { note { id } } }",
            json!({ "c": client }),
            Some(&a),
        )
        .await,
        &["data", "addClientNote", "note", "id"],
    );
    assert_eq!(
        error_rule(
            &app.gql(
                "mutation($n: UUID!) { deleteClientNote(input: { id: $n, expectedVersion: 1 }) { deletedId } }",
                json!({ "n": note }),
                Some(&b)
            )
            .await
        ),
        "NOTE-1"
    );
    let row = id(
        &app.gql("mutation($c: UUID!) { addProfileRow(input: { clientId: $c, kind: PHONE, value: \"919-555-0100\", startDate: \"2024-01-01\" }) { row { id } } }", json!({ "c": client }), Some(&a)).await,
        &["data", "addProfileRow", "row", "id"],
    );
    let undirected = app
        .gql("mutation($r: UUID!) { correctProfileRow(input: { rowId: $r, expectedVersion: 1, newValue: \"919-555-0199\", startDate: \"2024-06-01\", atClientDirection: false, correctionNote: \"phone\" }) { enteringAgencyNotified } }", json!({ "r": row }), Some(&b))
        .await;
    assert_eq!(error_rule(&undirected), "PRO-1");

    // HUD's further elements, on the strategy's rebuilt table: collected once the plan names
    // them (PLAN-1), corrected under the answers-over-time rules (PRO-1, PRO-3).
    let add_income = "mutation($c: UUID!) { addElementAnswer(input: { clientId: $c, element: INCOME_AND_BENEFITS, field: \"INCOME_FROM_ANY_SOURCE\", value: \"1\", informationDate: \"2025-01-15\" }) { answer { id valueLabel } } }";
    let off = app.gql(add_income, json!({ "c": client }), Some(&a)).await;
    assert_eq!(error_rule(&off), "PLAN-1", "{off}");
    let published = app
        .republish_plan(&dc.token, |d| {
            d["elements"].as_array_mut().unwrap().push(
                json!({ "key": "income_and_benefits", "shared": true, "strategy": "MULTI_ANSWER" }),
            );
        })
        .await;
    assert!(
        published["data"]["publishSharingPlan"]["version"]["version"].is_number(),
        "{published}"
    );
    let added = app.gql(add_income, json!({ "c": client }), Some(&a)).await;
    assert_eq!(
        added["data"]["addElementAnswer"]["answer"]["valueLabel"], "Yes",
        "{added}"
    );
    let answer = id(&added, &["data", "addElementAnswer", "answer", "id"]);
    let listed = app
        .gql("query($c: UUID!) { clientElementAnswers(clientId: $c, element: INCOME_AND_BENEFITS) { nodes { id provenance { enteredByAgencyId } } } }", json!({ "c": client }), Some(&b))
        .await;
    assert_eq!(
        listed["data"]["clientElementAnswers"]["nodes"][0]["provenance"]["enteredByAgencyId"],
        agency_a.as_str(),
        "{listed}"
    );
    let correct = |direction: bool| {
        app.gql(
            "mutation($r: UUID!, $d: Boolean!) { correctElementAnswer(input: { answerId: $r, element: INCOME_AND_BENEFITS, expectedVersion: 1, newValue: \"0\", informationDate: \"2025-02-01\", atClientDirection: $d, correctionNote: \"no income now\" }) { answer { value valueLabel } enteringAgencyNotified } }",
            json!({ "r": answer, "d": direction }),
            Some(&b),
        )
    };
    assert_eq!(error_rule(&correct(false).await), "PRO-1");
    let corrected = correct(true).await;
    assert_eq!(
        corrected["data"]["correctElementAnswer"]["answer"]["valueLabel"], "No",
        "{corrected}"
    );
    assert_eq!(
        corrected["data"]["correctElementAnswer"]["enteringAgencyNotified"],
        true
    );

    // ATT-2, ATT-4 and a file round trip on local storage.
    let upload = |name: &'static str, category: &'static str| {
        app.client
            .post(format!("{}/files", app.address))
            .query(&[
                ("clientId", client.as_str()),
                ("category", category),
                ("fileName", name),
            ])
            .bearer_auth(&a)
            .header("content-type", "application/pdf")
            .body(b"%PDF-1.7\nhello".to_vec())
            .send()
    };
    let refused: Value = upload("ssn card.pdf", "OTHER")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_rule(&refused), "ATT-2");
    let stored = upload("birth.pdf", "BIRTH_CERTIFICATE").await.unwrap();
    assert_eq!(stored.status().as_u16(), 201);
    let checklist = app
        .gql(
            "{ documentChecklist { edges { node { missing } } } }",
            json!({}),
            Some(&dc.token),
        )
        .await;
    assert_eq!(
        checklist["data"]["documentChecklist"]["edges"][0]["node"]["missing"],
        json!(["HOMELESSNESS_VERIFICATION", "DISABILITY_VERIFICATION"]),
        "{checklist}"
    );

    // Search and a page of clients with enrollments.
    let found = app
        .gql(
            "{ searchClients(query: \"smi\") { edges { node { client { lastName } } } } }",
            json!({}),
            Some(&b),
        )
        .await;
    assert_eq!(
        found["data"]["searchClients"]["edges"][0]["node"]["client"]["lastName"], "Smith",
        "{found}"
    );
    let page = app
        .gql(
            "{ clients { edges { node { enrollments { id } } } } }",
            json!({}),
            Some(&a),
        )
        .await;
    assert_eq!(
        page["data"]["clients"]["edges"][0]["node"]["enrollments"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{page}"
    );
    assert_eq!(
        error_code(
            &app.gql("{ clients { edges { cursor } } }", json!({}), None)
                .await
        ),
        "UNAUTHENTICATED"
    );

    // AUD-1 on SQLite: the Data Center finds the client's corrections, the allowed one by the
    // detail that names the client and the refused ones by the records they were refused on.
    // A refusal is written just after its request lets go of the database: wait for both.
    let hmis = app
        .gql(
            "query($c: UUID!) { client(id: $c) { hmisNumber } }",
            json!({ "c": client }),
            Some(&dc.token),
        )
        .await["data"]["client"]["hmisNumber"]
        .clone();
    let mut outcomes = Vec::new();
    for _ in 0..50 {
        let log = app
            .gql(
                "query($h: String!) { auditLog(filter: { clientHmisNumber: $h, action: \"profile.correct\" }) { edges { node { outcome rule } } } }",
                json!({ "h": hmis }),
                Some(&dc.token),
            )
            .await;
        outcomes = log["data"]["auditLog"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{log}"))
            .iter()
            .map(|e| (e["node"]["outcome"].clone(), e["node"]["rule"].clone()))
            .collect();
        if outcomes.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    outcomes.sort_by_key(|o| o.0.to_string());
    assert_eq!(
        outcomes,
        vec![
            (json!("ALLOWED"), Value::Null),
            (json!("REFUSED"), json!("PRO-1")),
            (json!("REFUSED"), json!("PRO-1")),
        ]
    );
}

#[tokio::test]
async fn concurrent_writes_queue_on_the_embedded_default_instead_of_failing() {
    let app = spawn_embedded().await;
    let dc = app.sign_up("durham").await;
    let writes = (0..30).map(|n| {
        app.gql(
            "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
            json!({ "i": { "firstName": format!("C{n}") } }),
            Some(&dc.token),
        )
    });
    let results = futures_util::future::join_all(writes).await;
    for result in &results {
        assert!(
            result["data"]["createClient"]["client"]["id"].is_string(),
            "{result}"
        );
    }
    let page = app
        .gql(
            "{ clients(first: 50) { edges { cursor } } }",
            json!({}),
            Some(&dc.token),
        )
        .await;
    assert_eq!(
        page["data"]["clients"]["edges"].as_array().map(Vec::len),
        Some(30)
    );
}
