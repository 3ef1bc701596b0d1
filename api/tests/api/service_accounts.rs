//! Service accounts (issue 10): the Data Center makes one for an integration (`SVC-1`); it
//! exchanges its client id and secret for an access token (OAuth 2.0 client credentials, at
//! `/oauth/token` and in GraphQL), acts within its role and scopes (`SVC-2`) under its own
//! name in the audit log, never does what only a person does (`SVC-3`), and stops working at
//! once — on every API process — when its secret is rotated or it is revoked.
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::clock::{SystemClock, TestClock};
use serde_json::{Value, json};

use crate::helpers::{Coc, Store, TestApp, error_code, error_rule, spawn};
use crate::processes::ConcordProcess;

const CREATE: &str = "mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) \
    { clientId clientSecret serviceAccount { id name role scopes requestsPerMinute revokedAt } } }";
const ROTATE: &str = "mutation($i: ServiceAccountInput!) { rotateServiceAccountSecret(input: $i) \
    { clientId clientSecret } }";
const REVOKE: &str = "mutation($i: ServiceAccountInput!) { revokeServiceAccount(input: $i) \
    { serviceAccount { id revokedAt } } }";
const LIST: &str =
    "{ serviceAccounts { edges { node { id name scopes lastTokenAt revokedAt } } } }";
const CREATE_CLIENT: &str = "mutation { createClient(input: { firstName: \"Sync\", lastName: \"Test\" }) { client { id } } }";
const SEARCH: &str = "{ clients(first: 5) { edges { node { id } } } }";
const REFUSALS: &str = "query($a: UUID!) { auditLog(filter: { actorUserId: $a }) { edges { node \
    { action outcome rule actor { user { id displayName } } } } } }";

/// Client credentials the Data Center was handed for a new account.
struct Credentials {
    id: String,
    secret: String,
}

fn in_a_month(app: &TestApp) -> DateTime<Utc> {
    app.state.clock.now() + Duration::days(30)
}

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(CREATE, json!({ "i": input }), Some(token)).await
}

/// A Data Center account named `name` with `scopes` (`null`: all of its role).
async fn data_center_account(app: &TestApp, token: &str, name: &str, scopes: Value) -> Credentials {
    let created = create(
        app,
        token,
        json!({ "name": name, "role": "DATA_CENTER", "scopes": scopes, "expiresAt": in_a_month(app) }),
    )
    .await;
    credentials_of(&created["data"]["createServiceAccount"], &created)
}

fn credentials_of(payload: &Value, response: &Value) -> Credentials {
    Credentials {
        id: payload["clientId"]
            .as_str()
            .unwrap_or_else(|| panic!("no credentials: {response}"))
            .to_owned(),
        secret: payload["clientSecret"]
            .as_str()
            .unwrap_or_else(|| panic!("no secret: {response}"))
            .to_owned(),
    }
}

