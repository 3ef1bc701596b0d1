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
