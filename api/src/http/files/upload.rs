//! `POST /files`: every rule is asked before a byte is stored.
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use serde_json::json;
use tracing_actix_web::RootSpan;
use uuid::Uuid;

use domain::error::DomainError;
use domain::records::attachments::{self, ALLOWED_CONTENT_TYPES, UploadRequest, parse_category};
use domain::state::AppState;
use domain::storage::PutError;

use super::download::download_url;
use super::{FileError, authenticate, internal};

/// Bytes read ahead to check that a file starts as its declared type does.
const SNIFF_BYTES: usize = 16;
/// A refused upload's remaining body is read and discarded up to this many times the upload
/// limit, for at most `DRAIN_TIME`.
const DRAIN_FACTOR: u64 = 4;
const DRAIN_TIME: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadQuery {
    client_id: Option<Uuid>,
    category: String,
    file_name: Option<String>,
    #[serde(default)]
    medical: bool,
    #[serde(default)]
    no_diagnosis_confirmed: bool,
    service_id: Option<Uuid>,
    replaces: Option<Uuid>,
    expected_version: Option<i32>,
}

/// The declared type without parameters (`text/plain; charset=utf-8` → `text/plain`), if
/// Concord stores that type.
fn allowed_content_type(request: &HttpRequest) -> Option<String> {
    let raw = request.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = raw.split(';').next()?.trim().to_ascii_lowercase();
    let essence = match essence.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg".to_owned(),
        _ => essence,
    };
    ALLOWED_CONTENT_TYPES
        .contains(&essence.as_str())
        .then_some(essence)
}

