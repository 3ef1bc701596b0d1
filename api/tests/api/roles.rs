use serde_json::json;

use crate::helpers::{error_code, error_rule, spawn_app};

const INVITE: &str =
    "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }";

#[tokio::test]
async fn role_3_a_user_cannot_create_an_agency_or_invite() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let agency = app.create_agency(&tenant.token, "Urban Ministries").await;
    let agency_id = agency["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (user, _) = app
        .add_user(
            &tenant.token,
            "durham",
            "staff@um.example",
            "USER",
            Some(&agency_id),
        )
        .await;

    let refused = app.create_agency(&user, "Another").await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    assert_eq!(error_rule(&refused), "ROLE-1");
    let invite = app
        .gql(
            INVITE,
            json!({ "i": { "email": "x@um.example", "role": "USER", "agencyId": agency_id } }),
            Some(&user),
        )
        .await;
    assert_eq!(error_rule(&invite), "ROLE-3");
    // The refusal is in the audit log.
    let db = app.superuser().await;
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM audit_log WHERE outcome = 'REFUSED' AND action = 'agency.create'",
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
}

#[tokio::test]
async fn role_2_an_agency_admin_cannot_invite_into_another_agency() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let a =
        app.create_agency(&tenant.token, "Urban Ministries").await["data"]["createAgency"]["agency"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let b = app
        .create_agency(&tenant.token, "Housing for New Hope")
        .await["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (admin, _) = app
        .add_user(
            &tenant.token,
            "durham",
            "admin@um.example",
            "AGENCY_ADMIN",
            Some(&a),
        )
        .await;

    let own = app
        .gql(
            INVITE,
            json!({ "i": { "email": "u1@um.example", "role": "USER", "agencyId": a } }),
            Some(&admin),
        )
        .await;
    assert!(
        own["data"]["inviteUser"]["invitation"]["id"].is_string(),
        "{own}"
    );
    let other = app
        .gql(
            INVITE,
            json!({ "i": { "email": "u2@hnh.example", "role": "USER", "agencyId": b } }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_code(&other), "FORBIDDEN");
    assert_eq!(error_rule(&other), "ROLE-2");
    let dc = app
        .gql(
            INVITE,
            json!({ "i": { "email": "dc@um.example", "role": "DATA_CENTER" } }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_rule(&dc), "ROLE-2");

    // An agency admin sees and manages only its own agency's users.
    let (_, other_user) = app
        .add_user(
            &tenant.token,
            "durham",
            "staff@hnh.example",
            "USER",
            Some(&b),
        )
        .await;
    let listed = app
        .gql(
            "{ users { edges { node { email access { action allowed rule } } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let emails: Vec<&str> = listed["data"]["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["admin@um.example"]);
    // The console is told the same: nobody deactivates themselves (ROLE-4).
    let own_access = &listed["data"]["users"]["edges"][0]["node"]["access"];
    assert_eq!(
        own_access[1],
        json!({ "action": "deactivate", "allowed": false, "rule": "ROLE-4" })
    );
    let deactivate = app
        .gql(
            "mutation($u: UUID!) { deactivateUser(input: { userId: $u }) { user { id } } }",
            json!({ "u": other_user }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_rule(&deactivate), "ROLE-2");
}

#[tokio::test]
async fn role_4_nobody_changes_their_own_role() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let own = app
        .gql(
            "mutation($u: UUID!) { setUserRole(input: { userId: $u, role: DATA_CENTER }) { user { id } } }",
            json!({ "u": tenant.user_id }),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(error_rule(&own), "ROLE-4");
}
