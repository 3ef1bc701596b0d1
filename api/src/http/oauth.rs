//! `POST /oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for service
//! accounts, so that an integration's OAuth library gets its token without knowing GraphQL.
//! The client authenticates with HTTP Basic (§2.3.1) or with `client_id` and `client_secret`
//! in the form body. The same exchange is GraphQL's `serviceAccountToken`.
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

use super::graphql::client_address;
use crate::error::ErrorResponse;
use domain::auth::service_accounts;
use domain::error::DomainError;
use domain::state::AppState;

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub async fn token(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: Option<web::Form<TokenRequest>>,
) -> HttpResponse {
    let Some(web::Form(form)) = form else {
        return oauth_error(
            400,
            "invalid_request",
            "send an application/x-www-form-urlencoded body",
        );
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            400,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let credentials = match (
        basic_credentials(&request),
        form.client_id,
        form.client_secret,
    ) {
        (Some(Some(basic)), None, None) => basic,
        (Some(None), None, None) => return invalid_client("the Basic credentials do not read"),
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return oauth_error(
                400,
                "invalid_request",
                "authenticate with HTTP Basic or with client_id and client_secret, not both",
            );
        }
    };
    let from = client_address(&request, state.settings.trusted_proxies);
    match service_accounts::issue_token(&state, &credentials.0, &credentials.1, &from).await {
        Ok(issued) => {
            let mut body = json!({
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": service_accounts::token_lifetime_secs(),
            });
            if let Some(scopes) = issued.scopes {
                body["scope"] = json!(scopes.to_claim());
            }
            HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::PRAGMA, "no-cache"))
                .json(body)
        }
        Err(err) => domain_error(&err),
    }
}

/// `Authorization: Basic base64(client_id:client_secret)`: `None` without Basic credentials,
/// `Some(None)` when they do not read (RFC 6749 §2.3.1; the scheme's name in any case).
fn basic_credentials(request: &HttpRequest) -> Option<Option<(String, String)>> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    Some(decoded.and_then(|decoded| {
        let (id, secret) = decoded.split_once(':')?;
        Some((id.to_owned(), secret.to_owned()))
    }))
}

/// `invalid_client` (RFC 6749 §5.2): 401, with the scheme the client may authenticate by.
fn invalid_client(description: &str) -> HttpResponse {
    let mut response = oauth_error(401, "invalid_client", description);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"concord\""),
    );
    response
}

/// A domain error as RFC 6749 §5.2 names it, with the status the other routes give it.
fn domain_error(err: &DomainError) -> HttpResponse {
    let (code, description) = match err {
        DomainError::Unauthenticated(_) => return invalid_client(&err.to_string()),
        DomainError::Validation { .. } => ("invalid_request", err.to_string()),
        // Not one of §5.2's: the answer to wait, as the authorization endpoint's (§4.1.2.1).
        DomainError::RateLimited { .. } => ("temporarily_unavailable", err.to_string()),
        _ => (
            "server_error",
            "the token could not be issued; try again".to_owned(),
        ),
    };
    let mut response = oauth_error(err.http_status(), code, &description);
    if let DomainError::RateLimited { retry_after_secs } = err
        && let Ok(value) = header::HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    if let DomainError::Internal(source) | DomainError::Unavailable(source) = err {
        tracing::error!(error = format!("{source:#}"), "token not issued");
    }
    response
}

fn oauth_error(status: u16, code: &str, description: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(json!({ "error": code, "error_description": description }))
}
