use concord_api::startup::Application;
use sea_orm::ConnectionTrait;
use serde_json::json;

use serde_json::Value;

use crate::helpers::{PASSWORD, TestApp, error_code, spawn_app, spawn_app_with, test_settings};

#[tokio::test]
async fn sign_up_then_login_then_me() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let login = app.login("durham", &tenant.email, PASSWORD).await;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .expect("token");
    let me = app
        .gql(
            "{ me { email role agencyId } tenant { slug cocCode status } }",
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(me["data"]["me"]["email"], tenant.email);
    assert_eq!(me["data"]["me"]["role"], "DATA_CENTER");
    assert_eq!(me["data"]["tenant"]["cocCode"], "NC-502");
    assert_eq!(me["data"]["tenant"]["status"], "ACTIVE");
}

#[tokio::test]
async fn sign_up_seeds_the_durham_v1_plan_and_refuses_bad_input() {
    let app = spawn_app().await;
    let tenant = app.sign_up("orange").await;
    let db = app.superuser().await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT template, version FROM plan_versions WHERE tenant_id = '{}'",
                tenant.id
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "template").unwrap(), "durham-v1");
    assert_eq!(row.try_get::<i32>("", "version").unwrap(), 1);

    let input = |code: &str, slug: &str, password: &str| json!({ "i": { "cocName": "X", "cocCode": code, "slug": slug, "adminEmail": "a@b.org", "adminName": "A", "password": password } });
    let query = "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { tenant { id } } }";
    for (variables, field) in [
        (input("NC502", "fine-slug", PASSWORD), "cocCode"),
        (input("NC-502", "-bad", PASSWORD), "slug"),
        (input("NC-502", "orange", PASSWORD), "slug"),
        (input("NC-502", "fine-slug", "short"), "password"),
        (input("NC-502", "fine-slug", "passwordpassword"), "password"),
    ] {
        let response = app.gql(query, variables, None).await;
        assert_eq!(error_code(&response), "VALIDATION", "{response}");
        assert_eq!(
            response["errors"][0]["extensions"]["field"], field,
            "{response}"
        );
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let wrong = app
        .login("durham", &tenant.email, "not the password at all")
        .await;
    let unknown = app.login("durham", "nobody@durham.example", PASSWORD).await;
    let no_tenant = app.login("nowhere", &tenant.email, PASSWORD).await;
    assert_eq!(error_code(&wrong), "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(
        wrong["errors"][0]["message"],
        no_tenant["errors"][0]["message"]
    );
}

/// Signs in through one trusted proxy that says the request came from `address`.
async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("X-Forwarded-For", format!("6.6.6.6, {address}"))
        .json(&json!({
            "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            "variables": { "i": { "tenantSlug": "durham", "email": email, "password": password } },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn failed_sign_ins_slow_down_the_failing_address_and_never_lock_out_the_owner() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = 1;
        s.limits.login_first_wait_secs = 600;
    })
    .await;
    let tenant = app.sign_up("durham").await;
    let stranger = "203.0.113.66";
    for _ in 0..4 {
        let failed = login_from(&app, stranger, &tenant.email, "not the password at all").await;
        assert_eq!(error_code(&failed), "UNAUTHENTICATED", "{failed}");
    }
    // Three failures are free; the fourth makes this address wait, even with the password.
    let waiting = login_from(&app, stranger, &tenant.email, PASSWORD).await;
    assert_eq!(error_code(&waiting), "RATE_LIMITED", "{waiting}");
    let retry_after = waiting["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{waiting}");
    // The owner, from an address that has not been failing, signs in at once.
    let owner = login_from(&app, "198.51.100.7", &tenant.email, PASSWORD).await;
    assert!(owner["data"]["login"]["accessToken"].is_string(), "{owner}");
    // The forged left-most entry of X-Forwarded-For did not count as the address: the
    // stranger's failures were not charged to 6.6.6.6 (which would have made the owner wait).
}

