//! `CONCORD_CLOCK=manual`: the platform administrator moves the server's and the workers' time
//! forward to reach a deadline by hand; without it the mutation is not in the schema a client
//! can introspect, and a call to it finds nothing.
use chrono::{DateTime, Utc};
use domain::auth::onboarding::create_platform_admin;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, error_code, spawn_app, spawn_app_with};

/// The platform administrator, signed in: their access token.
pub async fn operator(app: &TestApp) -> String {
    create_platform_admin(&app.state, "operator@platform.example", PASSWORD)
        .await
        .expect("platform administrator");
    sign_in(app).await
}

async fn sign_in(app: &TestApp) -> String {
    let signed_in = app
        .gql(
            "mutation($e: String!, $p: String!) { platformLogin(email: $e, password: $p) { accessToken } }",
            json!({ "e": "operator@platform.example", "p": PASSWORD }),
            None,
        )
        .await;
    signed_in["data"]["platformLogin"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{signed_in}"))
        .to_owned()
}

#[tokio::test]
async fn the_platform_administrator_moves_a_manual_clock_forward() {
    let app = spawn_app_with(|s| s.manual_clock = true).await;
    let token = operator(&app).await;
    let moved = app
        .gql(
            "mutation { advanceClock(hours: 48) }",
            json!({}),
            Some(&token),
        )
        .await;
    let now: DateTime<Utc> = moved["data"]["advanceClock"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{moved}"));
    assert!(now >= Utc::now() + chrono::Duration::hours(47), "{now}");
    assert!(
        app.state.clock.now() >= now,
        "the server's clock moved with it"
    );
    // Two days later the session has ended, as it would have.
    let ended = app
        .gql(
            "mutation { advanceClock(hours: 1) }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED", "{ended}");
    let token = sign_in(&app).await;

    // Only forward, only by a sane amount, only by the platform administrator.
    let back = app
        .gql(
            "mutation { advanceClock(hours: -5) }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&back), "VALIDATION", "{back}");
    let lead = app.sign_up("durham").await;
    let refused = app
        .gql(
            "mutation { advanceClock(hours: 1) }",
            json!({}),
            Some(&lead.token),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
}

#[tokio::test]
async fn without_a_manual_clock_there_is_no_advance_clock() {
    let app = spawn_app().await;
    let token = operator(&app).await;
    let absent = app
        .gql(
            "mutation { advanceClock(hours: 1) }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&absent), "NOT_FOUND", "{absent}");
    let clock_before = app.state.clock.now();
    assert!(clock_before <= Utc::now(), "the system clock did not move");
    let introspected = app
        .gql(
            "{ __type(name: \"Mutation\") { fields { name } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let fields = introspected["data"]["__type"]["fields"].to_string();
    assert!(fields.contains("platformLogin"), "{introspected}");
    assert!(!fields.contains("advanceClock"), "{introspected}");
}
