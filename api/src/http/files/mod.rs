//! Attachments over plain HTTP, streamed both ways (GraphQL multipart is avoided: its
//! extractors buffer whole bodies).
//!
//! - `POST /files?clientId=&category=&fileName=&medical=&noDiagnosisConfirmed=&serviceId=`
//!   (`&replaces=<id>&expectedVersion=<n>` to replace a file, ATT-1), the raw bytes as the body
//!   and their type as `Content-Type` → `201` with the attachment in JSON. The file name may
//!   come in an `X-File-Name` header (percent-encoded UTF-8) instead, which keeps it out of
//!   request logs that record the URL.
//! - `GET /files/{id}` → the bytes, as a download.
//!
//! Every rule is asked before a byte is stored; errors are GraphQL-shaped JSON
//! (`errors[0].extensions.code` and `.rule`) with an HTTP status to match.
mod download;
mod upload;

pub use download::{download, download_url};
pub use upload::upload;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;
use tracing_actix_web::RootSpan;

use crate::error::ErrorResponse;
use domain::auth::{TenantUser, sessions};
use domain::error::DomainError;
use domain::records::attachments::ALLOWED_CONTENT_TYPES;
use domain::state::AppState;

enum FileError {
    Api(DomainError),
    TooLarge(u64),
    UnsupportedType,
    /// The declared type and the bytes disagree.
    ContentMismatch,
    BadRequest(String),
}

impl From<DomainError> for FileError {
    fn from(err: DomainError) -> Self {
        Self::Api(err)
    }
}

impl FileError {
    fn response(self) -> HttpResponse {
        let (status, message, extensions) = match self {
            Self::Api(err) => (
                StatusCode::from_u16(err.http_status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                err.to_string(),
                err.extensions(),
            ),
            Self::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("files may be at most {limit} bytes"),
                json!({ "code": "PAYLOAD_TOO_LARGE" }),
            ),
            Self::UnsupportedType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "send the file with one of these Content-Types: {}",
                    ALLOWED_CONTENT_TYPES.join(", ")
                ),
                json!({ "code": "UNSUPPORTED_MEDIA_TYPE" }),
            ),
            Self::ContentMismatch => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the file's contents are not of the type its Content-Type declares".to_owned(),
                json!({ "code": "UNSUPPORTED_MEDIA_TYPE" }),
            ),
            Self::BadRequest(message) => (
                StatusCode::BAD_REQUEST,
                message,
                json!({ "code": "BAD_REQUEST" }),
            ),
        };
        HttpResponse::build(status)
            .json(json!({ "errors": [{ "message": message, "extensions": extensions }] }))
    }
}

fn internal(err: impl Into<anyhow::Error>) -> FileError {
    FileError::Api(DomainError::internal(err))
}

/// The signed-in tenant user behind the `Authorization: Bearer` header.
async fn authenticate(
    state: &AppState,
    request: &HttpRequest,
    root_span: &RootSpan,
) -> Result<TenantUser, FileError> {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(DomainError::Unauthenticated("sign in first"))?;
    let viewer = sessions::authenticate(state, token).await?;
    let user = viewer.acting()?.clone();
    root_span.record("tenant_id", tracing::field::display(user.tenant_id));
    root_span.record("user_id", tracing::field::display(user.user_id));
    Ok(user)
}