#[tokio::test]
async fn failures_are_counted_atomically_under_concurrent_attempts() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = 1;
        s.limits.login_free_failures_per_address = 8;
        s.limits.login_first_wait_secs = 600;
    })
    .await;
    let tenant = app.sign_up("durham").await;
    let attempts =
        (0..9).map(|_| login_from(&app, "203.0.113.9", &tenant.email, "wrong wrong wrong"));
    for failed in futures_util::future::join_all(attempts).await {
        assert_eq!(error_code(&failed), "UNAUTHENTICATED", "{failed}");
    }
    // Nine concurrent failures all counted: the ninth is past the eight free ones.
    let waiting = login_from(&app, "203.0.113.9", &tenant.email, PASSWORD).await;
    assert_eq!(error_code(&waiting), "RATE_LIMITED", "{waiting}");
}

#[tokio::test]
async fn failed_sign_ins_of_unknown_accounts_are_audited_without_the_address_typed() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let typed = "someone-else@durham.example";
    assert_eq!(
        error_code(&app.login("durham", typed, "a password someone tried").await),
        "UNAUTHENTICATED"
    );
    let db = app.superuser().await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT count(*) AS n, bool_and(detail::text NOT LIKE '%{typed}%' \
                 AND detail::text NOT LIKE '%someone tried%') AS clean FROM audit_log \
                 WHERE tenant_id = '{}' AND rule = 'AUTH-UNKNOWN-ACCOUNT' \
                 AND detail ? 'email_sha256'",
                tenant.id
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
    assert!(row.try_get::<bool>("", "clean").unwrap());
}

