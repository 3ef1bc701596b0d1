//! WebAuthn security keys and passkeys as a second factor, driven with a software
//! authenticator (webauthn-authenticator-rs's `SoftPasskey`) that answers as a browser's
//! `navigator.credentials` would, for the origin Concord names in `CONCORD_PUBLIC_URL`.
use domain::auth::second_factor::RequiredRoles;
use domain::clock::SystemClock;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::sync::Arc;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

use crate::helpers::{PASSWORD, Store, TestApp, error_code, error_rule, spawn};

const ORIGIN: &str = "http://localhost:8080";
const BEGIN: &str = "mutation { beginWebauthnRegistration { challengeId options } }";
const FINISH: &str = "mutation($i: FinishWebauthnRegistrationInput!) { finishWebauthnRegistration(input: $i) { key { id name } backupCodes } }";
const LOGIN: &str =
    "mutation($i: LoginInput!) { login(input: $i) { accessToken secondFactorEnrolmentDue } }";
const AGENCIES: &str = "{ agencies { nodes { id } } }";
const CHECK: &str =
    "mutation($i: ConfirmSecondFactorInput!) { confirmSecondFactor(input: $i) { checkedAt } }";

async fn app(store: Store) -> TestApp {
    spawn(
        store,
        |s| {
            s.second_factor_roles = RequiredRoles::default_roles();
            s.public_url = format!("{ORIGIN}/");
        },
        Arc::new(SystemClock),
    )
    .await
}

fn origin() -> Url {
    Url::parse(ORIGIN).expect("an origin")
}

/// Registers a key on `authenticator` for the person signed in with `token`.
async fn register(app: &TestApp, token: &str, authenticator: &mut SoftPasskey) -> Value {
    let begun = app.gql(BEGIN, json!({}), Some(token)).await;
    let ceremony = &begun["data"]["beginWebauthnRegistration"];
    let options: CreationChallengeResponse = serde_json::from_value(ceremony["options"].clone())
        .unwrap_or_else(|e| panic!("not creation options ({e}): {begun}"));
    let credential = authenticator
        .do_registration(origin(), options)
        .expect("the authenticator registers");
    app.gql(
        FINISH,
        json!({ "i": { "challengeId": ceremony["challengeId"], "name": "Soft key",
            "credential": serde_json::to_value(&credential).expect("JSON") } }),
        Some(token),
    )
    .await
}

/// A step-up ceremony begun for the person signed in with `token`, answered by `key`: the
/// input `confirmSecondFactor` takes.
async fn step_up_answer(app: &TestApp, token: &str, key: &mut SoftPasskey) -> Value {
    let begun = app
        .gql(
            "mutation { beginSecondFactorCheck { challengeId options } }",
            json!({}),
            Some(token),
        )
        .await;
    let ceremony = &begun["data"]["beginSecondFactorCheck"];
    let options: RequestChallengeResponse = serde_json::from_value(ceremony["options"].clone())
        .unwrap_or_else(|e| panic!("not request options ({e}): {begun}"));
    let credential = key
        .do_authentication(origin(), options)
        .expect("the authenticator signs");
    json!({ "i": { "webauthn": { "challengeId": ceremony["challengeId"],
        "credential": serde_json::to_value(&credential).expect("JSON") } } })
}

/// Makes every session's last second-factor check older than the ten minutes that count.
async fn age_checks(app: &TestApp) {
    app.superuser()
        .await
        .execute_unprepared("UPDATE sessions SET second_factor_at = now() - interval '11 minutes'")
        .await
        .expect("age the check");
}

async fn login(app: &TestApp, slug: &str, email: &str, webauthn: Value) -> Value {
    app.gql(
        LOGIN,
        json!({ "i": { "tenantSlug": slug, "email": email, "password": PASSWORD, "webauthn": webauthn } }),
        None,
    )
    .await
}

/// Signs in without a proof, answers the ceremony the refusal carries with `authenticator`;
/// returns the sign-in's answer and the proof sent (to replay it).
async fn sign_in_with_key(
    app: &TestApp,
    slug: &str,
    email: &str,
    authenticator: &mut SoftPasskey,
) -> (Value, Value) {
    let asked = login(app, slug, email, Value::Null).await;
    assert_eq!(error_code(&asked), "SECOND_FACTOR_REQUIRED", "{asked}");
    assert_eq!(error_rule(&asked), "AUTH-2FA");
    let ceremony = &asked["errors"][0]["extensions"]["webauthn"];
    let options: RequestChallengeResponse = serde_json::from_value(ceremony["options"].clone())
        .unwrap_or_else(|e| panic!("not request options ({e}): {asked}"));
    let credential = authenticator
        .do_authentication(origin(), options)
        .expect("the authenticator signs");
    let proof = json!({ "challengeId": ceremony["challengeId"],
        "credential": serde_json::to_value(&credential).expect("JSON") });
    (login(app, slug, email, proof.clone()).await, proof)
}

