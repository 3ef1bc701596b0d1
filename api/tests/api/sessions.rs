use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use domain::auth::tokens::{Subject, TokenKeys, generate_pem_pair};
use domain::clock::TestClock;
use domain::settings::Settings;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{PASSWORD, error_code, spawn_app, spawn_app_with_clock};

const ME: &str = "{ me { id } }";

#[tokio::test]
async fn a_refresh_token_rotates_and_its_reuse_revokes_the_whole_family() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let refresh = |token: &str| {
        app.gql(
            "mutation($r: String!) { refreshSession(input: { refreshToken: $r }) { accessToken refreshToken } }",
            json!({ "r": token }),
            None,
        )
    };
    let first = refresh(&tenant.refresh).await;
    let second_refresh = first["data"]["refreshSession"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let second_access = first["data"]["refreshSession"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(second_refresh, tenant.refresh);
    assert!(app.gql(ME, json!({}), Some(&second_access)).await["data"]["me"].is_object());

    // The spent token comes back: someone else holds a copy. The whole session ends.
    assert_eq!(
        error_code(&refresh(&tenant.refresh).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(&refresh(&second_refresh).await),
        "UNAUTHENTICATED",
        "the newest token of the family is revoked too"
    );
    assert_eq!(
        error_code(&app.gql(ME, json!({}), Some(&second_access)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(error_code(&refresh("garbage").await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let out = app
        .gql("mutation { logout }", json!({}), Some(&tenant.token))
        .await;
    assert_eq!(out["data"]["logout"], true);
    assert_eq!(
        error_code(&app.gql(ME, json!({}), Some(&tenant.token)).await),
        "UNAUTHENTICATED"
    );
    let refreshed = app
        .gql(
            "mutation($r: String!) { refreshSession(input: { refreshToken: $r }) { accessToken } }",
            json!({ "r": tenant.refresh }),
            None,
        )
        .await;
    assert_eq!(error_code(&refreshed), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_session_idle_for_thirty_minutes_ends() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    app.superuser()
        .await
        .execute_unprepared("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
        .await
        .unwrap();
    assert_eq!(
        error_code(&app.gql(ME, json!({}), Some(&tenant.token)).await),
        "UNAUTHENTICATED"
    );
    let refreshed = app
        .gql(
            "mutation($r: String!) { refreshSession(input: { refreshToken: $r }) { accessToken } }",
            json!({ "r": tenant.refresh }),
            None,
        )
        .await;
    assert_eq!(error_code(&refreshed), "UNAUTHENTICATED");
}

/// Every time limit of a session reads the application's one clock: moving it expires the
/// access token (15 minutes) and then ends the idle session (30 minutes), with no waiting
/// and no edits to the database.
#[tokio::test]
async fn session_limits_follow_the_application_clock() {
    let clock = Arc::new(TestClock::new(Utc::now()));
    let app = spawn_app_with_clock(clock.clone()).await;
    let tenant = app.sign_up("durham").await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.gql(
                "mutation($r: String!) { refreshSession(input: { refreshToken: $r }) { accessToken refreshToken } }",
                json!({ "r": token }),
                None,
            )
            .await
        }
    };

    clock.advance(Duration::minutes(14));
    let me = app.gql(ME, json!({}), Some(&tenant.token)).await;
    assert!(me["errors"].is_null(), "{me}");

    clock.advance(Duration::minutes(2));
    assert_eq!(
        error_code(&app.gql(ME, json!({}), Some(&tenant.token)).await),
        "UNAUTHENTICATED",
        "the access token is past its 15 minutes by the application's clock"
    );
    let renewed = refresh(tenant.refresh.clone()).await;
    let access = renewed["data"]["refreshSession"]["accessToken"]
        .as_str()
        .expect("the session is 2 minutes idle, not 30")
        .to_owned();
    let next_refresh = renewed["data"]["refreshSession"]["refreshToken"]
        .as_str()
        .expect("a new refresh token")
        .to_owned();
    let me = app.gql(ME, json!({}), Some(&access)).await;
    assert!(me["errors"].is_null(), "{me}");

    clock.advance(Duration::minutes(31));
    assert_eq!(error_code(&refresh(next_refresh).await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn expired_forged_unsigned_wrong_key_and_other_tenant_tokens_are_refused() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    let subject = |tenant_id, user_id| Subject {
        user_id,
        role: "DATA_CENTER".into(),
        tenant_id: Some(tenant_id),
        agency_id: None,
        session_id: a.token_session(),
        service_account: None,
    };

    let expired = app
        .state
        .keys
        .issue(&subject(a.id, a.user_id), Utc::now() - Duration::hours(1))
        .unwrap()
        .token;
    let (private, public) = generate_pem_pair().unwrap();
    let other_keys = TokenKeys::from_pem(
        private.as_bytes(),
        public.as_bytes(),
        &Settings::with_data_dir("/x".into()),
    )
    .unwrap();
    let wrong_key = other_keys
        .issue(&subject(a.id, a.user_id), Utc::now())
        .unwrap()
        .token;
    // A's user presented as a member of B: the signature is real, the claim is not.
    let other_tenant = app
        .state
        .keys
        .issue(&subject(b.id, a.user_id), Utc::now())
        .unwrap()
        .token;

    let parts: Vec<&str> = a.token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = json!("PLATFORM_ADMIN");
    let tampered = URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = format!("{}.{}.{}", parts[0], tampered, parts[2]);
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    let hs_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let hmac_confused = format!("{hs_header}.{}.{}", parts[1], parts[2]);

    for (name, token) in [
        ("expired", expired),
        ("wrong key", wrong_key),
        ("other tenant", other_tenant),
        ("forged", forged),
        ("alg none", unsigned),
        ("alg HS256", hmac_confused),
        ("not a token", "abc".to_owned()),
    ] {
        let response = app.gql(ME, json!({}), Some(&token)).await;
        assert_eq!(
            error_code(&response),
            "UNAUTHENTICATED",
            "{name}: {response}"
        );
    }
    assert!(app.gql(ME, json!({}), Some(&a.token)).await["data"]["me"].is_object());
}

#[tokio::test]
async fn a_deactivated_users_token_is_refused_at_once_even_after_redis_is_flushed() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let agency = app.create_agency(&tenant.token, "Urban Ministries").await;
    let agency_id = agency["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (staff_token, staff_id) = app
        .add_user(
            &tenant.token,
            "durham",
            "staff@um.example",
            "USER",
            Some(&agency_id),
        )
        .await;
    assert!(app.gql(ME, json!({}), Some(&staff_token)).await["data"]["me"].is_object());

    let done = app
        .gql(
            "mutation($u: UUID!) { deactivateUser(input: { userId: $u }) { user { status } } }",
            json!({ "u": staff_id }),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(
        done["data"]["deactivateUser"]["user"]["status"],
        "DEACTIVATED"
    );
    assert_eq!(
        error_code(&app.gql(ME, json!({}), Some(&staff_token)).await),
        "UNAUTHENTICATED"
    );

    // Revocations survive losing Redis: the database holds them too.
    let mut redis = redis::Client::open(crate::helpers::redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", app.state.settings.redis_prefix))
        .query_async(&mut redis)
        .await
        .unwrap();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut redis)
            .await
            .unwrap();
    }
    assert_eq!(
        error_code(&app.gql(ME, json!({}), Some(&staff_token)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(&app.login("durham", "staff@um.example", PASSWORD).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_role_change_ends_the_users_sessions() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let agency = app.create_agency(&tenant.token, "Urban Ministries").await;
    let agency_id = agency["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (staff_token, staff_id) = app
        .add_user(
            &tenant.token,
            "durham",
            "staff@um.example",
            "USER",
            Some(&agency_id),
        )
        .await;
    let changed = app
        .gql(
            "mutation($u: UUID!, $a: UUID) { setUserRole(input: { userId: $u, role: AGENCY_ADMIN, agencyId: $a }) { user { role } } }",
            json!({ "u": staff_id, "a": agency_id }),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(
        changed["data"]["setUserRole"]["user"]["role"], "AGENCY_ADMIN",
        "{changed}"
    );
    assert_eq!(
        error_code(&app.gql(ME, json!({}), Some(&staff_token)).await),
        "UNAUTHENTICATED"
    );
    let again = app.login("durham", "staff@um.example", PASSWORD).await;
    assert_eq!(again["data"]["login"]["user"]["role"], "AGENCY_ADMIN");
}

trait SessionOf {
    fn token_session(&self) -> Option<uuid::Uuid>;
}

impl SessionOf for crate::helpers::Tenant {
    /// The session id inside the tenant's access token.
    fn token_session(&self) -> Option<uuid::Uuid> {
        let payload = self.token.split('.').nth(1)?;
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        claims["sid"].as_str()?.parse().ok()
    }
}

/// What a cookie-carrying request to `/graphql` answered: its body and the `Set-Cookie` it set.
async fn with_cookie(
    app: &crate::helpers::TestApp,
    query: &str,
    variables: serde_json::Value,
    cookie: Option<&str>,
    token: Option<&str>,
) -> (serde_json::Value, Option<String>) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let set = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().expect("ascii").to_owned());
    (response.json().await.expect("json"), set)
}

/// `name=value` of a `Set-Cookie` header, as the browser sends it back.
fn sent_back(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .expect("a pair")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn the_consoles_refresh_token_stays_in_an_http_only_cookie_and_rotates_there() {
    let app = spawn_app().await;
    let tenant = app.sign_up("cookie-coc").await;
    const LOGIN: &str =
        "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }";
    const REFRESH: &str = "mutation { refreshSession(input: {}) { accessToken refreshToken } }";
    let sign_in = || {
        with_cookie(
            &app,
            LOGIN,
            json!({ "i": { "tenantSlug": "cookie-coc", "email": tenant.email,
                "password": PASSWORD, "refreshTokenIn": "COOKIE" } }),
            None,
            None,
        )
    };
    let (signed_in, set) = sign_in().await;
    assert!(
        signed_in["data"]["login"]["accessToken"].is_string(),
        "{signed_in}"
    );
    assert!(
        signed_in["data"]["login"]["refreshToken"].is_null(),
        "the refresh token never reaches scripts: {signed_in}"
    );
    let set = set.expect("a Set-Cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/graphql"] {
        assert!(set.contains(part), "{part} missing from {set}");
    }
    let first = sent_back(&set);

    // A reload: the console has no token, only the cookie the browser sends.
    let (renewed, set) = with_cookie(&app, REFRESH, json!({}), Some(&first), None).await;
    let access = renewed["data"]["refreshSession"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{renewed}"));
    assert!(renewed["data"]["refreshSession"]["refreshToken"].is_null());
    assert!(app.gql(ME, json!({}), Some(access)).await["data"]["me"].is_object());
    let second = sent_back(&set.expect("the rotated token goes back into the cookie"));
    assert_ne!(second, first, "rotated on use");

    // The spent cookie again: reuse ends the session, as for any refresh token.
    let (reused, _) = with_cookie(&app, REFRESH, json!({}), Some(&first), None).await;
    assert_eq!(error_code(&reused), "UNAUTHENTICATED", "{reused}");
    let (ended, _) = with_cookie(&app, REFRESH, json!({}), Some(&second), None).await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED", "{ended}");

    // No cookie, no token: a clear refusal, not a crash.
    let (none, set) = with_cookie(&app, REFRESH, json!({}), None, None).await;
    assert_eq!(error_code(&none), "UNAUTHENTICATED", "{none}");
    assert!(set.is_none());

    // Signing out makes the browser forget the cookie, and the session ends with it.
    let (again, set) = sign_in().await;
    let access = again["data"]["login"]["accessToken"]
        .as_str()
        .expect("signed in");
    let cookie = sent_back(&set.expect("a cookie"));
    let (out, set) = with_cookie(
        &app,
        "mutation { logout }",
        json!({}),
        Some(&cookie),
        Some(access),
    )
    .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert!(set.expect("cleared").contains("Max-Age=0"));
    let (after, _) = with_cookie(&app, REFRESH, json!({}), Some(&cookie), None).await;
    assert_eq!(error_code(&after), "UNAUTHENTICATED", "{after}");
}