#[tokio::test]
async fn logins_are_rate_limited_per_address() {
    let app = spawn_app_with(|s| s.limits.login_per_address = 3).await;
    let tenant = app.sign_up("durham").await;
    for _ in 0..3 {
        assert_eq!(
            error_code(&app.login("durham", "x@durham.example", PASSWORD).await),
            "UNAUTHENTICATED"
        );
    }
    let limited = app.login("durham", &tenant.email, PASSWORD).await;
    assert_eq!(error_code(&limited), "RATE_LIMITED", "{limited}");
    assert!(
        limited["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn sign_ups_are_limited_per_address_and_a_doomed_one_costs_no_hashing() {
    let app = spawn_app_with(|s| s.limits.signup_per_address = 2).await;
    app.sign_up("durham").await;
    let hashes = app.state.hasher.work.get();
    let taken = app
        .gql(
            "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { tenant { id } } }",
            json!({ "i": { "cocName": "Again", "cocCode": "NC-502", "slug": "durham", "adminEmail": "x@x.example", "adminName": "X", "password": PASSWORD } }),
            None,
        )
        .await;
    assert_eq!(error_code(&taken), "VALIDATION", "{taken}");
    assert_eq!(
        app.state.hasher.work.get(),
        hashes,
        "a taken slug is refused before hashing"
    );
    let third = app
        .gql(
            "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { tenant { id } } }",
            json!({ "i": { "cocName": "Wake", "cocCode": "NC-507", "slug": "wake", "adminEmail": "l@wake.example", "adminName": "L", "password": PASSWORD } }),
            None,
        )
        .await;
    assert_eq!(error_code(&third), "RATE_LIMITED", "{third}");
    assert_eq!(app.state.hasher.work.get(), hashes);
}

#[tokio::test]
async fn one_request_asks_for_one_password_hash_whatever_its_aliases_or_batch() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let hashes = app.state.hasher.work.get();
    let aliased = format!(
        "mutation {{ {} }}",
        (0..5)
            .map(|i| format!(
                "a{i}: login(input: {{ tenantSlug: \"durham\", email: \"{}\", password: \"guess {i} guess guess\" }}) {{ accessToken }}",
                tenant.email
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let response = app.gql(&aliased, json!({}), None).await;
    let refused = response["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["extensions"]["code"] == "RATE_LIMITED")
        .count();
    assert_eq!(refused, 4, "{response}");
    assert_eq!(app.state.hasher.work.get(), hashes + 1);

    let batch: Vec<Value> = (0..5)
        .map(|i| json!({ "query": format!("mutation {{ login(input: {{ tenantSlug: \"durham\", email: \"x{i}@durham.example\", password: \"guess guess guess\" }}) {{ accessToken }} }}") }))
        .collect();
    let responses: Vec<Value> = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let limited = responses
        .iter()
        .filter(|r| error_code(r) == "RATE_LIMITED")
        .count();
    assert_eq!(limited, 4, "{responses:?}");
    assert_eq!(app.state.hasher.work.get(), hashes + 2);
}

#[tokio::test]
async fn an_invitation_is_single_use_and_expires() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let agency = app.create_agency(&tenant.token, "Urban Ministries").await;
    let agency_id = agency["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap();
    let invite = |email: &'static str| {
        app.gql(
            "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token expiresAt role } } }",
            json!({ "i": { "email": email, "role": "AGENCY_ADMIN", "agencyId": agency_id } }),
            Some(&tenant.token),
        )
    };
    let invited = invite("admin@um.example").await;
    let token = invited["data"]["inviteUser"]["invitation"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let accept = |token: String| {
        app.gql(
            "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken user { role agencyId } } }",
            json!({ "i": { "tenantSlug": "durham", "token": token, "displayName": "Agency Admin", "password": PASSWORD } }),
            None,
        )
    };
    let secret = token.split_once('.').unwrap().1.to_owned();
    let accepted = accept(token.clone()).await;
    assert_eq!(
        accepted["data"]["acceptInvitation"]["user"]["role"],
        "AGENCY_ADMIN"
    );
    assert_eq!(
        accepted["data"]["acceptInvitation"]["user"]["agencyId"],
        agency_id
    );
    assert_eq!(
        error_code(&accept(token).await),
        "UNAUTHENTICATED",
        "a spent invitation is refused"
    );

    let second = invite("late@um.example").await;
    let late = second["data"]["inviteUser"]["invitation"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.superuser()
        .await
        .execute_unprepared("UPDATE invitations SET expires_at = now() - interval '1 minute'")
        .await
        .unwrap();
    assert_eq!(
        error_code(&accept(late).await),
        "UNAUTHENTICATED",
        "an expired invitation is refused"
    );

    // Stored hashed: the token's secret appears nowhere in the table.
    let db = app.superuser().await;
    let stored = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT count(*) AS n FROM invitations WHERE token_hash LIKE '%{secret}%'"),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.try_get::<i64>("", "n").unwrap(), 0);
}

#[tokio::test]
async fn the_platform_admin_approves_and_suspends_tenants_but_reads_no_tenant_data() {
    let app = spawn_app_with(|s| s.signup_requires_approval = true).await;
    let pending = app
        .gql(
            "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { tenant { id status } auth { accessToken } } }",
            json!({ "i": { "cocName": "Wake", "cocCode": "NC-507", "slug": "wake", "adminEmail": "lead@wake.example", "adminName": "Lead", "password": PASSWORD } }),
            None,
        )
        .await;
    assert_eq!(
        pending["data"]["signUpTenant"]["tenant"]["status"],
        "PENDING"
    );
    assert!(pending["data"]["signUpTenant"]["auth"].is_null());
    assert_eq!(
        error_code(&app.login("wake", "lead@wake.example", PASSWORD).await),
        "UNAUTHENTICATED"
    );

    let (admin, _) = app.platform_admin("ops@concord.example").await;
    let tenant_id = pending["data"]["signUpTenant"]["tenant"]["id"]
        .as_str()
        .unwrap();
    let listed = app
        .gql(
            "{ platformTenants { edges { node { slug status } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        listed["data"]["platformTenants"]["edges"][0]["node"]["slug"],
        "wake"
    );
    let approved = app
        .gql(
            "mutation($t: UUID!) { approveTenant(input: { tenantId: $t }) { tenant { status } } }",
            json!({ "t": tenant_id }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        approved["data"]["approveTenant"]["tenant"]["status"], "ACTIVE",
        "{approved}"
    );
    // The approval is in the tenant's own audit log, naming the platform administrator.
    let audited = app
        .superuser()
        .await
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT count(*) AS n FROM audit_log WHERE tenant_id = '{tenant_id}' \
                 AND action = 'tenant.set_status' AND detail->>'after' = 'ACTIVE' \
                 AND detail ? 'platform_admin_id'"
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audited.try_get::<i64>("", "n").unwrap(), 1);

    let login = app.login("wake", "lead@wake.example", PASSWORD).await;
    let user_token = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(app.gql("{ me { id } }", json!({}), Some(&user_token)).await["data"]["me"].is_object());

    // No tenant data for the platform administrator, and no tenant management for tenants.
    assert_eq!(
        error_code(
            &app.gql(
                "{ users { edges { node { id } } } }",
                json!({}),
                Some(&admin)
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        error_code(
            &app.gql(
                "{ platformTenants { edges { node { id } } } }",
                json!({}),
                Some(&user_token)
            )
            .await
        ),
        "FORBIDDEN"
    );

    app.gql(
        "mutation($t: UUID!) { suspendTenant(input: { tenantId: $t }) { tenant { status } } }",
        json!({ "t": tenant_id }),
        Some(&admin),
    )
    .await;
    assert_eq!(
        error_code(&app.gql("{ me { id } }", json!({}), Some(&user_token)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(&app.login("wake", "lead@wake.example", PASSWORD).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn the_embedded_default_serves_sign_up_and_login_without_database_url() {
    let mut settings = test_settings("unused");
    settings.database_url = None;
    settings.redis_url = None;
    let data_dir = settings.data_dir.clone();
    let app = Application::build(settings)
        .await
        .expect("embedded default starts");
    assert!(data_dir.join("concord.sqlite").is_file());
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let post =
        |body: serde_json::Value| client.post(format!("{address}/graphql")).json(&body).send();
    let signed = post(json!({
        "query": "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { auth { accessToken } } }",
        "variables": { "i": { "cocName": "Durham", "cocCode": "NC-502", "slug": "durham", "adminEmail": "lead@durham.example", "adminName": "Lead", "password": PASSWORD } }
    }))
    .await
    .unwrap()
    .json::<serde_json::Value>()
    .await
    .unwrap();
    assert!(
        signed["data"]["signUpTenant"]["auth"]["accessToken"].is_string(),
        "{signed}"
    );
    let login = post(json!({
        "query": "mutation { login(input: { tenantSlug: \"durham\", email: \"lead@durham.example\", password: \"correct horse battery staple 42\" }) { user { role } } }"
    }))
    .await
    .unwrap()
    .json::<serde_json::Value>()
    .await
    .unwrap();
    assert_eq!(
        login["data"]["login"]["user"]["role"], "DATA_CENTER",
        "{login}"
    );
    let _ = std::fs::remove_dir_all(data_dir);
}

#[tokio::test]
async fn the_platform_administrators_session_ends_at_logout_and_after_thirty_idle_minutes() {
    let app = spawn_app().await;
    let (token, authenticator) = app.platform_admin("ops@concord.example").await;
    let app = &app;
    let tenants = |token: String| async move {
        app.gql(
            "{ platformTenants { edges { node { id } } } }",
            json!({}),
            Some(&token),
        )
        .await
    };

    assert!(tenants(token.clone()).await["data"]["platformTenants"].is_object());
    let out = app
        .gql("mutation { platformLogout }", json!({}), Some(&token))
        .await;
    assert_eq!(out["data"]["platformLogout"], true, "{out}");
    assert_eq!(error_code(&tenants(token).await), "UNAUTHENTICATED");

    // Signing in again takes a new code: the next step's (one step of drift), as the one
    // that confirmed the enrolment is spent.
    let again = app
        .platform_login(
            "ops@concord.example",
            Some(&app.totp_code(&authenticator, 1)),
        )
        .await;
    let token = again["data"]["platformLogin"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{again}"))
        .to_owned();
    assert!(tenants(token.clone()).await["data"]["platformTenants"].is_object());
    let db = app.superuser().await;
    db.execute_unprepared(
        "UPDATE platform_sessions SET last_seen_at = now() - interval '31 minutes' WHERE revoked_at IS NULL",
    )
    .await
    .unwrap();
    assert_eq!(error_code(&tenants(token).await), "UNAUTHENTICATED");
    let reasons = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT revoked_reason AS r FROM platform_sessions ORDER BY created_at",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "r").unwrap())
        .collect::<Vec<_>>();
    assert_eq!(reasons, ["logout", "idle"]);
}