/// `POST /oauth/token` with HTTP Basic.
async fn oauth_response(app: &TestApp, credentials: &Credentials) -> reqwest::Response {
    app.client
        .post(format!("{}/oauth/token", app.address))
        .basic_auth(&credentials.id, Some(&credentials.secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("send")
}

/// `POST /oauth/token` with HTTP Basic: the status and the JSON answer.
async fn oauth_token(app: &TestApp, credentials: &Credentials) -> (u16, Value) {
    let response = oauth_response(app, credentials).await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

/// The audit log's entries that the account of `credentials` caused, as `reader` sees them.
async fn audited(app: &TestApp, credentials: &Credentials, reader: &str) -> Vec<Value> {
    let log = app
        .gql(REFUSALS, json!({ "a": credentials.id }), Some(reader))
        .await;
    log["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{log}"))
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

async fn token(app: &TestApp, credentials: &Credentials) -> String {
    let (status, body) = oauth_token(app, credentials).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn svc_1_only_the_data_center_creates_service_accounts_and_sees_the_secret_once() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let (admin, _) = coc
        .member("admin@a.example", "AGENCY_ADMIN", &coc.agency_a)
        .await;
    let refused = create(
        app,
        &admin,
        json!({ "name": "Warehouse", "role": "AGENCY_ADMIN", "agencyId": coc.agency_a, "expiresAt": in_a_month(app) }),
    )
    .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(error_rule(&refused), "SVC-1");

    let created = create(
        app,
        &coc.data_center,
        json!({ "name": "Warehouse", "role": "USER", "agencyId": coc.agency_a,
                "scopes": ["CLIENTS_READ", "SERVICES_WRITE"], "expiresAt": in_a_month(app),
                "requestsPerMinute": 120 }),
    )
    .await;
    let payload = &created["data"]["createServiceAccount"];
    let credentials = credentials_of(payload, &created);
    assert_eq!(payload["serviceAccount"]["role"], "USER");
    assert_eq!(
        payload["serviceAccount"]["scopes"],
        json!(["CLIENTS_READ", "SERVICES_WRITE"])
    );
    assert_eq!(payload["serviceAccount"]["requestsPerMinute"], 120);
    assert_eq!(credentials.id, payload["serviceAccount"]["id"]);

    // Listed without any secret; stored only as a hash.
    let listed = app.gql(LIST, json!({}), Some(&coc.data_center)).await;
    let nodes = &listed["data"]["serviceAccounts"]["edges"];
    assert_eq!(nodes[0]["node"]["name"], "Warehouse", "{listed}");
    assert!(!listed.to_string().contains(&credentials.secret));
    let listed_by_admin = app.gql(LIST, json!({}), Some(&admin)).await;
    assert_eq!(error_rule(&listed_by_admin), "SVC-1");
    let db = app.superuser().await;
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT secret_hash FROM service_accounts",
        ))
        .await
        .expect("query")
        .expect("a row");
    let hash: String = row.try_get("", "secret_hash").expect("the hash");
    assert!(!hash.is_empty() && !credentials.secret.contains(&hash) && hash != credentials.secret);
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_creates_nothing() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let past = app.state.clock.now() - Duration::minutes(1);
    let too_late = app.state.clock.now() + Duration::days(400);
    for (input, field) in [
        (
            json!({ "name": "X", "role": "DATA_CENTER", "expiresAt": past }),
            "expiresAt",
        ),
        (
            json!({ "name": "X", "role": "DATA_CENTER", "expiresAt": too_late }),
            "expiresAt",
        ),
        (
            json!({ "name": " ", "role": "DATA_CENTER", "expiresAt": in_a_month(app) }),
            "name",
        ),
        (
            json!({ "name": "X", "role": "USER", "expiresAt": in_a_month(app) }),
            "agencyId",
        ),
        (
            json!({ "name": "X", "role": "DATA_CENTER", "agencyId": coc.agency_a, "expiresAt": in_a_month(app) }),
            "agencyId",
        ),
        (
            json!({ "name": "X", "role": "DATA_CENTER", "scopes": [], "expiresAt": in_a_month(app) }),
            "scopes",
        ),
        (
            json!({ "name": "X", "role": "DATA_CENTER", "requestsPerMinute": 0, "expiresAt": in_a_month(app) }),
            "requestsPerMinute",
        ),
    ] {
        let refused = create(app, &coc.data_center, input.clone()).await;
        assert_eq!(error_code(&refused), "VALIDATION", "{input}: {refused}");
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], field,
            "{input}"
        );
    }
    let listed = app.gql(LIST, json!({}), Some(&coc.data_center)).await;
    assert_eq!(listed["data"]["serviceAccounts"]["edges"], json!([]));
}

