//! Second factors (ASVS 6.3.3, 6.5, 6.6), on the installation's default: the Data Center and
//! Agency Administrators must use one. Codes are computed from the secret the API hands out,
//! at the time of the test's clock, as an authenticator app would.
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::auth::onboarding::create_platform_admin;
use domain::auth::second_factor::RequiredRoles;
use domain::clock::TestClock;
use serde_json::{Value, json};
use totp_rs::TOTP;

use crate::helpers::{PASSWORD, Store, TestApp, error_code, error_rule, spawn};

const ENROL: &str = "mutation { beginTotpEnrolment { secret uri } }";
const CONFIRM: &str =
    "mutation($i: SecondFactorCodeInput!) { confirmTotpEnrolment(input: $i) { backupCodes } }";
const CHECK: &str =
    "mutation($i: ConfirmSecondFactorInput!) { confirmSecondFactor(input: $i) { checkedAt } }";
const STATUS: &str =
    "{ mySecondFactor { totpEnrolled required enrolmentDue backupCodesLeft checkedAt } }";
const CREATE_AGENCY: &str =
    "mutation($n: String!) { createAgency(input: { name: $n }) { agency { id } } }";
const AGENCIES: &str = "{ agencies { nodes { id } } }";

struct Setup {
    app: TestApp,
    clock: Arc<TestClock>,
    slug: &'static str,
    email: String,
    /// The Data Center lead's first session.
    token: String,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T09:00:10Z")
        .expect("a time")
        .to_utc()
}

/// A CoC signed up on the default setting, its lead not enrolled yet.
async fn setup(store: Store) -> Setup {
    let clock = Arc::new(TestClock::new(start()));
    let app = spawn(
        store,
        |s| s.second_factor_roles = RequiredRoles::default_roles(),
        clock.clone(),
    )
    .await;
    let slug = "nc-2fa";
    let tenant = app.sign_up(slug).await;
    Setup {
        app,
        clock,
        slug,
        email: tenant.email,
        token: tenant.token,
    }
}

impl Setup {
    fn now(&self) -> DateTime<Utc> {
        use domain::clock::Clock;
        self.clock.now()
    }

    /// The code an app shows `offset_steps` steps from now.
    fn code(&self, app: &TOTP, offset_steps: i64) -> String {
        let at = self.now() + Duration::seconds(30 * offset_steps);
        app.generate(u64::try_from(at.timestamp()).expect("after 1970"))
    }

    async fn gql(&self, query: &str, variables: Value, token: &str) -> Value {
        self.app.gql(query, variables, Some(token)).await
    }

    /// Enrols the authenticator with a code of now; returns the app and the backup codes.
    async fn enrol(&self, token: &str) -> (TOTP, Vec<String>) {
        let begun = self.gql(ENROL, json!({}), token).await;
        let uri = begun["data"]["beginTotpEnrolment"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("enrolment not begun: {begun}"));
        let app = TOTP::from_url(uri).expect("an otpauth URI an app reads");
        assert_eq!(
            app.get_secret_base32(),
            begun["data"]["beginTotpEnrolment"]["secret"]
                .as_str()
                .expect("secret"),
            "the typed secret and the URI's are the same"
        );
        let confirmed = self
            .gql(
                CONFIRM,
                json!({ "i": { "code": self.code(&app, 0) } }),
                token,
            )
            .await;
        let codes: Vec<String> = confirmed["data"]["confirmTotpEnrolment"]["backupCodes"]
            .as_array()
            .unwrap_or_else(|| panic!("enrolment not confirmed: {confirmed}"))
            .iter()
            .map(|c| c.as_str().expect("a code").to_owned())
            .collect();
        (app, codes)
    }

    async fn login(&self, code: Option<&str>) -> Value {
        self.app
            .gql(
                "mutation($i: LoginInput!) { login(input: $i) { accessToken secondFactorEnrolmentDue } }",
                json!({ "i": { "tenantSlug": self.slug, "email": self.email, "password": PASSWORD, "secondFactorCode": code } }),
                None,
            )
            .await
    }
}