async fn security_keys_enrol_and_sign_in_once_per_ceremony(store: Store) {
    let app = app(store).await;
    let slug = "nc-keys";
    let lead = app.sign_up(slug).await;
    let gated = app.gql(AGENCIES, json!({}), Some(&lead.token)).await;
    assert_eq!(error_rule(&gated), "AUTH-2FA-ENROL", "{gated}");

    let mut key = SoftPasskey::new(true);
    let registered = register(&app, &lead.token, &mut key).await;
    let payload = &registered["data"]["finishWebauthnRegistration"];
    assert_eq!(payload["key"]["name"], "Soft key", "{registered}");
    assert_eq!(
        payload["backupCodes"].as_array().map(Vec::len),
        Some(10),
        "the first second factor comes with backup codes"
    );
    let agencies = app.gql(AGENCIES, json!({}), Some(&lead.token)).await;
    assert!(agencies["data"]["agencies"].is_object(), "{agencies}");

    let (signed_in, proof) = sign_in_with_key(&app, slug, &lead.email, &mut key).await;
    let token = signed_in["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{signed_in}"));
    assert_eq!(
        signed_in["data"]["login"]["secondFactorEnrolmentDue"],
        false
    );
    let agencies = app.gql(AGENCIES, json!({}), Some(token)).await;
    assert!(agencies["data"]["agencies"].is_object(), "{agencies}");

    // The same answer again: its ceremony is spent.
    let replayed = login(&app, slug, &lead.email, proof).await;
    assert_eq!(error_code(&replayed), "UNAUTHENTICATED", "{replayed}");
    assert!(replayed["data"].is_null() || replayed["data"]["login"].is_null());

    // An answer to one ceremony, sent as the answer to another: refused.
    let first = login(&app, slug, &lead.email, Value::Null).await;
    let second = login(&app, slug, &lead.email, Value::Null).await;
    let options: RequestChallengeResponse =
        serde_json::from_value(first["errors"][0]["extensions"]["webauthn"]["options"].clone())
            .expect("request options");
    let answer = key
        .do_authentication(origin(), options)
        .expect("the authenticator signs");
    let crossed = login(
        &app,
        slug,
        &lead.email,
        json!({ "challengeId": second["errors"][0]["extensions"]["webauthn"]["challengeId"],
            "credential": serde_json::to_value(&answer).expect("JSON") }),
    )
    .await;
    assert_eq!(error_code(&crossed), "UNAUTHENTICATED", "{crossed}");

    let keys = app
        .gql(
            "{ myWebauthnKeys { id lastUsedAt } }",
            json!({}),
            Some(token),
        )
        .await;
    let keys = keys["data"]["myWebauthnKeys"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(keys.len(), 1);
    assert!(keys[0]["lastUsedAt"].is_string(), "{keys:?}");

    // A key is a node of its person's alone.
    let by_id = "query($id: ID!) { node(id: $id) { __typename ... on WebauthnKey { name } } }";
    let own = app
        .gql(by_id, json!({ "id": keys[0]["id"] }), Some(token))
        .await;
    assert_eq!(own["data"]["node"]["name"], "Soft key", "{own}");
    let agency = app.create_agency(token, "Urban Ministries").await;
    let agency = agency["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{agency}"))
        .to_owned();
    let (other, _) = app
        .add_user(token, slug, "staff@um.example", "USER", Some(&agency))
        .await;
    let theirs = app
        .gql(by_id, json!({ "id": keys[0]["id"] }), Some(&other))
        .await;
    assert_eq!(error_code(&theirs), "NOT_FOUND", "{theirs}");
}

#[tokio::test]
async fn security_keys_enrol_and_sign_in_once_per_ceremony_on_postgres() {
    security_keys_enrol_and_sign_in_once_per_ceremony(Store::Postgres).await;
}

#[tokio::test]
async fn security_keys_enrol_and_sign_in_once_per_ceremony_on_the_embedded_default() {
    security_keys_enrol_and_sign_in_once_per_ceremony(Store::Embedded).await;
}