/// The exchange, the account acting, and its name in the audit log — on `store`.
async fn acts_under_its_own_name(store: Store) {
    let app = spawn(store, |_| {}, Arc::new(SystemClock)).await;
    let tenant = app.sign_up("nc-svc").await;
    let credentials =
        data_center_account(&app, &tenant.token, "Nightly warehouse sync", Value::Null).await;

    let (status, issued) = oauth_token(&app, &credentials).await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["token_type"], "Bearer");
    assert_eq!(issued["expires_in"], 900);
    assert_eq!(issued["scope"], Value::Null, "all of its role");
    let token = issued["access_token"].as_str().expect("a token");

    // The same exchange in GraphQL.
    let exchanged = app
        .gql(
            "mutation($i: ServiceAccountTokenInput!) { serviceAccountToken(input: $i) { accessToken scopes } }",
            json!({ "i": { "clientId": credentials.id, "clientSecret": credentials.secret } }),
            None,
        )
        .await;
    assert!(
        exchanged["data"]["serviceAccountToken"]["accessToken"].is_string(),
        "{exchanged}"
    );

    let client = app.gql(CREATE_CLIENT, json!({}), Some(token)).await;
    let client_id = client["data"]["createClient"]["client"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the account could not create a client: {client}"));

    let entries = audited(&app, &credentials, &tenant.token).await;
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"client.create"), "{actions:?}");
    assert!(actions.contains(&"service_account.token"), "{actions:?}");
    for entry in &entries {
        assert_eq!(entry["actor"]["user"]["id"], credentials.id.as_str());
        assert_eq!(
            entry["actor"]["user"]["displayName"],
            "Nightly warehouse sync"
        );
    }
    assert!(!client_id.is_empty());
}

#[tokio::test]
async fn a_service_account_acts_under_its_own_name_on_postgres() {
    acts_under_its_own_name(Store::Postgres).await;
}

#[tokio::test]
async fn a_service_account_acts_under_its_own_name_on_the_embedded_default() {
    acts_under_its_own_name(Store::Embedded).await;
}

#[tokio::test]
async fn svc_2_scopes_narrow_the_role_and_refusals_are_audited_under_its_name() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let credentials = data_center_account(
        app,
        &coc.data_center,
        "Read-only reports",
        json!(["CLIENTS_READ"]),
    )
    .await;
    let (_, issued) = oauth_token(app, &credentials).await;
    assert_eq!(issued["scope"], "CLIENTS_READ");
    let token = issued["access_token"].as_str().expect("a token");

    let read = app.gql(SEARCH, json!({}), Some(token)).await;
    assert!(read["data"]["clients"]["edges"].is_array(), "{read}");

    // Its role (the Data Center's) would allow these; its scopes do not: a write, a read of
    // another kind of record, and the audit log.
    let client = coc
        .client(&coc.data_center, json!({ "firstName": "Dana" }))
        .await;
    let notes =
        format!("{{ clientNotes(clientId: \"{client}\") {{ edges {{ node {{ id }} }} }} }}");
    for query in [
        CREATE_CLIENT,
        notes.as_str(),
        "{ auditLog { edges { node { id } } } }",
    ] {
        let refused = app.gql(query, json!({}), Some(token)).await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{query}: {refused}");
        assert_eq!(error_rule(&refused), "SVC-2", "{refused}");
        assert!(refused["data"].is_null() || refused["data"]["createClient"]["client"].is_null());
    }
    let clients = app.gql(SEARCH, json!({}), Some(&coc.data_center)).await;
    assert_eq!(
        clients["data"]["clients"]["edges"].as_array().map(Vec::len),
        Some(1),
        "the refused write wrote nothing: {clients}"
    );

    let refusals: Vec<Value> = audited(app, &credentials, &coc.data_center)
        .await
        .into_iter()
        .filter(|n| n["outcome"] == "REFUSED")
        .collect();
    assert_eq!(refusals.len(), 3, "{refusals:?}");
    for refusal in refusals {
        assert_eq!(refusal["rule"], "SVC-2");
        assert_eq!(refusal["action"], "service_account.scope");
        assert_eq!(refusal["actor"]["user"]["displayName"], "Read-only reports");
    }
}

