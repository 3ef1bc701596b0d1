//! The GraphQL endpoint. The body is read as bytes under a size limit (the async-graphql
//! actix extractors read without one), parsed here, and a batch is capped before anything
//! runs. The caller's token is checked once, before execution.
use crate::error::ErrorResponse;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::dataloader::DataLoader;
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse};
use serde_json::json;
use std::sync::Arc;

use super::session_cookie::RefreshCookie;
use crate::graphql::ConcordSchema;
use crate::graphql::loaders::{
    AgencyNames, CaseOfConflict, EnrollmentsOfClient, LoadFor, UserNames,
};
use domain::auth::{ClientAddress, PasswordWork, Viewer, sessions};
use domain::state::AppState;

pub async fn graphql(
    schema: web::Data<ConcordSchema>,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
    root_span: tracing_actix_web::RootSpan,
) -> HttpResponse {
    let mut batch: BatchRequest = match serde_json::from_slice(&body) {
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
    let (viewer, reads) = match bearer(&request) {
        None => (Viewer::Anonymous, None),
        Some(token) => {
            match sessions::authenticate_request(&state, token, only_reads(&mut batch)).await {
                Ok(checked) => checked,
                Err(err) => return respond(&BatchResponse::Single(error_response(err))),
            }
        }
    };
    if let Viewer::User(user) = &viewer {
        root_span.record("tenant_id", tracing::field::display(user.tenant_id));
        root_span.record("user_id", tracing::field::display(user.user_id));
    }
    let address = client_address(&request, state.settings.trusted_proxies);
    let mut batch = batch
        .data(address)
        .data(PasswordWork::default())
        .data(RefreshCookie::of(&request));
    if let Viewer::User(user) = &viewer {
        // Per request: a loader batches for one viewer, under the plan as that viewer sees it.
        let load_for = LoadFor {
            state: state.get_ref().clone(),
            viewer: user.clone(),
            reads: reads.clone(),
        };
        batch = batch
            .data(Arc::new(DataLoader::new(
                EnrollmentsOfClient(load_for.clone()),
                tokio::spawn,
            )))
            .data(Arc::new(DataLoader::new(
                CaseOfConflict(load_for.clone()),
                tokio::spawn,
            )))
            .data(Arc::new(DataLoader::new(
                UserNames(load_for.clone()),
                tokio::spawn,
            )))
            .data(Arc::new(DataLoader::new(
                AgencyNames(load_for),
                tokio::spawn,
            )));
    }
    if let Some(reads) = &reads {
        batch = batch.data(reads.clone());
    }
    let batch = batch.data(viewer);
    let response: BatchResponse = schema.execute_batch(batch).await;
    if let Some(reads) = reads {
        // The answer leaves only once what the reads wrote (the view log) is committed.
        if let Err(err) = reads.finish().await {
            return respond(&BatchResponse::Single(error_response(err)));
        }
    }
    respond(&response)
}

/// True when every operation of the batch is a query: such a request's reads share one tenant
/// transaction (`ReadScope`). A mutation, or anything that does not parse (which execution
/// then refuses), keeps a transaction per use case. The parse is kept in the request, and
/// execution uses it rather than parsing again.
fn only_reads(batch: &mut BatchRequest) -> bool {
    let requests: Vec<&mut async_graphql::Request> = match batch {
        BatchRequest::Single(one) => vec![one],
        BatchRequest::Batch(many) => many.iter_mut().collect(),
    };
    requests.into_iter().all(|request| {
        let name = request.operation_name.clone();
        let Ok(document) = request.parsed_query() else {
            return false;
        };
        let chosen = match (&document.operations, name.as_deref()) {
            (DocumentOperations::Single(operation), _) => Some(operation),
            (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
            // A named operation alone in its document is run without its name being given.
            (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
                operations.values().next()
            }
            (DocumentOperations::Multiple(_), None) => None,
        };
        chosen.is_some_and(|operation| operation.node.ty == OperationType::Query)
    })
}

fn error_response(err: domain::error::DomainError) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![
        err.into_graphql()
            .into_server_error(async_graphql::Pos::default()),
    ])
}

/// The GraphQL answer, with HTTP status 200 — or 503 and `Retry-After` when the database
/// could not be reached (`UNAVAILABLE`), so that load balancers and clients retry instead of
/// taking it for an answer — and the headers its resolvers set (the console's refresh cookie).
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
    let mut answer = if unavailable {
        let mut answer = HttpResponse::ServiceUnavailable();
        answer.insert_header(("Retry-After", "5"));
        answer
    } else {
        HttpResponse::Ok()
    };
    for (name, value) in responses.iter().flat_map(|r| r.http_headers.iter()) {
        answer.append_header((name.as_str(), value.as_bytes()));
    }
    answer.json(response)
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

pub(crate) fn client_address(request: &HttpRequest, trusted_proxies: usize) -> ClientAddress {
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
