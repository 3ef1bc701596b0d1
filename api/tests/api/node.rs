//! Relay global object identification (issue 10): every object with its own id implements
//! `Node`, and `node(id:)` / `nodes(ids:)` fetch it again by that id — through the same rules
//! as the lists it appears in, so a node the viewer may not see, or of another tenant, is
//! `NOT_FOUND` exactly like a missing one.
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::clock::SystemClock;
use serde_json::{Value, json};

use crate::cases::conflict_on_with;
use crate::helpers::{Store, TestApp, error_code, spawn};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";
const NODES: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";

async fn node(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(NODE, json!({ "id": id }), Some(token)).await
}

async fn every_kind_is_fetched_again_by_its_id(store: Store) {
    let app = spawn(store, |_| {}, Arc::new(SystemClock)).await;
    let tenant = app.sign_up("nc-node").await;
    let records = app.enter_records(&tenant, "nc-node").await;
    let agencies = app
        .gql(
            "{ agencies { nodes { id } } }",
            json!({}),
            Some(&tenant.token),
        )
        .await;
    let agency = agencies["data"]["agencies"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{agencies}"))
        .to_owned();
    let lead = tenant.user_id.to_string();
    let expected = [
        (records.client.as_str(), "Client"),
        (records.enrollment.as_str(), "Enrollment"),
        (records.service.as_str(), "Service"),
        (records.note.as_str(), "ClientNote"),
        (records.row.as_str(), "ProfileRow"),
        (agency.as_str(), "Agency"),
        (lead.as_str(), "User"),
    ];
    let ids: Vec<&str> = expected.iter().map(|(id, _)| *id).collect();
    let fetched = app
        .gql(NODES, json!({ "ids": ids }), Some(&records.user))
        .await;
    let fetched = fetched["data"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{fetched}"));
    assert_eq!(fetched.len(), expected.len());
    for ((id, typename), node) in expected.iter().zip(fetched) {
        if *typename == "User" {
            // The Data Center lead is outside this agency user's directory (ROLE-2).
            assert!(node.is_null(), "{node}");
            continue;
        }
        assert_eq!(node["__typename"], *typename, "{node}");
        assert_eq!(node["id"], *id);
    }

    // One at a time, and by the typed global id a webhook payload carries.
    let one = node(&app, &records.user, &records.enrollment).await;
    assert_eq!(one["data"]["node"]["__typename"], "Enrollment", "{one}");
    let typed = STANDARD.encode(format!("Client:{}", records.client));
    let one = app
        .gql(
            "query($id: ID!) { node(id: $id) { id ... on Client { hmisNumber } } }",
            json!({ "id": typed }),
            Some(&records.user),
        )
        .await;
    assert_eq!(one["data"]["node"]["id"], records.client.as_str(), "{one}");
    assert!(one["data"]["node"]["hmisNumber"].is_string());

    let by_the_lead = node(&app, &tenant.token, &lead).await;
    assert_eq!(
        by_the_lead["data"]["node"]["__typename"], "User",
        "{by_the_lead}"
    );

    // The Data Center's kinds: an invitation, an audit entry, a service account. An agency
    // user may list none of them, and may not read the audit log at all (AUD-1).
    let first_id = |response: &Value, field: &str| {
        response["data"][field]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{response}"))
            .to_owned()
    };
    let invitations = app
        .gql(
            "{ invitations { edges { node { id } } } }",
            json!({}),
            Some(&tenant.token),
        )
        .await;
    let invitation = first_id(&invitations, "invitations");
    let log = app
        .gql(
            "{ auditLog(first: 1) { edges { node { id } } } }",
            json!({}),
            Some(&tenant.token),
        )
        .await;
    let entry = first_id(&log, "auditLog");
    let expiry = chrono::Utc::now() + chrono::Duration::days(30);
    let account = app
        .gql(
            "mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id } } }",
            json!({ "i": { "name": "Sync", "role": "DATA_CENTER", "expiresAt": expiry } }),
            Some(&tenant.token),
        )
        .await;
    let account = account["data"]["createServiceAccount"]["serviceAccount"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{account}"))
        .to_owned();
    let ids = [&invitation, &entry, &account];
    let by_data_center = app
        .gql(NODES, json!({ "ids": ids }), Some(&tenant.token))
        .await;
    let typenames: Vec<Value> = by_data_center["data"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{by_data_center}"))
        .iter()
        .map(|n| n["__typename"].clone())
        .collect();
    assert_eq!(
        typenames,
        [
            json!("Invitation"),
            json!("AuditEntry"),
            json!("ServiceAccount")
        ]
    );
    let by_staff = app
        .gql(NODES, json!({ "ids": ids }), Some(&records.user))
        .await;
    assert_eq!(
        by_staff["data"]["nodes"],
        json!([null, null, null]),
        "{by_staff}"
    );
    // Refused (AUD-1) is answered as missing: an id never tells what kind of record it is.
    let refused = node(&app, &records.user, &entry).await;
    assert_eq!(error_code(&refused), "NOT_FOUND", "{refused}");
    let missing = node(&app, &records.user, &uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(
        refused["errors"][0]["message"],
        missing["errors"][0]["message"]
    );

    // A service account outside its scopes: as missing too (SVC-2 is audited).
    let scoped = app
        .gql(
            "mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { clientId clientSecret } }",
            json!({ "i": { "name": "Services only", "role": "DATA_CENTER", "scopes": ["SERVICES_READ"], "expiresAt": expiry } }),
            Some(&tenant.token),
        )
        .await;
    let scoped = &scoped["data"]["createServiceAccount"];
    let token = app
        .gql(
            "mutation($i: ServiceAccountTokenInput!) { serviceAccountToken(input: $i) { accessToken } }",
            json!({ "i": { "clientId": scoped["clientId"], "clientSecret": scoped["clientSecret"] } }),
            None,
        )
        .await;
    let token = token["data"]["serviceAccountToken"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{token}"))
        .to_owned();
    let service = node(&app, &token, &records.service).await;
    assert_eq!(
        service["data"]["node"]["__typename"], "Service",
        "{service}"
    );
    let note = node(&app, &token, &records.note).await;
    assert_eq!(error_code(&note), "NOT_FOUND", "{note}");
}

#[tokio::test]
async fn every_kind_is_fetched_again_by_its_id_on_postgres() {
    every_kind_is_fetched_again_by_its_id(Store::Postgres).await;
}

#[tokio::test]
async fn every_kind_is_fetched_again_by_its_id_on_the_embedded_default() {
    every_kind_is_fetched_again_by_its_id(Store::Embedded).await;
}

#[tokio::test]
async fn a_node_of_another_tenant_is_not_found_exactly_like_a_missing_one() {
    let app = spawn(Store::Postgres, |_| {}, Arc::new(SystemClock)).await;
    let durham = app.sign_up("nc-durham").await;
    let records = app.enter_records(&durham, "nc-durham").await;
    let orange = app.sign_up("nc-orange").await;

    let missing = node(&app, &orange.token, &uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(error_code(&missing), "NOT_FOUND", "{missing}");
    for id in [
        &records.client,
        &records.enrollment,
        &records.note,
        &records.row,
    ] {
        let elsewhere = node(&app, &orange.token, id).await;
        assert_eq!(error_code(&elsewhere), "NOT_FOUND", "{elsewhere}");
        assert_eq!(
            elsewhere["errors"][0]["message"], missing["errors"][0]["message"],
            "the same answer as for an id that never existed"
        );
        assert!(elsewhere["data"].is_null(), "{elsewhere}");
    }
    let many = app
        .gql(
            NODES,
            json!({ "ids": [records.client, records.service, "not an id"] }),
            Some(&orange.token),
        )
        .await;
    assert_eq!(many["data"]["nodes"], json!([null, null, null]), "{many}");

    let too_many: Vec<String> = (0..101).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let refused = app
        .gql(NODES, json!({ "ids": too_many }), Some(&orange.token))
        .await;
    assert_eq!(error_code(&refused), "VALIDATION", "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "ids");
}

/// The plan's versions, a case's contact attempts and (for a platform administrator) tenants
/// are nodes too, read as the lists that hold them are: a contact attempt through its case, so
/// only who sees the case sees it.
#[tokio::test]
async fn plan_versions_contact_attempts_and_tenants_are_nodes_too() {
    let c = conflict_on_with(Store::Postgres, |_| {}).await;
    let logged = c.attempt(&c.user_b, 1, false).await;
    assert!(logged["errors"].is_null(), "{logged}");
    let app = &c.coc.app;
    let case = app
        .gql(
            "query($id: UUID!) { case(id: $id) { attempts { id } } }",
            json!({ "id": c.case_id }),
            Some(&c.user_b),
        )
        .await;
    let attempt = case["data"]["case"]["attempts"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{case}"))
        .to_owned();
    let fetched = app
        .gql(
            "query($id: ID!) { node(id: $id) { __typename id ... on ContactAttempt { reached method } } }",
            json!({ "id": attempt }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        fetched["data"]["node"]["__typename"], "ContactAttempt",
        "{fetched}"
    );
    assert_eq!(fetched["data"]["node"]["id"], attempt.as_str());
    assert_eq!(fetched["data"]["node"]["reached"], false);

    // An agency on neither side of the case does not see its attempts.
    let third = app.create_agency(&c.coc.data_center, "Third Agency").await;
    let third = third["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{third}"))
        .to_owned();
    let (outsider, _) = c.coc.member("c@other.example", "USER", &third).await;
    let hidden = node(app, &outsider, &attempt).await;
    assert_eq!(error_code(&hidden), "NOT_FOUND", "{hidden}");

    let versions = app
        .gql(
            "{ sharingPlanVersions { nodes { id version } } }",
            json!({}),
            Some(&c.user_a),
        )
        .await;
    let version = versions["data"]["sharingPlanVersions"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{versions}"))
        .to_owned();
    let fetched = app
        .gql(
            "query($id: ID!) { node(id: $id) { __typename ... on SharingPlanVersion { version } } }",
            json!({ "id": version }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(
        fetched["data"]["node"]["__typename"], "SharingPlanVersion",
        "{fetched}"
    );
    assert_eq!(fetched["data"]["node"]["version"], 1);

    // Tenants are the platform administrator's nodes, and only theirs.
    let (admin, _) = app.platform_admin("ops@concord.example").await;
    let tenants = app
        .gql(
            "{ platformTenants { nodes { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let tenant = tenants["data"]["platformTenants"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{tenants}"))
        .to_owned();
    let fetched = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Tenant { slug } } }",
            json!({ "ids": [tenant, attempt] }),
            Some(&admin),
        )
        .await;
    let fetched = &fetched["data"]["nodes"];
    assert_eq!(fetched[0]["__typename"], "Tenant", "{fetched}");
    assert_eq!(fetched[0]["id"], tenant.as_str());
    assert!(
        fetched[1].is_null(),
        "a platform administrator reads no tenant's records: {fetched}"
    );
    let as_member = node(app, &c.user_a, &tenant).await;
    assert_eq!(error_code(&as_member), "NOT_FOUND", "{as_member}");
}
