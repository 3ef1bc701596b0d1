//! The embedded default: `concord` with no `DATABASE_URL` serves sign-up and login from a
//! SQLite file in its data directory (the lead enrolling the second factor the Data Center
//! needs by default), stops gracefully on SIGTERM and keeps its data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::concord::{Concord, PASSWORD, TempDir, console_dir};
use e2e::second_factor::code_now;
use serde_json::{Value, json};

const SIGN_UP: &str = "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { \
    tenant { id slug status } auth { accessToken refreshToken user { id role } } } }";
const LOGIN: &str = "mutation($i: LoginInput!) { login(input: $i) { \
    accessToken secondFactorEnrolmentDue user { id role } } }";
const ENROL: &str = "mutation { beginTotpEnrolment { secret } }";
const CONFIRM: &str =
    "mutation($i: SecondFactorCodeInput!) { confirmTotpEnrolment(input: $i) { backupCodes } }";
const ME: &str = "{ me { id email role } tenant { slug cocCode } }";
const SLUG: &str = "nc-502";
const EMAIL: &str = "lead@nc-502.example";

async fn log_in(concord: &Concord, code: Option<&str>) -> Value {
    let answer = concord
        .gql(
            LOGIN,
            json!({ "i": { "tenantSlug": SLUG, "email": EMAIL, "password": PASSWORD,
                "secondFactorCode": code } }),
            None,
        )
        .await;
    let login = answer["data"]["login"].clone();
    assert!(login["accessToken"].is_string(), "login failed: {answer}");
    login
}

#[tokio::test]
async fn the_embedded_default_starts_without_database_url_and_serves_sign_up_and_login() {
    let data_dir = TempDir::new("concord-e2e-data");
    let mut concord = Concord::start(data_dir.path());

    assert!(concord.get("/healthz").await.status().is_success());
    let ready = concord.get("/readyz").await;
    assert!(
        ready.status().is_success(),
        "not ready: {}",
        ready.text().await.unwrap()
    );

    let signed_up = concord
        .gql(
            SIGN_UP,
            json!({ "i": { "cocName": "Durham CoC", "cocCode": "NC-502", "slug": SLUG,
                "adminEmail": EMAIL, "adminName": "Data Lead", "password": PASSWORD } }),
            None,
        )
        .await;
    let payload = &signed_up["data"]["signUpTenant"];
    assert_eq!(
        payload["tenant"]["status"], "ACTIVE",
        "sign-up failed: {signed_up}"
    );
    assert_eq!(payload["auth"]["user"]["role"], "DATA_CENTER");
    let user_id = payload["auth"]["user"]["id"].clone();

    // The Data Center must use a second factor by default: the session enrols one first.
    let login = log_in(&concord, None).await;
    assert_eq!(login["user"]["id"], user_id);
    assert_eq!(login["secondFactorEnrolmentDue"], true);
    let token = login["accessToken"].as_str();
    let gated = concord.gql(ME, json!({}), token).await;
    assert_eq!(
        gated["errors"][0]["extensions"]["rule"], "AUTH-2FA-ENROL",
        "{gated}"
    );
    let begun = concord.gql(ENROL, json!({}), token).await;
    let secret = begun["data"]["beginTotpEnrolment"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("enrolment not begun: {begun}"));
    let confirmed = concord
        .gql(CONFIRM, json!({ "i": { "code": code_now(secret) } }), token)
        .await;
    let backup_codes = confirmed["data"]["confirmTotpEnrolment"]["backupCodes"].clone();
    assert_eq!(
        backup_codes.as_array().map(Vec::len),
        Some(10),
        "{confirmed}"
    );
    let me = concord.gql(ME, json!({}), token).await;
    assert_eq!(me["data"]["me"]["email"], EMAIL, "me failed: {me}");
    assert_eq!(me["data"]["me"]["role"], "DATA_CENTER");
    assert_eq!(me["data"]["tenant"]["cocCode"], "NC-502");
    assert!(
        data_dir.path().join("concord.sqlite").is_file(),
        "no concord.sqlite in the data directory"
    );

    // actix drains for up to 30 s, then the job workers stop: 35 s is the promise.
    let stopping = Instant::now();
    let status = concord.terminate(Duration::from_secs(35));
    let status = status.expect("concord still running 35 s after SIGTERM");
    assert!(
        status.success(),
        "concord exited with {status} after SIGTERM"
    );
    eprintln!("concord stopped {:?} after SIGTERM", stopping.elapsed());

    let concord = Concord::start(data_dir.path());
    let login = log_in(&concord, backup_codes[0].as_str()).await;
    assert_eq!(
        login["user"]["id"], user_id,
        "the restarted server lost the user"
    );
}

/// One artefact: the binary carries the console, so `concord` run far from the checkout,
/// with no `CONCORD_CONSOLE_DIR`, serves the bundle it was built with.
#[tokio::test]
async fn an_installed_binary_serves_the_console_built_into_it() {
    let data_dir = TempDir::new("concord-e2e-installed");
    let concord = Concord::start_installed(data_dir.path());
    let bundle = console_dir();

    let index = concord.get("/").await;
    assert!(index.status().is_success(), "{}", index.status());
    let kind = |r: &reqwest::Response| {
        r.headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(kind(&index).starts_with("text/html"), "{}", kind(&index));
    assert_eq!(
        index.text().await.unwrap(),
        std::fs::read_to_string(bundle.join("index.html")).unwrap()
    );
    let wasm = concord.get("/frontend_bg.wasm").await;
    assert_eq!(kind(&wasm), "application/wasm");
    assert_eq!(
        wasm.bytes().await.unwrap().as_ref(),
        std::fs::read(bundle.join("frontend_bg.wasm"))
            .unwrap()
            .as_slice()
    );
    assert_eq!(concord.get("/no-such-file.js").await.status(), 404);
    // The API's own paths are not the console's.
    assert!(concord.get("/healthz").await.status().is_success());
}
