//! Client demographics under the Durham v1 rules: DEM-1..3, PROV-1, AUD-1, AUD-2, LOCK-1.
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{Coc, TestApp, error_code, error_rule, nodes};

const CHANGE: &str = "mutation($i: ChangeDemographicInput!) { changeClientDemographic(input: $i) {
    __typename
    ... on Client { version demographics { field value enteredByAgencyId documentationType } }
    ... on DataConflict { id field existingValue proposedValue existingEnteredByAgencyId status } } }";
const VIEW: &str = "query($id: UUID!) { client(id: $id) { hmisNumber version
    demographics { field value enteredByUserId enteredByAgencyId enteredAt access { action allowed rule reason planVersion } } } }";

/// A CoC with two agencies (A and B), a user in each, and a client entered by A's user.
struct Community {
    app: TestApp,
    data_center: String,
    user_a: String,
    user_b: String,
    user_a_id: String,
    user_b_id: String,
    agency_a: String,
    agency_b: String,
    client: String,
}

async fn community() -> Community {
    let coc = Coc::new().await;
    let (user_a, user_a_id) = coc.member("a@um.example", "USER", &coc.agency_a).await;
    let (user_b, user_b_id) = coc.member("b@hnh.example", "USER", &coc.agency_b).await;
    let client = coc
        .client(
            &user_a,
            json!({ "firstName": "John", "lastName": "Smith", "dob": "1980-07-01", "ssn": "123-45-6789" }),
        )
        .await;
    Community {
        app: coc.app,
        data_center: coc.data_center,
        user_a,
        user_b,
        user_a_id,
        user_b_id,
        agency_a: coc.agency_a,
        agency_b: coc.agency_b,
        client,
    }
}

fn field<'a>(client: &'a Value, name: &str) -> &'a Value {
    client["demographics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == name)
        .unwrap()
}

async fn change(
    c: &Community,
    token: &str,
    version: i64,
    field: &str,
    value: &str,
    documentation: Option<&str>,
) -> Value {
    let documentation = documentation.map(|d| json!({ "documentType": d }));
    c.app
        .gql(CHANGE, json!({ "i": { "clientId": c.client, "expectedVersion": version, "field": field, "value": value, "documentation": documentation } }), Some(token))
        .await
}

#[tokio::test]
async fn dem_1_a_sharing_agency_reads_shared_demographics_and_a_private_plan_hides_them() {
    let c = community().await;
    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    assert_eq!(
        field(&seen["data"]["client"], "FIRST_NAME")["value"],
        "John"
    );
    assert_eq!(
        field(&seen["data"]["client"], "SSN")["value"],
        "***-**-6789",
        "SSN shown masked"
    );
    let listed = c
        .app
        .gql(
            "{ clients { edges { node { access { action allowed rule planVersion } } } } }",
            json!({}),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        listed["data"]["clients"]["edges"][0]["node"]["access"],
        json!([{ "action": "view", "allowed": true, "rule": "DEM-1", "planVersion": 1 }])
    );

    let published = c
        .app
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
    // Kept inside agency A (DEM-1): B is answered exactly as for a client that does not
    // exist, so the answer does not confirm that it does; the audit log keeps the rule.
    let refused = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    let missing = c
        .app
        .gql(VIEW, json!({ "id": uuid::Uuid::now_v7() }), Some(&c.user_b))
        .await;
    assert_eq!(error_code(&refused), "NOT_FOUND", "{refused}");
    assert_eq!(
        refused["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
    assert_eq!(
        refused["errors"][0]["extensions"],
        missing["errors"][0]["extensions"]
    );
    assert!(refused["data"]["client"].is_null(), "{refused}");
    let audited = c
        .app
        .superuser()
        .await
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT count(*) AS n FROM audit_log WHERE action = 'client.view' AND rule = 'DEM-1' AND outcome = 'REFUSED' AND subject_id = '{}'", c.client),
        ))
        .await
        .unwrap();
    assert_eq!(audited.unwrap().try_get::<i64>("", "n").unwrap(), 1);
    let own = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    assert_eq!(
        own["data"]["client"]["hmisNumber"].as_str().map(str::len),
        Some(9)
    );
    let listed = c
        .app
        .gql(
            "{ clients { edges { node { id } } } }",
            json!({}),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        listed["data"]["clients"]["edges"],
        json!([]),
        "a private plan lists nothing of another agency"
    );
}