#[tokio::test]
async fn removing_a_security_key_needs_a_recent_check_a_key_can_give_and_takes_the_backup_codes_with_the_last()
 {
    let app = app(Store::Postgres).await;
    let slug = "nc-key-removal";
    let lead = app.sign_up(slug).await;
    let mut key = SoftPasskey::new(true);
    let registered = register(&app, &lead.token, &mut key).await;
    let id = registered["data"]["finishWebauthnRegistration"]["key"]["id"].clone();
    let remove =
        "mutation($i: RemoveWebauthnKeyInput!) { removeWebauthnKey(input: $i) { removedId } }";

    // Signed in with a password alone (an old session's check is not recent): refused.
    age_checks(&app).await;
    let refused = app
        .gql(remove, json!({ "i": { "id": id } }), Some(&lead.token))
        .await;
    assert_eq!(error_rule(&refused), "AUTH-2FA-RECENT", "{refused}");

    // A step-up answer signs nobody in, and a sign-in answer is no step-up: a ceremony is
    // taken only for its own purpose.
    let step_up = step_up_answer(&app, &lead.token, &mut key).await;
    let as_sign_in = login(&app, slug, &lead.email, step_up["i"]["webauthn"].clone()).await;
    assert_eq!(error_code(&as_sign_in), "UNAUTHENTICATED", "{as_sign_in}");
    assert!(as_sign_in["data"].is_null() || as_sign_in["data"]["login"].is_null());
    let asked = login(&app, slug, &lead.email, Value::Null).await;
    let ceremony = &asked["errors"][0]["extensions"]["webauthn"];
    let options: RequestChallengeResponse = serde_json::from_value(ceremony["options"].clone())
        .unwrap_or_else(|e| panic!("not request options ({e}): {asked}"));
    let signed = key
        .do_authentication(origin(), options)
        .expect("the authenticator signs");
    let as_step_up = app
        .gql(
            CHECK,
            json!({ "i": { "webauthn": { "challengeId": ceremony["challengeId"],
                "credential": serde_json::to_value(&signed).expect("JSON") } } }),
            Some(&lead.token),
        )
        .await;
    assert_eq!(error_code(&as_step_up), "VALIDATION", "{as_step_up}");
    assert_eq!(as_step_up["errors"][0]["extensions"]["field"], "webauthn");

    // The same session checks the key again (step-up); the answer works once.
    let answer = step_up_answer(&app, &lead.token, &mut key).await;
    let checked = app.gql(CHECK, answer.clone(), Some(&lead.token)).await;
    assert!(
        checked["data"]["confirmSecondFactor"]["checkedAt"].is_string(),
        "{checked}"
    );
    let replayed = app.gql(CHECK, answer, Some(&lead.token)).await;
    assert_eq!(error_code(&replayed), "VALIDATION", "{replayed}");
    assert_eq!(replayed["errors"][0]["extensions"]["field"], "webauthn");
    let token = lead.token.as_str();
    let removed = app
        .gql(remove, json!({ "i": { "id": id } }), Some(token))
        .await;
    assert_eq!(
        removed["data"]["removeWebauthnKey"]["removedId"], id,
        "{removed}"
    );
    let status = app
        .gql(
            "{ mySecondFactor { webauthnKeys backupCodesLeft enrolmentDue } }",
            json!({}),
            Some(token),
        )
        .await;
    let status = &status["data"]["mySecondFactor"];
    assert_eq!(status["webauthnKeys"], 0, "{status}");
    assert_eq!(status["backupCodesLeft"], 0);
    assert_eq!(status["enrolmentDue"], true);
}

#[tokio::test]
async fn auth_2fa_recent_a_service_account_secret_is_handed_out_only_just_after_a_check() {
    let app = app(Store::Postgres).await;
    let lead = app.sign_up("nc-key-svc").await;
    let mut key = SoftPasskey::new(true);
    let registered = register(&app, &lead.token, &mut key).await;
    assert!(
        registered["data"]["finishWebauthnRegistration"].is_object(),
        "{registered}"
    );
    let create = "mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { clientSecret } }";
    let input = json!({ "i": { "name": "Warehouse", "role": "DATA_CENTER",
        "expiresAt": chrono::Utc::now() + chrono::Duration::days(30) } });

    age_checks(&app).await;
    let refused = app.gql(create, input.clone(), Some(&lead.token)).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(error_rule(&refused), "AUTH-2FA-RECENT");
    let listed = app
        .gql(
            "{ serviceAccounts { edges { node { id } } } }",
            json!({}),
            Some(&lead.token),
        )
        .await;
    assert_eq!(
        listed["data"]["serviceAccounts"]["edges"],
        json!([]),
        "{listed}"
    );

    let answer = step_up_answer(&app, &lead.token, &mut key).await;
    let checked = app.gql(CHECK, answer, Some(&lead.token)).await;
    assert!(
        checked["data"]["confirmSecondFactor"].is_object(),
        "{checked}"
    );
    let created = app.gql(create, input, Some(&lead.token)).await;
    assert!(
        created["data"]["createServiceAccount"]["clientSecret"].is_string(),
        "{created}"
    );
}
