//! `CONCORD_CLOCK=manual`: the platform administrator moves the server's and the workers' time
//! forward to reach a deadline by hand; without it the mutation is not in the schema a client
//! can introspect, and a call to it finds nothing.
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_with};

const OPERATOR: &str = "operator@platform.example";

/// The platform administrator, signed in: their access token.
pub async fn operator(app: &TestApp) -> String {
    app.platform_admin(OPERATOR).await.0
}

#[tokio::test]
async fn the_platform_administrator_moves_a_manual_clock_forward() {
    let app = spawn_app_with(|s| s.manual_clock = true).await;
    let (token, authenticator) = app.platform_admin(OPERATOR).await;
    let moved = app
        .gql(
            "mutation { advanceClock(input: { hours: 48 }) { now } }",
            json!({}),
            Some(&token),
        )
        .await;
    let now: DateTime<Utc> = moved["data"]["advanceClock"]["now"]
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
            "mutation { advanceClock(input: { hours: 1 }) { now } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED", "{ended}");
    // Signing in again takes a code of the moved clock's time, as the server reads it.
    let again = app
        .platform_login(OPERATOR, Some(&app.totp_code(&authenticator, 0)))
        .await;
    let token = again["data"]["platformLogin"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{again}"))
        .to_owned();

    // Only forward, only by a sane amount, only by the platform administrator.
    let back = app
        .gql(
            "mutation { advanceClock(input: { hours: -5 }) { now } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&back), "VALIDATION", "{back}");
    let lead = app.sign_up("durham").await;
    let refused = app
        .gql(
            "mutation { advanceClock(input: { hours: 1 }) { now } }",
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
            "mutation { advanceClock(input: { hours: 1 }) { now } }",
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
    // Nor its input and payload types.
    let types = app
        .gql(
            "{ i: __type(name: \"AdvanceClockInput\") { name } p: __type(name: \"AdvanceClockPayload\") { name } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(types["data"], json!({ "i": null, "p": null }), "{types}");
}
