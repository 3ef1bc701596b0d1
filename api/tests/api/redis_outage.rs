//! Redis lost under load (issue 12): signed-in people go on working, because the database
//! decides whether a session is alive and Redis only holds a shortcut to that; a revoked
//! token is refused all the same; what needs a shared counter (sign-in's throttle) is
//! refused as `UNAVAILABLE` (503), never `INTERNAL` and never let through uncounted;
//! `/readyz` stays ready and says Redis is down; sign-in works again once Redis is back.
//!
//! The Redis is this test's own, on a port of its own, so stopping it leaves the Redis the
//! other tests share alone.
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, error_code, free_port, spawn_app_with};

/// `redis-server` on `port`, in memory only; stopped (SIGKILL) when dropped.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

const ME: &str = "{ me { id } }";

async fn me(app: &TestApp, token: &str) -> Value {
    app.gql(ME, json!({}), Some(token)).await
}

#[tokio::test]
async fn with_redis_down_sessions_hold_revocations_hold_and_sign_in_is_refused_as_unavailable() {
    let mut redis = RedisServer::start(free_port());
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let app = spawn_app_with(|s| s.redis_url = Some(SecretString::from(url))).await;
    let tenant = app.sign_up("redis-outage").await;
    let second = app.login("redis-outage", &tenant.email, PASSWORD).await;
    let second = second["data"]["login"]["accessToken"]
        .as_str()
        .expect("a second session")
        .to_owned();
    assert!(me(&app, &second).await["data"]["me"]["id"].is_string());

    redis.stop();

    // Signed-in people go on: a burst of reads, each answered, none failing.
    let started = Instant::now();
    let answers = join_all((0..20).map(|_| me(&app, &tenant.token))).await;
    for answer in &answers {
        assert!(answer["data"]["me"]["id"].is_string(), "{answer}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "reads waited on the missing Redis"
    );

    // Signing out works (the database holds the revocation), and the token is refused.
    let out = app
        .gql("mutation { logout }", json!({}), Some(&second))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let refused = me(&app, &second).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
    assert!(
        refused["data"]["me"].is_null(),
        "a revoked token was let through: {refused}"
    );

    // Sign-in needs the shared throttle: refused as unavailable, with the HTTP status saying so.
    let response = app
        .post(
            json!({
                "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                "variables": { "i": { "tenantSlug": "redis-outage", "email": tenant.email, "password": PASSWORD } }
            }),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 503);
    let body: Value = response.json().await.expect("a JSON answer");
    assert_eq!(error_code(&body), "UNAVAILABLE", "{body}");
    assert!(body["data"]["login"].is_null(), "{body}");

    // Still ready (the database is there), and the reason sign-in fails is named.
    let (status, ready) = app.get_json("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["redis"], false, "{ready}");
    assert_eq!(ready["database"], true, "{ready}");

    // Redis back on its port: sign-in works again within seconds; the revoked token stays so.
    let _redis = RedisServer::start(redis.port);
    let back = Instant::now();
    loop {
        let login = app.login("redis-outage", &tenant.email, PASSWORD).await;
        if login["data"]["login"]["accessToken"].is_string() {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "sign-in did not come back with Redis: {login}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(error_code(&me(&app, &second).await), "UNAUTHENTICATED");
    assert!(me(&app, &tenant.token).await["data"]["me"]["id"].is_string());
}
