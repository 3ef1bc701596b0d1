//! Changing and resetting a password (ASVS 6.2.2, 6.2.3, 6.4): a change needs the current
//! password and ends the user's other sessions; a reset is asked for with an answer that does
//! not say whether the account exists, e-mailed through the outbox (a real SMTP server on
//! loopback) with a single-use token, and ends every session.
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Store, TestApp, error_code, spawn, spawn_embedded};
use crate::outbox::{emailed_token, emailing_coc};
use crate::smtp::SmtpServer;

const NEW_PASSWORD: &str = "a brand new passphrase 42";

const CHANGE: &str =
    "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { sessionsEnded } }";
const REQUEST: &str =
    "mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { accepted } }";
const RESET: &str = "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { reset } }";

fn field(response: &Value) -> &str {
    response["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.gql("{ me { id } }", json!({}), Some(token)).await
}

async fn signs_in(app: &TestApp, email: &str, password: &str) -> bool {
    let said = app.login("durham", email, password).await;
    said["data"]["login"]["accessToken"].is_string()
}

async fn change_needs_the_current_password_and_ends_the_other_sessions(app: TestApp) {
    let lead = app.sign_up("durham").await;
    let other = app.login("durham", &lead.email, PASSWORD).await;
    let other = other["data"]["login"]["accessToken"]
        .as_str()
        .expect("a second session")
        .to_owned();

    let wrong = app
        .gql(
            CHANGE,
            json!({ "i": { "currentPassword": "not my password at all", "newPassword": NEW_PASSWORD } }),
            Some(&lead.token),
        )
        .await;
    assert_eq!(error_code(&wrong), "VALIDATION", "{wrong}");
    assert_eq!(field(&wrong), "currentPassword");
    let weak = app
        .gql(
            CHANGE,
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": "short" } }),
            Some(&lead.token),
        )
        .await;
    assert_eq!(error_code(&weak), "VALIDATION", "{weak}");
    assert_eq!(field(&weak), "newPassword");
    // Refused whole: the password and the other session are as they were.
    assert!(me(&app, &other).await["data"]["me"].is_object());
    assert!(signs_in(&app, &lead.email, PASSWORD).await);

    let changed = app
        .gql(
            CHANGE,
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD } }),
            Some(&lead.token),
        )
        .await;
    // The second session and the one the check above signed in with.
    assert_eq!(
        changed["data"]["changePassword"]["sessionsEnded"], 2,
        "{changed}"
    );
    assert!(
        me(&app, &lead.token).await["data"]["me"].is_object(),
        "this session stays"
    );
    let ended = me(&app, &other).await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED", "{ended}");
    assert!(!signs_in(&app, &lead.email, PASSWORD).await);
    assert!(signs_in(&app, &lead.email, NEW_PASSWORD).await);
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = spawn(
        Store::Postgres,
        |_| {},
        std::sync::Arc::new(domain::clock::SystemClock),
    )
    .await;
    change_needs_the_current_password_and_ends_the_other_sessions(app).await;
}

#[tokio::test]
async fn on_the_embedded_default_changing_a_password_ends_the_other_sessions() {
    change_needs_the_current_password_and_ends_the_other_sessions(spawn_embedded().await).await;
}

async fn request(app: &TestApp, slug: &str, email: &str) -> Value {
    app.gql(
        REQUEST,
        json!({ "i": { "tenantSlug": slug, "email": email } }),
        None,
    )
    .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> Value {
    app.gql(
        RESET,
        json!({ "i": { "token": token, "newPassword": password } }),
        None,
    )
    .await
}

#[tokio::test]
async fn a_password_reset_is_emailed_to_the_account_only_works_once_and_ends_every_session() {
    let smtp = SmtpServer::start().await;
    let coc = emailing_coc(&smtp, "https://concord.durham.example/").await;
    let app = &coc.app;
    let email = "lead@durham.example";

    // The same answer whether the account exists, does not, or the CoC does not.
    let asked = request(app, "durham", " Lead@Durham.example ").await;
    assert_eq!(
        asked,
        json!({ "data": { "requestPasswordReset": { "accepted": true } } })
    );
    assert_eq!(request(app, "durham", "nobody@durham.example").await, asked);
    assert_eq!(request(app, "nowhere", email).await, asked);

    let mails = smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        smtp.received().len(),
        1,
        "only the account that exists is e-mailed"
    );
    let mail = &mails[0];
    assert!(mail.contains(&format!("X-RcptTo: {email}")), "{mail}");
    assert!(mail.contains("reset your password"), "{mail}");
    let token = emailed_token(&coc, mail);

    // A weak password is refused and the code still works: bad input loses nothing.
    let weak = reset(app, &token, "short").await;
    assert_eq!(error_code(&weak), "VALIDATION", "{weak}");
    assert_eq!(field(&weak), "newPassword");

    let done = reset(app, &token, NEW_PASSWORD).await;
    assert_eq!(done["data"]["resetPassword"]["reset"], true, "{done}");
    let ended = me(app, &coc.data_center).await;
    assert_eq!(
        error_code(&ended),
        "UNAUTHENTICATED",
        "every session ended: {ended}"
    );
    assert!(!signs_in(app, email, PASSWORD).await);
    assert!(signs_in(app, email, NEW_PASSWORD).await);

    // Once only.
    let again = reset(app, &token, "yet another passphrase 7").await;
    assert_eq!(error_code(&again), "VALIDATION", "{again}");
    assert_eq!(field(&again), "token");
    assert!(signs_in(app, email, NEW_PASSWORD).await);
    let forged = reset(
        app,
        &format!("{}.{}", coc.tenant_id, "x".repeat(43)),
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(field(&forged), "token", "{forged}");

    // Audited, without the token.
    let lead = app.login("durham", email, NEW_PASSWORD).await;
    let lead = lead["data"]["login"]["accessToken"]
        .as_str()
        .expect("token");
    let log = app
        .gql(
            "{ auditLog(first: 50) { edges { node { action outcome subjectId } } } }",
            json!({}),
            Some(lead),
        )
        .await;
    let actions: Vec<&str> = log["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{log}"))
        .iter()
        .filter_map(|e| e["node"]["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"user.password_reset_requested"),
        "{actions:?}"
    );
    assert!(actions.contains(&"user.password_reset"), "{actions:?}");
    assert!(!log.to_string().contains(&token));
}