#[tokio::test]
async fn dem_2_override_needs_documentation_and_keeps_the_old_value_in_history() {
    let c = community().await;
    let documented = change(
        &c,
        &c.user_b,
        1,
        "DOB",
        "1980-07-08",
        Some("birth certificate"),
    )
    .await;
    let client = &documented["data"]["changeClientDemographic"];
    assert_eq!(client["__typename"], "Client", "{documented}");
    assert_eq!(client["version"], 2);
    assert_eq!(field(client, "DOB")["value"], "1980-07-08");
    assert_eq!(
        field(client, "DOB")["enteredByAgencyId"],
        c.agency_b.as_str()
    );
    assert_eq!(
        field(client, "DOB")["documentationType"],
        "birth certificate"
    );

    let db = c.app.superuser().await;
    let history = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT value::text AS v FROM client_field_values WHERE client_id = '{}' AND field = 'dob' ORDER BY id", c.client),
        ))
        .await
        .unwrap();
    let values: Vec<String> = history
        .iter()
        .map(|r| r.try_get::<String>("", "v").unwrap())
        .collect();
    assert_eq!(
        values,
        vec!["\"1980-07-01\"", "\"1980-07-08\""],
        "the old value stays in history"
    );
    // The agency that entered a value may change it without documentation.
    let own = change(&c, &c.user_b, 2, "DOB", "1980-07-09", None).await;
    assert_eq!(
        own["data"]["changeClientDemographic"]["__typename"],
        "Client"
    );
}

