//! Hostile requests are refused quickly and the server stays up.
use serde_json::json;

use crate::helpers::{error_code, spawn_app};

#[tokio::test]
async fn depth_complexity_aliases_body_and_batch_bombs_are_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let token = Some(tenant.token.as_str());

    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(12),
        " }".repeat(12)
    );
    let response = app.gql(&deep, json!({}), token).await;
    assert_limit(&response, "DEPTH");

    // Ten pages of a hundred agencies: 10 × 501 over the budget of 5,000.
    let wide: String = (0..10)
        .map(|i| {
            format!("a{i}: agencies(first: 100) {{ edges {{ node {{ id name createdAt }} }} }} ")
        })
        .collect();
    let response = app.gql(&format!("{{ {wide} }}"), json!({}), token).await;
    assert_limit(&response, "COMPLEXITY");

    // A thousand aliases of a cheap field: each would run a use case of its own.
    let aliases: String = (0..1000).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let response = app.gql(&format!("{{ {aliases} }}"), json!({}), token).await;
    assert_limit(&response, "TOP_LEVEL_FIELDS");
    // Through fragments too, and a fragment that spreads itself ends the count.
    let through_fragments: String = (0..21).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let response = app
        .gql(
            &format!("query {{ ...F }} fragment F on Query {{ {through_fragments} }}"),
            json!({}),
            token,
        )
        .await;
    assert_limit(&response, "TOP_LEVEL_FIELDS");
    let cycle = app
        .gql(
            "query { ...F } fragment F on Query { me { id } ...F }",
            json!({}),
            token,
        )
        .await;
    assert!(cycle["errors"][0]["message"].is_string(), "{cycle}");
    let twenty: String = (0..20).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let response = app.gql(&format!("{{ {twenty} }}"), json!({}), token).await;
    assert!(
        response["errors"].is_null(),
        "twenty top-level fields answer: {response}"
    );

    let huge = "x".repeat(10 * 1024 * 1024);
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await;
    match response {
        Ok(response) => assert_eq!(response.status().as_u16(), 413),
        // The server may close the connection before the client has finished sending.
        Err(err) => assert!(err.is_request() || err.is_body(), "{err}"),
    }

    let batch: Vec<_> = (0..100)
        .map(|_| json!({ "query": "{ me { id } }" }))
        .collect();
    let response = app.post(json!(batch), token).await;
    assert_eq!(response.status().as_u16(), 400);
    let small: Vec<_> = (0..3)
        .map(|_| json!({ "query": "{ me { id } }" }))
        .collect();
    let response: serde_json::Value = app.post(json!(small), token).await.json().await.unwrap();
    assert_eq!(response.as_array().unwrap().len(), 3);

    let malformed = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);

    let alive = app.gql("{ me { id } }", json!({}), token).await;
    assert!(alive["data"]["me"]["id"].is_string());
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success());
    let (_, ready) = app.get_json("/readyz").await;
    assert_eq!(
        ready,
        json!({ "database": true, "migrations": true, "redis": true })
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("concord_http_requests_total"));
}

#[tokio::test]
async fn the_checked_in_schema_matches_the_code() {
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        checked_in == concord_api::graphql::sdl(),
        "api/schema.graphql is stale: run `cargo run -p concord-api --bin concord -- print-schema > api/schema.graphql`"
    );
}

#[tokio::test]
async fn production_turns_off_introspection_and_graphiql() {
    let app = spawn_app_production().await;
    let response = app
        .gql("{ __schema { types { name } } }", json!({}), None)
        .await;
    assert!(response["data"]["__schema"].is_null(), "{response}");
    let graphiql = app
        .client
        .get(format!("{}/graphiql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status().as_u16(), 404);
}

async fn spawn_app_production() -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(|s| s.environment = domain::settings::Environment::Production)
        .await
}

/// Refused by the named limit, with the code every limit's refusal carries.
fn assert_limit(response: &serde_json::Value, limit: &str) {
    assert_eq!(error_code(response), "QUERY_LIMIT", "{response}");
    assert_eq!(
        response["errors"][0]["extensions"]["limit"], limit,
        "{response}"
    );
    assert!(response["data"].is_null(), "nothing runs: {response}");
}