#[tokio::test]
async fn svc_3_a_service_account_does_not_do_what_only_a_person_does() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let credentials = data_center_account(app, &coc.data_center, "Sync", Value::Null).await;
    let token = token(app, &credentials).await;
    let expiry = in_a_month(app);
    for (query, variables) in [
        ("{ me { id } }", json!({})),
        ("mutation { logout }", json!({})),
        ("mutation { beginTotpEnrolment { secret } }", json!({})),
        (
            "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token } } }",
            json!({ "i": { "email": "new@a.example", "role": "USER", "agencyId": coc.agency_a } }),
        ),
        (
            CREATE,
            json!({ "i": { "name": "Another", "role": "DATA_CENTER", "expiresAt": expiry } }),
        ),
        (ROTATE, json!({ "i": { "id": credentials.id } })),
        (REVOKE, json!({ "i": { "id": credentials.id } })),
        (
            "mutation($i: ConfirmSecondFactorInput!) { confirmSecondFactor(input: $i) { checkedAt } }",
            json!({ "i": { "code": "123456" } }),
        ),
        (
            "mutation($i: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $i) { secret } }",
            json!({ "i": { "url": "https://example.org/hook", "events": ["CASE_OPENED"] } }),
        ),
    ] {
        let refused = app.gql(query, variables, Some(&token)).await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{query}: {refused}");
        assert_eq!(error_rule(&refused), "SVC-3", "{query}: {refused}");
    }
    let listed = app.gql(LIST, json!({}), Some(&coc.data_center)).await;
    let nodes = listed["data"]["serviceAccounts"]["edges"]
        .as_array()
        .expect("a list");
    assert_eq!(nodes.len(), 1, "it made no account: {listed}");

    // What it tried to change is audited under its name; who it is and signing out are not.
    let entries = audited(app, &credentials, &coc.data_center).await;
    let mut refused: Vec<&str> = entries
        .iter()
        .filter(|n| n["outcome"] == "REFUSED")
        .inspect(|n| {
            assert_eq!(n["rule"], "SVC-3", "{n}");
            assert_eq!(n["actor"]["user"]["displayName"], "Sync", "{n}");
        })
        .filter_map(|n| n["action"].as_str())
        .collect();
    refused.sort_unstable();
    assert_eq!(
        refused,
        [
            "second_factor.check",
            "service_account.create",
            "service_account.revoke",
            "service_account.rotate",
            "user.invite",
            "webhook.register",
        ],
        "{entries:?}"
    );
}