/// Whether the first bytes of a file are what its declared type starts with.
fn looks_like(content_type: &str, head: &[u8]) -> bool {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    match content_type {
        "application/pdf" => at(0, b"%PDF-"),
        "image/png" => at(0, b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => at(0, b"\xff\xd8\xff"),
        "image/gif" => at(0, b"GIF87a") || at(0, b"GIF89a"),
        "image/webp" => at(0, b"RIFF") && at(8, b"WEBP"),
        "image/tiff" => at(0, b"II*\0") || at(0, b"MM\0*"),
        "image/heic" | "image/heif" => at(4, b"ftyp"),
        // Plain text has no signature; it has no NUL bytes either.
        "text/plain" => !head.contains(&0),
        _ => false,
    }
}

fn file_name(request: &HttpRequest, query: Option<String>) -> Result<String, FileError> {
    if let Some(name) = query {
        return Ok(name);
    }
    let header = request
        .headers()
        .get("x-file-name")
        .ok_or_else(|| DomainError::validation("fileName", "give the file a name"))?;
    let encoded = header.to_str().map_err(|_| {
        DomainError::validation("fileName", "percent-encode the X-File-Name header")
    })?;
    percent_decode(encoded)
        .ok_or_else(|| DomainError::validation("fileName", "the file name is not UTF-8").into())
}

fn percent_decode(encoded: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    // A `%` not followed by two hex digits is passed through by the decoder: refuse it.
    let malformed = encoded.match_indices('%').any(|(i, _)| {
        encoded
            .get(i + 1..i + 3)
            .is_none_or(|hex| !hex.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    (!malformed).then(|| decoded.into_owned())
}

pub async fn upload(
    state: web::Data<AppState>,
    request: HttpRequest,
    mut payload: web::Payload,
    root_span: RootSpan,
) -> HttpResponse {
    match store_upload(&state, &request, &mut payload, &root_span).await {
        Ok(body) => HttpResponse::Created()
            .insert_header((header::LOCATION, body["downloadUrl"].as_str().unwrap_or("")))
            .json(body),
        Err(err) => {
            drain(&request, &mut payload, state.storage.max_upload_bytes()).await;
            err.response()
        }
    }
}

/// Reads and discards what is left of a refused upload, within bounds, so a sender still
/// writing reads the refusal rather than a reset connection. A body declared larger than the
/// bound is not read at all: that connection is cut either way.
async fn drain(request: &HttpRequest, payload: &mut web::Payload, limit: u64) {
    let budget = limit.saturating_mul(DRAIN_FACTOR);
    if declared_length(request).is_some_and(|n| n > budget) {
        return;
    }
    let mut read: u64 = 0;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(chunk)) = payload.next().await {
            read = read.saturating_add(chunk.len() as u64);
            if read > budget {
                break;
            }
        }
    })
    .await;
}

fn declared_length(request: &HttpRequest) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

async fn store_upload(
    state: &AppState,
    request: &HttpRequest,
    payload: &mut web::Payload,
    root_span: &RootSpan,
) -> Result<serde_json::Value, FileError> {
    let user = authenticate(state, request, root_span).await?;
    let limit = state.storage.max_upload_bytes();
    let upload = upload_request(request)?;
    if declared_length(request).is_some_and(|n| n > limit) {
        return Err(FileError::TooLarge(limit));
    }
    let permit = attachments::permit_upload(state, &user, upload).await?;
    let head = signature(payload, &permit.content_type).await?;
    let body = stream::iter([Ok::<Bytes, actix_web::error::PayloadError>(head)]).chain(payload);
    let stored = match state.storage.put(permit.key.clone(), body).await {
        Ok(stored) => stored,
        Err(PutError::TooLarge { limit }) => return Err(FileError::TooLarge(limit)),
        Err(PutError::Body(reason)) => {
            return Err(FileError::BadRequest(format!(
                "the upload broke off: {reason}"
            )));
        }
        Err(PutError::Storage(e)) => return Err(internal(e)),
    };
    match attachments::record_upload(state, &user, permit, &stored).await {
        Ok(row) => Ok(attachment_json(&row)),
        Err(err) => {
            // The row was never written: the bytes must not outlive it.
            if let Err(e) = state.storage.delete(&stored.key).await {
                tracing::warn!(error = %e, "could not delete an unrecorded upload");
            }
            Err(err.into())
        }
    }
}

/// What the uploader says about the file, from the query string and headers.
fn upload_request(request: &HttpRequest) -> Result<UploadRequest, FileError> {
    let query = web::Query::<UploadQuery>::from_query(request.query_string())
        .map_err(|e| FileError::BadRequest(format!("query string: {e}")))?
        .into_inner();
    let category = parse_category(&query.category)
        .ok_or_else(|| DomainError::validation("category", "not a file category Concord knows"))?;
    let file_name = file_name(request, query.file_name)?;
    let content_type = allowed_content_type(request).ok_or(FileError::UnsupportedType)?;
    let replaces = match (query.replaces, query.expected_version) {
        (Some(id), Some(version)) => Some((id, version)),
        (None, None) => None,
        _ => {
            return Err(DomainError::validation(
                "expectedVersion",
                "a replacement names the file it replaces and the version you read",
            )
            .into());
        }
    };
    Ok(UploadRequest {
        client_id: query.client_id,
        service_id: query.service_id,
        category,
        file_name,
        content_type,
        medical: query.medical,
        no_diagnosis_confirmed: query.no_diagnosis_confirmed,
        replaces,
    })
}

/// The file's first bytes, read before anything is stored, once they show it starts as
/// `content_type` does.
async fn signature(payload: &mut web::Payload, content_type: &str) -> Result<Bytes, FileError> {
    let mut head = BytesMut::new();
    while head.len() < SNIFF_BYTES {
        match payload.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(e)) => {
                return Err(FileError::BadRequest(format!("the upload broke off: {e}")));
            }
            None => break,
        }
    }
    if head.is_empty() {
        return Err(DomainError::validation("body", "the file is empty").into());
    }
    if !looks_like(content_type, &head) {
        return Err(FileError::ContentMismatch);
    }
    Ok(head.freeze())
}

fn attachment_json(row: &entities::attachments::Model) -> serde_json::Value {
    json!({
        "id": row.id,
        "clientId": row.client_id,
        "serviceId": row.service_id,
        "category": row.category,
        "fileName": row.file_name,
        "contentType": row.content_type,
        "size": row.size_bytes,
        "sha256": row.sha256,
        "medical": row.medical,
        "noDiagnosisConfirmed": row.no_diagnosis_confirmed,
        "version": row.version,
        "createdAt": row.created_at,
        "createdByUserId": row.created_by_user,
        "createdByAgencyId": row.created_by_agency,
        "downloadUrl": download_url(row.id),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn signatures_match_declared_types() {
        assert!(looks_like("application/pdf", b"%PDF-1.7\n"));
        assert!(!looks_like("application/pdf", b"\x89PNG\r\n\x1a\n"));
        assert!(looks_like("image/png", b"\x89PNG\r\n\x1a\n\0\0"));
        assert!(looks_like("image/webp", b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(looks_like("text/plain", b"hello"));
        assert!(!looks_like("text/plain", b"MZ\0\0"));
    }

    #[test]
    fn file_name_headers_are_percent_decoded() {
        assert_eq!(percent_decode("acte%20n%C3%A9.pdf").unwrap(), "acte né.pdf");
        assert!(percent_decode("%ZZ").is_none());
        assert!(percent_decode("%C3").is_none());
    }
}