#[tokio::test]
async fn dem_3_an_undocumented_different_value_becomes_a_data_conflict() {
    let c = community().await;
    let oral = change(&c, &c.user_b, 1, "FIRST_NAME", "Jon", None).await;
    let conflict = &oral["data"]["changeClientDemographic"];
    assert_eq!(conflict["__typename"], "DataConflict", "{oral}");
    // Typed as the client's demographics are, not JSON inside a string.
    assert_eq!(conflict["field"], "FIRST_NAME");
    assert_eq!(conflict["existingValue"], "John");
    assert_eq!(conflict["proposedValue"], "Jon");
    assert_eq!(conflict["existingEnteredByAgencyId"], c.agency_a.as_str());
    assert_eq!(conflict["status"], "OPEN");

    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    assert_eq!(
        field(&seen["data"]["client"], "FIRST_NAME")["value"],
        "John",
        "the record is not overwritten"
    );
    assert_eq!(seen["data"]["client"]["version"], 1);
    let access = &field(&seen["data"]["client"], "FIRST_NAME")["access"];
    assert!(
        access
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["allowed"] == true),
        "agency A may edit its own value: {access}"
    );
    let seen_b = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    let undocumented = field(&seen_b["data"]["client"], "FIRST_NAME")["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "editWithoutDocumentation")
        .cloned()
        .unwrap();
    assert_eq!(undocumented["allowed"], false);
    assert_eq!(undocumented["rule"], "DEM-3");
    assert_eq!(undocumented["planVersion"], 1);
    let listed = c
        .app
        .gql(
            "query($c: UUID!) { dataConflicts(clientId: $c) { edges { node { field status } } } }",
            json!({ "c": c.client }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(
        nodes(&listed, "dataConflicts"),
        vec![json!({ "field": "FIRST_NAME", "status": "OPEN" })]
    );
}

#[tokio::test]
async fn prov_1_every_value_shows_who_entered_it_from_which_agency_and_when() {
    let c = community().await;
    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    let first = field(&seen["data"]["client"], "FIRST_NAME");
    assert_eq!(first["enteredByAgencyId"], c.agency_a.as_str());
    assert_eq!(first["enteredByUserId"], c.user_a_id.as_str());
    let entered_at = |entry: &Value| {
        entry["enteredAt"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .unwrap_or_else(|| panic!("{entry}"))
    };
    let created = entered_at(first);
    assert!(
        (chrono::Utc::now() - created.to_utc()).num_minutes() < 5,
        "entered just now: {first}"
    );

    // B's documented change makes B, of agency B, the value's enterer, later; the others stay A's.
    let changed = change(
        &c,
        &c.user_b,
        1,
        "FIRST_NAME",
        "Jon",
        Some("birth certificate"),
    )
    .await;
    assert!(changed["errors"].is_null(), "{changed}");
    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    let first = field(&seen["data"]["client"], "FIRST_NAME");
    assert_eq!(
        (&first["enteredByUserId"], &first["enteredByAgencyId"]),
        (&json!(c.user_b_id), &json!(c.agency_b)),
        "{first}"
    );
    assert!(entered_at(first) >= created, "{first}");
    let last = field(&seen["data"]["client"], "LAST_NAME");
    assert_eq!(last["enteredByUserId"], c.user_a_id.as_str(), "{last}");
}

/// PROV-1 by name: another agency's user sees who entered each value and from which agency,
/// by display name and agency name; a documented change names its enterer instead.
#[tokio::test]
async fn prov_1_names_who_entered_each_value_and_their_agency() {
    let c = community().await;
    const NAMES: &str = "query($id: UUID!) { client(id: $id) {
        demographics { field entered { user { id displayName } agency { id name } at } }
        provenance { entered { user { displayName } agency { name } } updated { user { id } } } } }";
    let names = |seen: &Value, field_name: &str| {
        let entered = &field(&seen["data"]["client"], field_name)["entered"];
        (
            entered["user"]["displayName"].clone(),
            entered["agency"]["name"].clone(),
            entered["user"]["id"].clone(),
        )
    };
    let seen = c
        .app
        .gql(NAMES, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    assert!(seen["errors"].is_null(), "{seen}");
    assert_eq!(
        names(&seen, "FIRST_NAME"),
        (
            json!("Staff a"),
            json!("Urban Ministries"),
            json!(c.user_a_id)
        ),
        "{seen}"
    );
    let client = &seen["data"]["client"]["provenance"];
    assert_eq!(client["entered"]["user"]["displayName"], "Staff a");
    assert_eq!(client["entered"]["agency"]["name"], "Urban Ministries");
    assert_eq!(
        client["updated"]["user"]["id"],
        c.user_a_id.as_str(),
        "{client}"
    );

    let changed = change(
        &c,
        &c.user_b,
        1,
        "FIRST_NAME",
        "Jon",
        Some("birth certificate"),
    )
    .await;
    assert!(changed["errors"].is_null(), "{changed}");
    let seen = c
        .app
        .gql(NAMES, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    assert_eq!(
        names(&seen, "FIRST_NAME"),
        (
            json!("Staff b"),
            json!("Housing for New Hope"),
            json!(c.user_b_id)
        )
    );
    assert_eq!(names(&seen, "LAST_NAME").0, json!("Staff a"));
    // The Data Center's own entries name no agency.
    let dc_client = c
        .app
        .gql(
            "mutation { createClient(input: { firstName: \"Dana\" }) { client { id } } }",
            json!({}),
            Some(&c.data_center),
        )
        .await;
    let id = dc_client["data"]["createClient"]["client"]["id"].clone();
    let seen = c
        .app
        .gql(NAMES, json!({ "id": id }), Some(&c.data_center))
        .await;
    let entered = &field(&seen["data"]["client"], "FIRST_NAME")["entered"];
    assert_eq!(entered["user"]["displayName"], "Data Lead", "{seen}");
    assert!(entered["agency"].is_null(), "{seen}");
}

/// HUD FY2026 4.21 Sex is a single-answer demographic with HUD's codes and data-quality
/// answers, under the same DEM rules as every other; 3.06 Gender stays as a local field.
#[tokio::test]
async fn hud_4_21_sex_is_a_single_answer_demographic_under_the_dem_rules() {
    let c = community().await;
    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    let client = &seen["data"]["client"];
    assert_eq!(
        field(client, "SEX")["value"],
        "99",
        "not collected yet: {seen}"
    );
    assert!(
        client["demographics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["field"] == "GENDER")
    );

    let bad = change(&c, &c.user_a, 1, "SEX", "2", None).await;
    assert_eq!(
        (
            error_code(&bad),
            bad["errors"][0]["extensions"]["field"].as_str()
        ),
        ("VALIDATION", Some("sex")),
        "{bad}"
    );
    let own = change(&c, &c.user_a, 1, "SEX", "0", None).await;
    assert_eq!(
        own["data"]["changeClientDemographic"]["version"], 2,
        "{own}"
    );
    // Another agency's oral answer is a data conflict (DEM-3), not a write.
    let oral = change(&c, &c.user_b, 2, "SEX", "8", None).await;
    assert_eq!(
        oral["data"]["changeClientDemographic"]["__typename"], "DataConflict",
        "{oral}"
    );
    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    let sex = field(&seen["data"]["client"], "SEX");
    assert_eq!(sex["value"], "0", "{seen}");
    assert_eq!(sex["enteredByAgencyId"], c.agency_a.as_str());
    let created = c
        .app
        .gql(
            "mutation { createClient(input: { firstName: \"Ana\", dob: \"1990-04-02\", sex: 1 }) { client { id demographics { field value
                typedValue { __typename ... on CodeValue { code } ... on DateValue { date } ... on TextValue { text } ... on CodeListValue { codes } } } } } }",
            json!({}),
            Some(&c.user_b),
        )
        .await;
    let created = &created["data"]["createClient"]["client"];
    assert_eq!(field(created, "SEX")["value"], "1", "{created}");
    // The same values as what they are, nothing to parse.
    assert_eq!(
        field(created, "SEX")["typedValue"],
        json!({ "__typename": "CodeValue", "code": 1 })
    );
    assert_eq!(
        field(created, "DOB")["typedValue"],
        json!({ "__typename": "DateValue", "date": "1990-04-02" })
    );
    assert_eq!(
        field(created, "FIRST_NAME")["typedValue"],
        json!({ "__typename": "TextValue", "text": "Ana" })
    );
    assert_eq!(
        field(created, "RACE_ETHNICITY")["typedValue"],
        json!({ "__typename": "CodeListValue", "codes": [] })
    );
    assert_eq!(field(created, "MIDDLE_NAME")["typedValue"], Value::Null);
}

