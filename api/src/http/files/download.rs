//! `GET /files/{id}`: the bytes, as a download, to a viewer the plan lets read them.
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use tracing_actix_web::RootSpan;
use uuid::Uuid;

use domain::error::DomainError;
use domain::records::attachments;
use domain::state::AppState;
use domain::storage::{StorageError, StorageKey};

use super::{FileError, authenticate, internal};

pub fn download_url(id: Uuid) -> String {
    format!("/files/{id}")
}

pub async fn download(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    root_span: RootSpan,
) -> HttpResponse {
    match open(&state, &request, &id, &root_span).await {
        Ok(response) => response,
        Err(err) => err.response(),
    }
}

async fn open(
    state: &AppState,
    request: &HttpRequest,
    id: &str,
    root_span: &RootSpan,
) -> Result<HttpResponse, FileError> {
    let user = authenticate(state, request, root_span).await?;
    let id = Uuid::try_parse(id).map_err(|_| DomainError::NotFound("attachment"))?;
    let row = attachments::open_download(state, &user, id).await?;
    let key = StorageKey::parse(&row.storage_key).map_err(internal)?;
    let body = match state.storage.get(&key).await {
        Ok(body) => body,
        Err(StorageError::NotFound) => {
            tracing::error!(attachment_id = %row.id, "attachment bytes missing from storage");
            return Err(DomainError::NotFound("attachment").into());
        }
        Err(e) => return Err(internal(e)),
    };
    let size = u64::try_from(row.size_bytes).map_err(internal)?;
    Ok(HttpResponse::Ok()
        .content_type(row.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(&row.file_name),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .no_chunking(size)
        .streaming(body))
}

/// `attachment` with an ASCII fallback name and the exact name in RFC 5987 form, so no
/// character of the stored name can break out of the header.
fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn download_names_cannot_break_the_header() {
        assert_eq!(
            content_disposition("lease \"2026\".pdf"),
            "attachment; filename=\"lease _2026_.pdf\"; filename*=UTF-8''lease%20%222026%22.pdf"
        );
        assert_eq!(
            content_disposition("acte né.pdf"),
            "attachment; filename=\"acte n_.pdf\"; filename*=UTF-8''acte%20n%C3%A9.pdf"
        );
    }
}
