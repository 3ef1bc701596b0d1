//! The GraphQL endpoint. The body is read as bytes under a size limit (the async-graphql
//! actix extractors read without one), parsed here, and a batch is capped before anything
//! runs. The caller's token is checked once, before execution.
use crate::error::ErrorResponse;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::dataloader::DataLoader;
use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, BatchResponse};
use serde_json::json;

use crate::graphql::ConcordSchema;
use crate::graphql::loaders::{CaseOfConflict, EnrollmentsOfClient};
use domain::auth::{ClientAddress, PasswordWork, Viewer, sessions};
use domain::state::AppState;

pub async fn graphql(
    schema: web::Data<ConcordSchema>,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
    root_span: tracing_actix_web::RootSpan,
) -> HttpResponse {
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(_) => return bad_request("the body is not a GraphQL request in JSON"),
    };
    let count = match &batch {
        BatchRequest::Single(_) => 1,
        BatchRequest::Batch(requests) => requests.len(),
    };
    if count == 0 || count > state.settings.limits.max_batch {
        return bad_request(&format!(
            "send 1 to {} operations per request",
            state.settings.limits.max_batch
        ));
    }
    let viewer = match bearer(&request) {
        None => Viewer::Anonymous,
        Some(token) => match sessions::authenticate(&state, token).await {
            Ok(viewer) => viewer,
            Err(err) => {
                let err = err.into_graphql();
                let response = async_graphql::Response::from_errors(vec![
                    err.into_server_error(async_graphql::Pos::default()),
                ]);
                return respond(&BatchResponse::Single(response));
            }
        },
    };
    if let Viewer::User(user) = &viewer {
        root_span.record("tenant_id", tracing::field::display(user.tenant_id));
        root_span.record("user_id", tracing::field::display(user.user_id));
    }
    let address = client_address(&request, state.settings.trusted_proxies);
    let mut batch = batch.data(address).data(PasswordWork::default());
    if let Viewer::User(user) = &viewer {
        // Per request: a loader batches for one viewer, under the plan as that viewer sees it.
        let enrollments = EnrollmentsOfClient {
            state: state.get_ref().clone(),
            viewer: user.clone(),
        };
        let cases = CaseOfConflict {
            state: state.get_ref().clone(),
            viewer: user.clone(),
        };
        batch = batch
            .data(std::sync::Arc::new(DataLoader::new(
                enrollments,
                tokio::spawn,
            )))
            .data(std::sync::Arc::new(DataLoader::new(cases, tokio::spawn)));
    }
    let batch = batch.data(viewer);
    let response: BatchResponse = schema.execute_batch(batch).await;
    respond(&response)
}

/// The GraphQL answer, with HTTP status 200 — or 503 and `Retry-After` when the database
/// could not be reached (`UNAVAILABLE`), so that load balancers and clients retry instead of
/// taking it for an answer.
fn respond(response: &BatchResponse) -> HttpResponse {
    let responses: Vec<&async_graphql::Response> = match response {
        BatchResponse::Single(one) => vec![one],
        BatchResponse::Batch(many) => many.iter().collect(),
    };
    let unavailable = responses.iter().flat_map(|r| &r.errors).any(|e| {
        e.extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .is_some_and(|code| *code == async_graphql::Value::from("UNAVAILABLE"))
    });
    if unavailable {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .json(response)
    } else {
        HttpResponse::Ok().json(response)
    }
}

pub async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(GraphiQLSource::build().endpoint("/graphql").finish())
}

fn bearer(request: &HttpRequest) -> Option<&str> {
    request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn client_address(request: &HttpRequest, trusted_proxies: usize) -> ClientAddress {
    let hops = request
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok());
    ClientAddress::from_hops(
        request.peer_addr().map(|peer| peer.ip()),
        hops,
        trusted_proxies,
    )
}

fn bad_request(message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(
        json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] }),
    )
}