fn token_of(login: &Value) -> Option<&str> {
    login["data"]["login"]["accessToken"].as_str()
}

#[tokio::test]
async fn auth_2fa_enrol_gates_the_data_center_until_an_authenticator_is_confirmed() {
    let s = setup(Store::Postgres).await;
    let status = s.gql(STATUS, json!({}), &s.token).await;
    assert_eq!(
        status["data"]["mySecondFactor"]["enrolmentDue"], true,
        "{status}"
    );
    assert_eq!(status["data"]["mySecondFactor"]["required"], true);

    // Nothing but enrolling, `me` and signing out.
    let refused = s
        .gql(CREATE_AGENCY, json!({ "n": "Early" }), &s.token)
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(error_rule(&refused), "AUTH-2FA-ENROL");
    let me = s.gql("{ me { role } }", json!({}), &s.token).await;
    assert_eq!(me["data"]["me"]["role"], "DATA_CENTER", "{me}");

    // A wrong first code confirms nothing and the gate stays.
    s.gql(ENROL, json!({}), &s.token).await;
    let wrong = s
        .gql(CONFIRM, json!({ "i": { "code": "12345" } }), &s.token)
        .await;
    assert_eq!(error_code(&wrong), "VALIDATION", "{wrong}");
    let still = s.gql(AGENCIES, json!({}), &s.token).await;
    assert_eq!(error_rule(&still), "AUTH-2FA-ENROL", "{still}");

    let (_, backup_codes) = s.enrol(&s.token).await;
    assert_eq!(backup_codes.len(), 10);
    let mut distinct = backup_codes.clone();
    distinct.dedup();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10, "backup codes differ: {backup_codes:?}");

    // The same session now reaches everything; the refused attempt created nothing.
    let agencies = s.gql(AGENCIES, json!({}), &s.token).await;
    assert_eq!(
        agencies["data"]["agencies"]["nodes"],
        json!([]),
        "{agencies}"
    );
    let created = s
        .gql(CREATE_AGENCY, json!({ "n": "Later" }), &s.token)
        .await;
    assert!(
        created["data"]["createAgency"]["agency"]["id"].is_string(),
        "{created}"
    );
    let status = s.gql(STATUS, json!({}), &s.token).await;
    let status = &status["data"]["mySecondFactor"];
    assert_eq!(status["enrolmentDue"], false);
    assert_eq!(status["totpEnrolled"], true);
    assert_eq!(status["backupCodesLeft"], 10);
    assert!(status["checkedAt"].is_string(), "{status}");

    // A second enrolment while one is confirmed is refused.
    let again = s.gql(ENROL, json!({}), &s.token).await;
    assert_eq!(error_code(&again), "VALIDATION", "{again}");
}

#[tokio::test]
async fn auth_2fa_sign_in_takes_each_code_once_with_one_step_of_drift() {
    let s = setup(Store::Postgres).await;
    let (app, _) = s.enrol(&s.token).await;
    let used_at_enrolment = s.code(&app, 0);

    let without = s.login(None).await;
    assert_eq!(error_code(&without), "SECOND_FACTOR_REQUIRED", "{without}");
    assert_eq!(error_rule(&without), "AUTH-2FA");
    assert!(token_of(&without).is_none());

    // The code that confirmed the enrolment is spent.
    let replayed = s.login(Some(&used_at_enrolment)).await;
    assert_eq!(error_code(&replayed), "UNAUTHENTICATED", "{replayed}");
    assert!(token_of(&replayed).is_none());

    s.clock.advance(Duration::seconds(30));
    let next = s.code(&app, 0);
    let signed_in = s.login(Some(&next)).await;
    let token = token_of(&signed_in).unwrap_or_else(|| panic!("{signed_in}"));
    assert_eq!(
        signed_in["data"]["login"]["secondFactorEnrolmentDue"],
        false
    );
    let agencies = s.gql(AGENCIES, json!({}), token).await;
    assert_eq!(
        agencies["data"]["agencies"]["nodes"],
        json!([]),
        "{agencies}"
    );
    let twice = s.login(Some(&next)).await;
    assert_eq!(
        error_code(&twice),
        "UNAUTHENTICATED",
        "a code is accepted once: {twice}"
    );

    // One step either way is accepted; two steps back is not.
    s.clock.advance(Duration::seconds(30));
    let too_old = s.login(Some(&s.code(&app, -2))).await;
    assert_eq!(error_code(&too_old), "UNAUTHENTICATED", "{too_old}");
    let ahead = s.login(Some(&s.code(&app, 1))).await;
    assert!(token_of(&ahead).is_some(), "{ahead}");
    // And once a later step was used, an earlier step's code is refused even within drift.
    let behind = s.login(Some(&s.code(&app, 0))).await;
    assert_eq!(error_code(&behind), "UNAUTHENTICATED", "{behind}");
}

