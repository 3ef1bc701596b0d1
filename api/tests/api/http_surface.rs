//! What every HTTP response carries, and who may read `/metrics`.
use domain::settings::Environment;
use secrecy::SecretString;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn the_console_may_not_be_framed_and_runs_only_its_own_scripts() {
    let app = spawn_app().await;
    for path in ["/", "/healthz"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let policy = response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("script-src 'self'"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    }
}

#[tokio::test]
async fn metrics_answer_only_the_bearer_of_the_metrics_token() {
    let app = spawn_app_with(|s| {
        s.metrics_token = Some(SecretString::from("scrape-me-if-you-can-7f3a"));
    })
    .await;
    let get = |token: Option<&'static str>| {
        let mut request = app.client.get(format!("{}/metrics", app.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(get(None).await.unwrap().status().as_u16(), 401);
    assert_eq!(get(Some("a guess")).await.unwrap().status().as_u16(), 401);
    let allowed = get(Some("scrape-me-if-you-can-7f3a")).await.unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    let body = allowed.text().await.unwrap();
    assert!(body.contains("concord_password_work_total"), "{body}");
}

#[tokio::test]
async fn production_without_a_metrics_token_serves_no_metrics() {
    let app = spawn_app_with(|s| s.environment = Environment::Production).await;
    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

/// Every screen of the console has an address that survives a reload: the server answers a
/// screen's address with the console's page, and a missing file of the bundle with 404.
#[tokio::test]
async fn a_screens_address_serves_the_console_and_a_missing_file_is_not_found() {
    let dir = std::env::temp_dir().join(format!("concord-console-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>console</title>",
    )
    .unwrap();
    std::fs::write(dir.join("app.js"), "// the bundle").unwrap();
    let console = dir.clone();
    let app = spawn_app_with(move |s| s.console_dir = Some(console)).await;
    let get = |path: &'static str| app.client.get(format!("{}{path}", app.address)).send();
    for screen in [
        "/",
        "/agencies",
        "/clients/6f1c2a3e-0000-4000-8000-000000000000",
    ] {
        let response = get(screen).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{screen}");
        assert!(
            response.text().await.unwrap().contains("<title>console"),
            "{screen}"
        );
    }
    assert_eq!(
        get("/app.js").await.unwrap().text().await.unwrap(),
        "// the bundle"
    );
    assert_eq!(get("/missing.js").await.unwrap().status().as_u16(), 404);
    std::fs::remove_dir_all(dir).unwrap();
}