/// `SVC-2` in the `access` blocks: what a service account's scopes leave out is shown refused
/// with the scope's rule, so an integration is never offered what the server would refuse.
#[tokio::test]
async fn svc_2_access_blocks_show_what_the_scopes_leave_out() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let client = coc
        .client(&coc.data_center, json!({ "firstName": "Dana" }))
        .await;
    // Someone whose role the Data Center may change, and whom it may deactivate.
    app.add_user(
        &coc.data_center,
        "durham",
        "staff@a.example",
        "USER",
        Some(&coc.agency_a),
    )
    .await;
    let read_only = data_center_account(
        app,
        &coc.data_center,
        "Read-only reports",
        json!(["CLIENTS_READ", "PEOPLE_READ"]),
    )
    .await;
    let writer = data_center_account(
        app,
        &coc.data_center,
        "Intake sync",
        json!([
            "CLIENTS_READ",
            "CLIENTS_WRITE",
            "PEOPLE_READ",
            "PEOPLE_WRITE"
        ]),
    )
    .await;
    let query = format!(
        "{{ client(id: \"{client}\") {{ version access {{ action allowed rule }} \
         demographics {{ field access {{ action allowed rule }} }} }} \
         users {{ edges {{ node {{ email access {{ action allowed rule }} }} }} }} }}"
    );
    let entries = |body: &Value, pointer: &str| -> Vec<(String, bool, String)> {
        body.pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no {pointer}: {body}"))
            .iter()
            .map(|p| {
                (
                    p["action"].as_str().unwrap_or_default().to_owned(),
                    p["allowed"].as_bool().unwrap_or_default(),
                    p["rule"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let every_user = |body: &Value| -> Vec<(String, bool, String)> {
        let users = body["data"]["users"]["edges"]
            .as_array()
            .map_or(0, Vec::len);
        assert!(users > 1, "{body}");
        (0..users)
            .flat_map(|i| entries(body, &format!("/data/users/edges/{i}/node/access")))
            .collect()
    };

    let reader = token(app, &read_only).await;
    let seen = app.gql(&query, json!({}), Some(&reader)).await;
    assert_eq!(
        entries(&seen, "/data/client/access"),
        [("view".to_owned(), true, "DEM-1".to_owned())],
        "{seen}"
    );
    let edits = entries(&seen, "/data/client/demographics/0/access");
    assert_eq!(edits.len(), 2, "{seen}");
    for (action, allowed, rule) in &edits {
        assert!(!allowed, "{action} offered outside the scopes: {seen}");
        assert_eq!(rule, "SVC-2", "{action}: {seen}");
    }
    for (action, allowed, rule) in every_user(&seen) {
        assert!(!allowed && rule == "SVC-2", "{action}: {seen}");
    }

    // With the scopes, the same role is offered what the plan and the role rules allow.
    let writer = token(app, &writer).await;
    let seen = app.gql(&query, json!({}), Some(&writer)).await;
    let edits = entries(&seen, "/data/client/demographics/0/access");
    assert!(
        edits
            .iter()
            .any(|(action, allowed, rule)| action == "editWithDocumentation"
                && *allowed
                && rule == "DEM-2"),
        "{seen}"
    );
    let managed = every_user(&seen);
    assert!(managed.iter().all(|(_, _, rule)| rule != "SVC-2"), "{seen}");
    assert!(managed.iter().any(|(_, allowed, _)| *allowed), "{seen}");

    // The server refuses what the block refused, with the same rule.
    let field = seen["data"]["client"]["demographics"][0]["field"].clone();
    let change = app
        .gql(
            "mutation($i: ChangeDemographicInput!) { changeClientDemographic(input: $i) \
             { __typename } }",
            json!({ "i": { "clientId": client, "field": field, "value": "Dee",
                "expectedVersion": seen["data"]["client"]["version"],
                "documentation": { "documentType": "birth certificate" } } }),
            Some(&reader),
        )
        .await;
    assert_eq!(error_rule(&change), "SVC-2", "{change}");
}

#[tokio::test]
async fn rotation_and_revocation_refuse_old_tokens_at_once_on_every_api_process() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let other_process = ConcordProcess::api(app, &[]).await;
    let first = data_center_account(app, &coc.data_center, "Sync", Value::Null).await;
    let old_token = token(app, &first).await;
    let ok = other_process.gql(SEARCH, json!({}), Some(&old_token)).await;
    assert!(ok["data"]["clients"].is_object(), "{ok}");

    let rotated = app
        .gql(
            ROTATE,
            json!({ "i": { "id": first.id } }),
            Some(&coc.data_center),
        )
        .await;
    let second = credentials_of(&rotated["data"]["rotateServiceAccountSecret"], &rotated);
    assert_ne!(second.secret, first.secret);
    let refused = other_process.gql(SEARCH, json!({}), Some(&old_token)).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
    let (status, answer) = oauth_token(app, &first).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("invalid_client"))
    );

    let new_token = token(app, &second).await;
    let ok = other_process.gql(SEARCH, json!({}), Some(&new_token)).await;
    assert!(ok["data"]["clients"].is_object(), "{ok}");

    let revoked = app
        .gql(
            REVOKE,
            json!({ "i": { "id": first.id } }),
            Some(&coc.data_center),
        )
        .await;
    assert!(
        revoked["data"]["revokeServiceAccount"]["serviceAccount"]["revokedAt"].is_string(),
        "{revoked}"
    );
    let refused = other_process.gql(SEARCH, json!({}), Some(&new_token)).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
    let (status, _) = oauth_token(app, &second).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn wrong_credentials_and_grants_get_the_oauth_errors() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let credentials = data_center_account(app, &coc.data_center, "Sync", Value::Null).await;
    let wrong_secret = Credentials {
        id: credentials.id.clone(),
        secret: format!("{}x", credentials.secret),
    };
    let response = oauth_response(app, &wrong_secret).await;
    assert_eq!(response.status().as_u16(), 401);
    assert!(
        response.headers().contains_key("www-authenticate"),
        "RFC 6749 §5.2: the scheme to authenticate by"
    );
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["error"], "invalid_client");
    let unknown = Credentials {
        id: uuid::Uuid::now_v7().to_string(),
        secret: credentials.secret.clone(),
    };
    let (status, unknown_answer) = oauth_token(app, &unknown).await;
    assert_eq!(status, 401);
    assert_eq!(
        unknown_answer, answer,
        "the same answer whether the account exists or not"
    );

    let response = app
        .client
        .post(format!("{}/oauth/token", app.address))
        .form(&[
            ("grant_type", "password"),
            ("client_id", credentials.id.as_str()),
            ("client_secret", credentials.secret.as_str()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "unsupported_grant_type");

    // Credentials in the body work as well as HTTP Basic.
    let response = app
        .client
        .post(format!("{}/oauth/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", credentials.id.as_str()),
            ("client_secret", credentials.secret.as_str()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["cache-control"].to_str().ok(),
        Some("no-store")
    );
}

#[tokio::test]
async fn each_service_account_has_its_own_rate_limit() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let created = create(
        app,
        &coc.data_center,
        json!({ "name": "Chatty", "role": "DATA_CENTER", "expiresAt": in_a_month(app), "requestsPerMinute": 3 }),
    )
    .await;
    let chatty = token(
        app,
        &credentials_of(&created["data"]["createServiceAccount"], &created),
    )
    .await;
    let quiet = data_center_account(app, &coc.data_center, "Quiet", Value::Null).await;
    let quiet = token(app, &quiet).await;
    for _ in 0..3 {
        let ok = app.gql(SEARCH, json!({}), Some(&chatty)).await;
        assert!(ok["data"]["clients"].is_object(), "{ok}");
    }
    let limited = app.gql(SEARCH, json!({}), Some(&chatty)).await;
    assert_eq!(error_code(&limited), "RATE_LIMITED", "{limited}");
    assert!(limited["errors"][0]["extensions"]["retryAfterSeconds"].is_u64());
    let other = app.gql(SEARCH, json!({}), Some(&quiet)).await;
    assert!(
        other["data"]["clients"].is_object(),
        "another account is not slowed: {other}"
    );
}

#[tokio::test]
async fn an_expired_service_account_gets_no_token_and_its_tokens_stop() {
    let start = DateTime::parse_from_rfc3339("2026-06-01T09:00:00Z")
        .expect("a time")
        .to_utc();
    let clock = Arc::new(TestClock::new(start));
    let app = spawn(Store::Postgres, |_| {}, clock.clone()).await;
    let tenant = app.sign_up("nc-expiry").await;
    let created = create(
        &app,
        &tenant.token,
        json!({ "name": "Short-lived", "role": "DATA_CENTER", "expiresAt": start + Duration::minutes(10) }),
    )
    .await;
    let credentials = credentials_of(&created["data"]["createServiceAccount"], &created);
    let token = token(&app, &credentials).await;
    let ok = app.gql(SEARCH, json!({}), Some(&token)).await;
    assert!(ok["data"]["clients"].is_object(), "{ok}");
    // Past the account's expiry, within the token's own 15 minutes.
    clock.set(start + Duration::minutes(11));
    let refused = app.gql(SEARCH, json!({}), Some(&token)).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
    let (status, _) = oauth_token(&app, &credentials).await;
    assert_eq!(status, 401);
}