#[tokio::test]
async fn backup_codes_sign_in_once_each() {
    let s = setup(Store::Postgres).await;
    let (_, codes) = s.enrol(&s.token).await;

    let first = s.login(Some(&codes[0])).await;
    assert!(token_of(&first).is_some(), "{first}");
    let again = s.login(Some(&codes[0])).await;
    assert_eq!(error_code(&again), "UNAUTHENTICATED", "{again}");

    // As typed by a person: lower case, without the dashes.
    let typed = codes[1].to_lowercase().replace('-', " ");
    let second = s.login(Some(&typed)).await;
    let token = token_of(&second).unwrap_or_else(|| panic!("{second}"));
    let status = s.gql(STATUS, json!({}), token).await;
    assert_eq!(
        status["data"]["mySecondFactor"]["backupCodesLeft"], 8,
        "{status}"
    );
}

#[tokio::test]
async fn failed_second_factors_count_toward_the_sign_in_lock() {
    let s = setup(Store::Postgres).await;
    let (app, _) = s.enrol(&s.token).await;
    s.clock.advance(Duration::seconds(30));
    let right = s.code(&app, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    // Three failures are free; the fourth makes the address wait.
    for _ in 0..4 {
        let refused = s.login(Some(wrong)).await;
        assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
    }
    let locked = s.login(Some(&right)).await;
    assert_eq!(error_code(&locked), "RATE_LIMITED", "{locked}");
    assert!(token_of(&locked).is_none());
}

#[tokio::test]
async fn removing_a_second_factor_needs_a_recent_check() {
    let s = setup(Store::Postgres).await;
    let (app, _) = s.enrol(&s.token).await;

    s.clock.advance(Duration::minutes(11));
    let refused = s
        .gql(
            "mutation { removeSecondFactor { removed } }",
            json!({}),
            &s.token,
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(error_rule(&refused), "AUTH-2FA-RECENT");
    let renew = s
        .gql(
            "mutation { renewBackupCodes { backupCodes } }",
            json!({}),
            &s.token,
        )
        .await;
    assert_eq!(error_rule(&renew), "AUTH-2FA-RECENT", "{renew}");
    let status = s.gql(STATUS, json!({}), &s.token).await;
    assert_eq!(status["data"]["mySecondFactor"]["totpEnrolled"], true);

    let checked = s
        .gql(CHECK, json!({ "i": { "code": s.code(&app, 0) } }), &s.token)
        .await;
    assert!(
        checked["data"]["confirmSecondFactor"]["checkedAt"].is_string(),
        "{checked}"
    );
    let renewed = s
        .gql(
            "mutation { renewBackupCodes { backupCodes } }",
            json!({}),
            &s.token,
        )
        .await;
    assert_eq!(
        renewed["data"]["renewBackupCodes"]["backupCodes"]
            .as_array()
            .map(Vec::len),
        Some(10),
        "{renewed}"
    );
    let removed = s
        .gql(
            "mutation { removeSecondFactor { removed } }",
            json!({}),
            &s.token,
        )
        .await;
    assert_eq!(
        removed["data"]["removeSecondFactor"]["removed"], true,
        "{removed}"
    );

    // A Data Center user without a factor is back at the gate, and signs in with no code.
    let gated = s.gql(AGENCIES, json!({}), &s.token).await;
    assert_eq!(error_rule(&gated), "AUTH-2FA-ENROL", "{gated}");
    let login = s.login(None).await;
    assert_eq!(
        login["data"]["login"]["secondFactorEnrolmentDue"], true,
        "{login}"
    );
}

#[tokio::test]
async fn a_password_change_needs_the_second_factor_where_enrolled() {
    let s = setup(Store::Postgres).await;
    let (app, _) = s.enrol(&s.token).await;
    s.clock.advance(Duration::minutes(11));
    let change =
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { sessionsEnded } }";
    let new_password = "another long passphrase 17";
    let without = s
        .gql(
            change,
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": new_password } }),
            &s.token,
        )
        .await;
    assert_eq!(error_code(&without), "VALIDATION", "{without}");
    assert_eq!(
        without["errors"][0]["extensions"]["field"],
        "secondFactorCode"
    );
    // The password did not change.
    s.clock.advance(Duration::seconds(30));
    let old_still = s.login(Some(&s.code(&app, 0))).await;
    assert!(token_of(&old_still).is_some(), "{old_still}");

    s.clock.advance(Duration::seconds(30));
    let with = s
        .gql(
            change,
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": new_password, "secondFactorCode": s.code(&app, 0) } }),
            &s.token,
        )
        .await;
    assert!(
        with["data"]["changePassword"]["sessionsEnded"].is_number(),
        "{with}"
    );
}

#[tokio::test]
async fn the_data_center_sets_which_roles_need_a_second_factor() {
    let s = setup(Store::Postgres).await;
    s.enrol(&s.token).await;
    let agency = s
        .gql(CREATE_AGENCY, json!({ "n": "Urban Ministries" }), &s.token)
        .await;
    let agency = agency["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .expect("agency")
        .to_owned();
    let (admin, _) = s
        .app
        .add_user(
            &s.token,
            s.slug,
            "admin@nc-2fa.example",
            "AGENCY_ADMIN",
            Some(&agency),
        )
        .await;
    let (staff, _) = s
        .app
        .add_user(
            &s.token,
            s.slug,
            "staff@nc-2fa.example",
            "USER",
            Some(&agency),
        )
        .await;
    let admin_reads = s.gql(AGENCIES, json!({}), &admin).await;
    assert_eq!(error_rule(&admin_reads), "AUTH-2FA-ENROL", "{admin_reads}");
    let staff_reads = s.gql(AGENCIES, json!({}), &staff).await;
    assert!(staff_reads["data"]["agencies"].is_object(), "{staff_reads}");

    let set =
        "mutation($i: SetSecondFactorRolesInput!) { setSecondFactorRoles(input: $i) { roles } }";
    let everyone = json!({ "i": { "roles": ["USER", "DATA_CENTER", "AGENCY_ADMIN"] } });
    let by_staff = s.gql(set, everyone.clone(), &staff).await;
    assert_eq!(error_code(&by_staff), "FORBIDDEN", "{by_staff}");
    assert_eq!(error_rule(&by_staff), "ROLE-1");

    let by_lead = s.gql(set, everyone, &s.token).await;
    assert_eq!(
        by_lead["data"]["setSecondFactorRoles"]["roles"],
        json!(["DATA_CENTER", "AGENCY_ADMIN", "USER"]),
        "{by_lead}"
    );
    let staff_now = s.gql(AGENCIES, json!({}), &staff).await;
    assert_eq!(error_rule(&staff_now), "AUTH-2FA-ENROL", "{staff_now}");
    let roles = s.gql("{ secondFactorRoles }", json!({}), &staff).await;
    assert_eq!(
        roles["data"]["secondFactorRoles"].as_array().map(Vec::len),
        Some(3)
    );

    let no_one = s.gql(set, json!({ "i": { "roles": [] } }), &s.token).await;
    assert_eq!(no_one["data"]["setSecondFactorRoles"]["roles"], json!([]));
    let admin_now = s.gql(AGENCIES, json!({}), &admin).await;
    assert!(admin_now["data"]["agencies"].is_object(), "{admin_now}");
}

#[tokio::test]
async fn second_factors_work_on_the_embedded_default() {
    let s = setup(Store::Embedded).await;
    let gated = s.gql(AGENCIES, json!({}), &s.token).await;
    assert_eq!(error_rule(&gated), "AUTH-2FA-ENROL", "{gated}");
    let (app, codes) = s.enrol(&s.token).await;
    assert_eq!(codes.len(), 10);
    let without = s.login(None).await;
    assert_eq!(error_code(&without), "SECOND_FACTOR_REQUIRED", "{without}");
    s.clock.advance(Duration::seconds(30));
    let signed_in = s.login(Some(&s.code(&app, 0))).await;
    let token = token_of(&signed_in).unwrap_or_else(|| panic!("{signed_in}"));
    let agencies = s.gql(AGENCIES, json!({}), token).await;
    assert_eq!(
        agencies["data"]["agencies"]["nodes"],
        json!([]),
        "{agencies}"
    );
    let backup = s.login(Some(&codes[3])).await;
    assert!(token_of(&backup).is_some(), "{backup}");
    let again = s.login(Some(&codes[3])).await;
    assert_eq!(error_code(&again), "UNAUTHENTICATED", "{again}");
}

#[tokio::test]
async fn platform_administrators_always_use_a_second_factor() {
    let clock = Arc::new(TestClock::new(start()));
    let app = spawn(Store::Postgres, |_| {}, clock.clone()).await;
    let email = "ops@platform.example";
    create_platform_admin(&app.state, email, PASSWORD)
        .await
        .expect("a platform administrator");
    let tenants = "{ platformTenants { edges { node { id } } } }";

    let first = app.platform_login(email, None).await;
    assert_eq!(
        first["data"]["platformLogin"]["secondFactorEnrolmentDue"], true,
        "{first}"
    );
    let token = first["data"]["platformLogin"]["accessToken"]
        .as_str()
        .expect("a session to enrol with")
        .to_owned();
    let gated = app.gql(tenants, json!({}), Some(&token)).await;
    assert_eq!(error_code(&gated), "FORBIDDEN", "{gated}");
    assert_eq!(error_rule(&gated), "AUTH-2FA-ENROL");

    let begun = app
        .gql(
            "mutation { beginPlatformTotpEnrolment { uri } }",
            json!({}),
            Some(&token),
        )
        .await;
    let authenticator = TOTP::from_url(
        begun["data"]["beginPlatformTotpEnrolment"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("{begun}")),
    )
    .expect("an otpauth URI");
    let confirm =
        "mutation($i: SecondFactorCodeInput!) { confirmPlatformTotpEnrolment(input: $i) }";
    let wrong = app
        .gql(confirm, json!({ "i": { "code": "12345" } }), Some(&token))
        .await;
    assert_eq!(error_code(&wrong), "VALIDATION", "{wrong}");
    let enrolment_code = app.totp_code(&authenticator, 0);
    let confirmed = app
        .gql(
            confirm,
            json!({ "i": { "code": enrolment_code } }),
            Some(&token),
        )
        .await;
    assert_eq!(
        confirmed["data"]["confirmPlatformTotpEnrolment"], true,
        "{confirmed}"
    );
    let listed = app.gql(tenants, json!({}), Some(&token)).await;
    assert!(listed["data"]["platformTenants"].is_object(), "{listed}");

    let without = app.platform_login(email, None).await;
    assert_eq!(error_code(&without), "SECOND_FACTOR_REQUIRED", "{without}");
    let replayed = app.platform_login(email, Some(&enrolment_code)).await;
    assert_eq!(error_code(&replayed), "UNAUTHENTICATED", "{replayed}");
    clock.advance(Duration::seconds(30));
    let signed_in = app
        .platform_login(email, Some(&app.totp_code(&authenticator, 0)))
        .await;
    assert_eq!(
        signed_in["data"]["platformLogin"]["secondFactorEnrolmentDue"], false,
        "{signed_in}"
    );
}