#[tokio::test]
async fn lock_1_a_stale_demographic_write_is_refused_with_the_current_values() {
    let c = community().await;
    assert_eq!(
        change(&c, &c.user_a, 1, "LAST_NAME", "Smyth", None).await["data"]["changeClientDemographic"]
            ["version"],
        2
    );
    let stale = change(&c, &c.user_a, 1, "LAST_NAME", "Smithe", None).await;
    assert_eq!(error_code(&stale), "CONFLICT");
    assert_eq!(stale["errors"][0]["extensions"]["current"]["version"], 2);
    assert_eq!(
        stale["errors"][0]["extensions"]["current"]["value"],
        "Smyth"
    );
}

#[tokio::test]
async fn aud_1_writes_and_refusals_are_audited_and_aud_2_reads_are_recorded() {
    let c = community().await;
    c.app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    c.app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    let views = c
        .app
        .gql(
            "query($c: UUID!) { clientViews(clientId: $c) { edges { node { viewerAgencyId } } } }",
            json!({ "c": c.client }),
            Some(&c.data_center),
        )
        .await;
    let seen = nodes(&views, "clientViews");
    assert_eq!(seen.len(), 2, "{views}");
    assert_eq!(seen[0]["viewerAgencyId"], c.agency_b.as_str());
    let not_dc = c
        .app
        .gql(
            "query($c: UUID!) { clientViews(clientId: $c) { edges { node { viewerAgencyId } } } }",
            json!({ "c": c.client }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(error_rule(&not_dc), "AUD-2");

    change(&c, &c.user_b, 1, "FIRST_NAME", "Jon", None).await;
    // A refused write (a stale version, LOCK-1) is audited as refused, with who and the rule.
    let stale = change(&c, &c.user_b, 99, "LAST_NAME", "Smyth", None).await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    let db = c.app.superuser().await;
    let count = |sql: String| {
        let db = &db;
        async move {
            db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
        }
    };
    assert_eq!(
        count("SELECT count(*) AS n FROM audit_log WHERE action = 'client.create'".into()).await,
        1
    );
    assert_eq!(count("SELECT count(*) AS n FROM audit_log WHERE action = 'client.data_conflict' AND detail->>'rule' = 'DEM-3'".into()).await, 1);
    assert_eq!(
        count(format!(
            "SELECT count(*) AS n FROM audit_log WHERE action = 'client.change' AND outcome = 'REFUSED' \
             AND rule = 'LOCK-1' AND actor_user_id = '{}' AND subject_id = '{}'",
            c.user_b_id, c.client
        ))
        .await,
        1
    );
    // Nothing in the audit log holds the SSN.
    assert_eq!(count("SELECT count(*) AS n FROM audit_log WHERE detail::text LIKE '%123456789%' OR detail::text LIKE '%123-45%'".into()).await, 0);
    for (sql, operation, table) in [
        ("DELETE FROM client_views", "DELETE", "client_views"),
        (
            "UPDATE client_field_values SET value = '\"x\"'",
            "UPDATE",
            "client_field_values",
        ),
        ("DELETE FROM clients", "DELETE", "clients"),
    ] {
        crate::helpers::refused_as_append_only(db.execute_unprepared(sql).await, operation, table);
    }
    let ciphertext = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT ssn_ciphertext AS s FROM clients",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "s")
        .unwrap();
    assert!(!ciphertext.contains("6789"), "the SSN is stored encrypted");
}

/// Where each view of a client log showed it, newest first.
fn shown_in(views: &Value) -> Vec<String> {
    nodes(views, "clientViews")
        .iter()
        .map(|v| v["shownIn"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// AUD-2: a list of clients and a search show names and dates of birth as a profile does, so
/// each is in the view log with where it showed the client; one insert per request, however
/// many clients it shows.
#[tokio::test]
async fn aud_2_lists_and_searches_are_recorded_with_where_they_showed_the_client() {
    let c = community().await;
    const LIST: &str = "{ clients { edges { node { id } } } }";
    let listed_by_b = || c.app.gql(LIST, json!({}), Some(&c.user_b));
    // A first request may also touch the session or read the plan into the process's cache.
    listed_by_b().await;
    let before = c.app.state.db_queries.get();
    let one = listed_by_b().await;
    let one_costs = c.app.state.db_queries.get() - before;
    assert_eq!(
        one["data"]["clients"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
    let created = c
        .app
        .gql(
            "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
            json!({ "i": { "firstName": "Jane", "lastName": "Smith", "dob": "1982-03-04" } }),
            Some(&c.user_a),
        )
        .await;
    let other = created["data"]["createClient"]["client"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let before = c.app.state.db_queries.get();
    let two = listed_by_b().await;
    let two_cost = c.app.state.db_queries.get() - before;
    assert_eq!(
        two["data"]["clients"]["edges"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        two_cost, one_costs,
        "one insert for the page, not one per client"
    );

    let found = c
        .app
        .gql(
            "{ searchClients(query: \"Smith\") { edges { node { client { id } } } } }",
            json!({}),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        found["data"]["searchClients"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{found}"
    );
    c.app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_b))
        .await;

    let views_of = |client: String| {
        c.app.gql(
            "query($c: UUID!) { clientViews(clientId: $c, first: 50) { edges { node { viewerUserId viewerAgencyId shownIn } } } }",
            json!({ "c": client }),
            Some(&c.data_center),
        )
    };
    let views = views_of(c.client.clone()).await;
    let shown = shown_in(&views);
    // Newest first: the profile, the search, then the three lists.
    assert_eq!(shown, ["PROFILE", "SEARCH", "LIST", "LIST", "LIST"]);
    assert!(
        nodes(&views, "clientViews")
            .iter()
            .all(|v| v["viewerAgencyId"] == c.agency_b.as_str()),
        "{views}"
    );
    let views = views_of(other).await;
    let shown = shown_in(&views);
    assert_eq!(shown, ["SEARCH", "LIST"], "{views}");
}

/// DEM-2: the access block says an override of another agency's value is allowed on written
/// documentation, so the console asks for it; one's own value has no condition.
#[tokio::test]
async fn dem_2_access_says_an_override_is_allowed_with_documentation() {
    let c = community().await;
    const DEMOGRAPHICS: &str = "query($id: UUID!) { client(id: $id) { demographics { field
        access { action allowed rule reason conditions } } } }";
    let first_name_edit = |seen: &Value| {
        seen["data"]["client"]["demographics"]
            .as_array()
            .and_then(|d| d.iter().find(|f| f["field"] == "FIRST_NAME"))
            .and_then(|f| f["access"].as_array())
            .and_then(|a| a.iter().find(|p| p["action"] == "editWithDocumentation"))
            .cloned()
            .unwrap_or_else(|| panic!("{seen}"))
    };
    let by_b = c
        .app
        .gql(DEMOGRAPHICS, json!({ "id": c.client }), Some(&c.user_b))
        .await;
    let edit = first_name_edit(&by_b);
    assert_eq!(
        (&edit["allowed"], &edit["rule"], &edit["conditions"]),
        (
            &json!(true),
            &json!("DEM-2"),
            &json!(["WRITTEN_DOCUMENTATION"])
        ),
        "{edit}"
    );
    assert!(
        edit["reason"]
            .as_str()
            .is_some_and(|r| r.contains("documentation")),
        "{edit}"
    );
    let by_a = c
        .app
        .gql(DEMOGRAPHICS, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    let own = first_name_edit(&by_a);
    assert_eq!(
        (&own["allowed"], &own["conditions"], &own["reason"]),
        (&json!(true), &json!([]), &json!("")),
        "{own}"
    );
}

#[tokio::test]
async fn explain_answers_before_acting_with_the_rule_and_plan_version() {
    let c = community().await;
    let ask = |token: String, action: &'static str| {
        let app = &c.app;
        let client = c.client.clone();
        async move {
            app.gql(
                "query($a: RecordAction!, $r: UUID!) { explain(action: $a, recordId: $r, field: DOB) { action allowed rule reason planVersion } }",
                json!({ "a": action, "r": client }),
                Some(&token),
            )
            .await
        }
    };
    let refused = ask(c.user_b.clone(), "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION").await;
    assert_eq!(refused["data"]["explain"]["allowed"], false, "{refused}");
    assert_eq!(refused["data"]["explain"]["rule"], "DEM-3");
    assert_eq!(
        refused["data"]["explain"]["action"], "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION",
        "the action as the schema spells it"
    );
    assert_eq!(refused["data"]["explain"]["planVersion"], 1);
    assert!(
        !refused["data"]["explain"]["reason"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    let allowed = ask(c.user_b.clone(), "CHANGE_DEMOGRAPHIC_WITH_DOCUMENTATION").await;
    assert_eq!(allowed["data"]["explain"]["allowed"], true);
    assert_eq!(allowed["data"]["explain"]["rule"], "DEM-2");
    let own = ask(c.user_a.clone(), "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION").await;
    assert_eq!(own["data"]["explain"]["allowed"], true);
    // Asking changes nothing.
    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    assert_eq!(seen["data"]["client"]["version"], 1);
    let _ = (&c.agency_b, &c.data_center);
}

/// An SSN sealed before ciphertexts were bound to their client is re-sealed for its client at
/// start-up, and opens for that client and tenant only.
#[tokio::test]
async fn ssns_stored_unbound_are_resealed_for_their_client_and_tenant() {
    use aes_gcm::aead::{Aead, KeyInit};
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use domain::records::ssn::{SsnOwner, rebind_unbound};

    let c = community().await;
    let db = c.app.superuser().await;
    // The old format: base64 of nonce and ciphertext, no associated data.
    let key = STANDARD
        .decode(
            std::fs::read_to_string(c.app.data_dir.join("ssn-key"))
                .unwrap()
                .trim(),
        )
        .unwrap();
    let nonce = [7u8; 12];
    let mut legacy = nonce.to_vec();
    legacy.extend(
        aes_gcm::Aes256Gcm::new_from_slice(&key)
            .unwrap()
            .encrypt(&aes_gcm::Nonce::from(nonce), b"123456789".as_slice())
            .unwrap(),
    );
    let legacy = STANDARD.encode(legacy);
    db.execute_unprepared(&format!(
        "UPDATE clients SET ssn_ciphertext = '{legacy}' WHERE id = '{}'",
        c.client
    ))
    .await
    .unwrap();

    let rebound = rebind_unbound(&c.app.state.db, &c.app.state.ssn)
        .await
        .unwrap();
    assert_eq!(rebound, 1);
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT ssn_ciphertext AS s, tenant_id::text AS t FROM clients WHERE id = '{}'",
                c.client
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    let sealed = row.try_get::<String>("", "s").unwrap();
    let owner = SsnOwner {
        tenant_id: row.try_get::<String>("", "t").unwrap().parse().unwrap(),
        client_id: c.client.parse().unwrap(),
    };
    assert!(sealed.starts_with("v2:"), "{sealed}");
    assert_eq!(
        c.app.state.ssn.decrypt(&sealed, owner).unwrap(),
        "123456789"
    );
    let elsewhere = SsnOwner {
        client_id: uuid::Uuid::new_v4(),
        ..owner
    };
    assert!(c.app.state.ssn.decrypt(&sealed, elsewhere).is_err());
    // Done once: nothing is left to re-seal.
    assert_eq!(
        rebind_unbound(&c.app.state.db, &c.app.state.ssn)
            .await
            .unwrap(),
        0
    );
}

/// LOCK-1: writers who all read version 1 change the same client at once; the database lets
/// exactly one through and refuses the rest with the current values.
#[tokio::test]
async fn lock_1_concurrent_changes_at_one_version_let_exactly_one_through() {
    let c = community().await;
    let names = ["Ana", "Bea", "Cal", "Dan", "Eve", "Fay", "Gus", "Hal"];
    let attempts = futures_util::future::join_all(
        names
            .iter()
            .map(|name| change(&c, &c.user_a, 1, "FIRST_NAME", name, None)),
    );
    let outcomes =
        crate::helpers::race_on_row(&c.app, "clients", &c.client, names.len(), attempts).await;
    crate::helpers::assert_one_won(&outcomes, |o| {
        o["data"]["changeClientDemographic"]["__typename"] == "Client"
    });
    let seen = c
        .app
        .gql(VIEW, json!({ "id": c.client }), Some(&c.user_a))
        .await;
    assert_eq!(seen["data"]["client"]["version"], 2, "{seen}");
    let db = c.app.superuser().await;
    let history = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT count(*) AS n FROM client_field_values WHERE client_id = '{}' AND field = 'first_name'", c.client),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(history, 2, "the first value and the one change that won");
    // Each lost race is refused and audited like any other refusal.
    let audited = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT count(*) AS n FROM audit_log WHERE subject_id = '{}' AND outcome = 'REFUSED' AND rule = 'LOCK-1'", c.client),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(audited, i64::try_from(names.len() - 1).unwrap());
}
