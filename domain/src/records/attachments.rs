//! File attachments: ATT-1 (only the uploader deletes or replaces), ATT-2 (no Social Security
//! cards), ATT-3 (disability verifications carry no diagnosis; medical files stay inside the
//! uploading agency), ATT-4 (the document checklist), SRV-3 (documents on a service
//! transaction), with PROV-1, AUD-1 and LOCK-1.
//!
//! An upload is decided before any byte is stored (`permit_upload`), streamed to storage
//! outside any transaction, then recorded (`record_upload`). Nothing here logs or audits a
//! file name: names of client documents often hold the client's name.
mod checklist;

pub use checklist::{ChecklistEntry, checklist};

use entities::attachments;
use sea_orm::Set;
use serde_json::json;
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::actions::{RecordAction, RecordFacts};
use crate::policy::records::{self, AttachmentCategory, Element, Provenance};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::storage::{StorageKey, Stored};
use crate::store::{self, Page};

/// The content types Concord stores: documents and photos of documents.
pub const ALLOWED_CONTENT_TYPES: [&str; 9] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/heic",
    "image/heif",
    "text/plain",
];

/// The category as stored and as written in `?category=` (the GraphQL enum's names).
pub fn category_key(category: AttachmentCategory) -> &'static str {
    use AttachmentCategory as C;
    match category {
        C::BirthCertificate => "BIRTH_CERTIFICATE",
        C::HomelessnessVerification => "HOMELESSNESS_VERIFICATION",
        C::DisabilityVerification => "DISABILITY_VERIFICATION",
        C::ServiceAgreement => "SERVICE_AGREEMENT",
        C::IdentityDocument => "IDENTITY_DOCUMENT",
        C::SsnCard => "SSN_CARD",
        C::SsnOnFileDisclosure => "SSN_ON_FILE_DISCLOSURE",
        C::Medical => "MEDICAL",
        C::Other => "OTHER",
    }
}

pub fn parse_category(raw: &str) -> Option<AttachmentCategory> {
    use AttachmentCategory as C;
    let raw = raw.trim().to_ascii_uppercase();
    [
        C::BirthCertificate,
        C::HomelessnessVerification,
        C::DisabilityVerification,
        C::ServiceAgreement,
        C::IdentityDocument,
        C::SsnCard,
        C::SsnOnFileDisclosure,
        C::Medical,
        C::Other,
    ]
    .into_iter()
    .find(|c| category_key(*c) == raw)
}

/// The name a file is shown under: its last path segment, trimmed, at most 255 characters,
/// no control characters.
pub fn parse_file_name(raw: &str) -> DomainResult<String> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or(raw).trim();
    if name.is_empty() || name == "." || name == ".." {
        return Err(DomainError::validation("fileName", "give the file a name"));
    }
    if name.chars().count() > 255 {
        return Err(DomainError::validation(
            "fileName",
            "use a file name of at most 255 characters",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(DomainError::validation(
            "fileName",
            "the file name has control characters",
        ));
    }
    Ok(name.to_owned())
}

/// What the rules need to know about a file.
pub(super) fn facts(row: &attachments::Model) -> RecordFacts {
    RecordFacts::Attachment {
        uploaded: uploaded_by(row),
        medical: row.medical,
    }
}

fn uploaded_by(row: &attachments::Model) -> Provenance {
    Provenance {
        user: row.created_by_user,
        agency: row.created_by_agency,
    }
}

/// What the uploader says about a file.
pub struct UploadRequest {
    /// May be left out when replacing: the replaced file's client.
    pub client_id: Option<Uuid>,
    pub service_id: Option<Uuid>,
    pub category: AttachmentCategory,
    pub file_name: String,
    pub content_type: String,
    pub medical: bool,
    pub no_diagnosis_confirmed: bool,
    /// ATT-1: the attachment this one replaces, at the version the uploader read (LOCK-1).
    pub replaces: Option<(Uuid, i32)>,
}

/// An upload that every rule has allowed; nothing has been stored yet.
pub struct UploadPermit {
    pub id: Uuid,
    pub key: StorageKey,
    pub client_id: Uuid,
    pub service_id: Option<Uuid>,
    pub category: AttachmentCategory,
    pub file_name: String,
    pub content_type: String,
    pub medical: bool,
    pub no_diagnosis_confirmed: bool,
    pub replaces: Option<(Uuid, i32)>,
}

fn stale(row: &attachments::Model, expected: i32) -> DomainError {
    DomainError::Conflict {
        message: format!(
            "this file changed since you read it (version {expected}, now {})",
            row.version
        ),
        current: json!({ "id": row.id, "version": row.version, "deleted": row.deleted_at.is_some() }),
    }
}

/// Asks every rule about an upload before a byte of it is stored: ATT-1 and LOCK-1 for a
/// replacement, DEM-1 (the client is readable), SRV-3 and PLAN-1 (the service exists, is this
/// client's and is readable), ATT-2 and ATT-3 (category, name, no-diagnosis confirmation).
pub async fn permit_upload(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    request: UploadRequest,
) -> DomainResult<UploadPermit> {
    let file_name = parse_file_name(&request.file_name)?;
    if !ALLOWED_CONTENT_TYPES.contains(&request.content_type.as_str()) {
        return Err(DomainError::validation(
            "contentType",
            "upload a PDF, an image (PNG, JPEG, GIF, WebP, TIFF, HEIC) or plain text",
        ));
    }
    let ctx = RecordCtx::begin(state, caller, Scope::FilesWrite).await?;
    let client_id = match request.replaces {
        Some(replaced) => Some(replacement_client(state, &ctx, replaced, request.client_id).await?),
        None => request.client_id,
    };
    let client_id =
        client_id.ok_or_else(|| DomainError::validation("clientId", "name the client"))?;
    let client = ctx.client(client_id).await?;
    let creator = Provenance {
        user: client.created_by_user,
        agency: client.created_by_agency,
    };
    ctx.require(
        state,
        "attachment.upload",
        client.id,
        records::read(
            &ctx.actor(),
            Element::CLIENT_DEMOGRAPHICS,
            &creator,
            ctx.plan(),
        ),
    )
    .await?;
    if let Some(service_id) = request.service_id {
        may_attach_to_service(state, &ctx, client.id, service_id).await?;
    }
    ctx.require(
        state,
        "attachment.upload",
        client.id,
        records::upload_attachment(request.category, &file_name, request.no_diagnosis_confirmed),
    )
    .await?;
    let permit = UploadPermit {
        id: Uuid::now_v7(),
        key: StorageKey::new(ctx.tenant()),
        client_id: client.id,
        service_id: request.service_id,
        category: request.category,
        file_name,
        content_type: request.content_type,
        medical: request.medical || request.category == AttachmentCategory::Medical,
        no_diagnosis_confirmed: request.no_diagnosis_confirmed,
        replaces: request.replaces,
    };
    ctx.commit().await?;
    Ok(permit)
}

/// ATT-1 and LOCK-1 for a replacement: the replaced file (live, at the version the uploader
/// read) is one the viewer may delete. Returns its client, which the replacement stays on.
async fn replacement_client(
    state: &AppState,
    ctx: &RecordCtx,
    (old_id, expected): (Uuid, i32),
    named_client: Option<Uuid>,
) -> DomainResult<Uuid> {
    let old = store::attachments::get(ctx.tx(), ctx.tenant(), old_id)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or(DomainError::NotFound("attachment"))?;
    ctx.require(
        state,
        "attachment.replace",
        old.id,
        ctx.decide(RecordAction::DeleteAttachment, &facts(&old)),
    )
    .await?;
    if !records::check_version(expected, old.version).allowed {
        let conflict = stale(&old, expected);
        return Err(ctx
            .refuse_stale(state, "attachment.replace", old.id, conflict)
            .await);
    }
    if named_client.is_some_and(|c| c != old.client_id) {
        return Err(DomainError::validation(
            "clientId",
            "a replacement stays on the replaced file's client",
        ));
    }
    Ok(old.client_id)
}

/// SRV-3 and PLAN-1: the service exists, is this client's, and is readable by the viewer.
async fn may_attach_to_service(
    state: &AppState,
    ctx: &RecordCtx,
    client_id: Uuid,
    service_id: Uuid,
) -> DomainResult<()> {
    let service = store::attachments::service(ctx.tx(), ctx.tenant(), service_id)
        .await?
        .ok_or(DomainError::NotFound("service"))?;
    ctx.require(
        state,
        "attachment.upload",
        client_id,
        records::attach_to_service(client_id, service.client_id),
    )
    .await?;
    let provider = Provenance {
        user: service.created_by_user,
        agency: Some(service.provider_agency_id),
    };
    ctx.require(
        state,
        "attachment.upload",
        client_id,
        records::read(&ctx.actor(), Element::SERVICES, &provider, ctx.plan()),
    )
    .await
}

/// Records a stored upload (PROV-1, AUD-1); a replacement marks the replaced file deleted in
/// the same transaction. On an error the caller deletes the stored bytes.
pub async fn record_upload(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    permit: UploadPermit,
    stored: &Stored,
) -> DomainResult<attachments::Model> {
    let ctx = RecordCtx::begin(state, caller, Scope::FilesWrite).await?;
    if let Some((old_id, expected)) = permit.replaces {
        // The version check again, atomically: someone may have acted while the bytes flowed.
        if !store::attachments::mark_deleted(
            ctx.tx(),
            ctx.tenant(),
            old_id,
            expected,
            ctx.stamp().user,
            ctx.now,
        )
        .await?
        {
            let current = store::attachments::get(ctx.tx(), ctx.tenant(), old_id)
                .await?
                .ok_or(DomainError::NotFound("attachment"))?;
            let conflict = stale(&current, expected);
            return Err(ctx
                .refuse_stale(state, "attachment.replace", old_id, conflict)
                .await);
        }
    }
    let by = ctx.stamp();
    let row = store::attachments::insert(
        ctx.tx(),
        attachments::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(permit.id),
            client_id: Set(permit.client_id),
            service_id: Set(permit.service_id),
            category: Set(category_key(permit.category).to_owned()),
            file_name: Set(permit.file_name),
            content_type: Set(permit.content_type),
            size_bytes: Set(i64::try_from(stored.size).map_err(DomainError::internal)?),
            sha256: Set(stored.sha256.clone()),
            storage_key: Set(stored.key.as_str().to_owned()),
            medical: Set(permit.medical),
            no_diagnosis_confirmed: Set(permit.no_diagnosis_confirmed),
            created_by_user: Set(by.user),
            created_by_agency: Set(by.agency),
            created_at: Set(ctx.now),
            deleted_at: Set(None),
            deleted_by_user: Set(None),
            version: Set(1),
        },
    )
    .await?;
    if let Some((old_id, _)) = permit.replaces {
        ctx.audit_write(
            "attachment.delete",
            old_id,
            json!({ "replaced_by": row.id, "rule": "ATT-1", "plan_version": ctx.plan_version }),
        )
        .await?;
    }
    ctx.audit_write(
        "attachment.upload",
        row.id,
        json!({
            "client_id": row.client_id,
            "service_id": row.service_id,
            "size_bytes": row.size_bytes,
            "sha256": row.sha256,
            "replaces": permit.replaces.map(|(id, _)| id),
            "plan_version": ctx.plan_version,
        }),
    )
    .await?;
    ctx.commit().await?;
    tracing::info!(tenant_id = %row.tenant_id, attachment_id = %row.id, client_id = %row.client_id, size_bytes = row.size_bytes, "attachment stored");
    Ok(row)
}

/// ATT-3 / PLAN-1: a file to send to this viewer; the disclosure is recorded (AUD-1).
pub async fn open_download(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<attachments::Model> {
    let ctx = RecordCtx::begin(state, caller, Scope::FilesRead).await?;
    let row = store::attachments::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or(DomainError::NotFound("attachment"))?;
    ctx.require(
        state,
        "attachment.download",
        row.id,
        ctx.decide(RecordAction::ReadAttachment, &facts(&row)),
    )
    .await?;
    ctx.audit_write(
        "attachment.download",
        row.id,
        json!({ "client_id": row.client_id, "plan_version": ctx.plan_version }),
    )
    .await?;
    ctx.commit().await?;
    Ok(row)
}

/// An attachment as one viewer may see it, with the decisions on what they may do to it.
pub struct AttachmentView {
    pub row: attachments::Model,
    pub category: AttachmentCategory,
    pub plan_version: i32,
    /// ATT-1, for `delete` and `replace`.
    pub delete: Decision,
}

impl AttachmentView {
    fn new(ctx: &RecordCtx, row: attachments::Model) -> DomainResult<Self> {
        let delete = ctx.decide(RecordAction::DeleteAttachment, &facts(&row));
        let plan_version = ctx.plan_version;
        // A stored category we do not know is a broken row, not an "other" file.
        let category = parse_category(&row.category).ok_or_else(|| {
            DomainError::internal(anyhow::anyhow!(
                "unknown attachment category {:?}",
                row.category
            ))
        })?;
        Ok(Self {
            row,
            category,
            plan_version,
            delete,
        })
    }
}

/// The client's files this viewer may see (DEM-1 for the client, then ATT-3/PLAN-1 per
/// file: those the viewer may not see are left out, not refused).
pub async fn of_client(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<AttachmentView>> {
    let ctx = RecordCtx::read(state, caller, Scope::FilesRead).await?;
    let client = ctx.client(client_id).await?;
    let creator = Provenance {
        user: client.created_by_user,
        agency: client.created_by_agency,
    };
    ctx.require(
        state,
        "attachment.list",
        client.id,
        records::read(
            &ctx.actor(),
            Element::CLIENT_DEMOGRAPHICS,
            &creator,
            ctx.plan(),
        ),
    )
    .await?;
    let views = store::attachments::of_client(ctx.tx(), ctx.tenant(), client.id)
        .await?
        .into_iter()
        .filter(|row| {
            ctx.decide(RecordAction::ReadAttachment, &facts(row))
                .allowed
        })
        .map(|row| AttachmentView::new(&ctx, row))
        .collect::<DomainResult<Vec<_>>>()?;
    ctx.commit().await?;
    Ok(Page::of_list(views, window, |v| v.row.id))
}

/// ATT-1: the uploader deletes a file (marked deleted; the row and its audit stay), LOCK-1.
pub async fn delete(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
    expected_version: i32,
) -> DomainResult<AttachmentView> {
    let ctx = RecordCtx::begin(state, caller, Scope::FilesWrite).await?;
    let row = store::attachments::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or(DomainError::NotFound("attachment"))?;
    ctx.require(
        state,
        "attachment.delete",
        row.id,
        ctx.decide(RecordAction::DeleteAttachment, &facts(&row)),
    )
    .await?;
    let marked = store::attachments::mark_deleted(
        ctx.tx(),
        ctx.tenant(),
        row.id,
        expected_version,
        ctx.stamp().user,
        ctx.now,
    )
    .await?;
    if !marked {
        let conflict = stale(&row, expected_version);
        return Err(ctx
            .refuse_stale(state, "attachment.delete", row.id, conflict)
            .await);
    }
    ctx.audit_write(
        "attachment.delete",
        row.id,
        json!({ "client_id": row.client_id, "version": expected_version + 1, "rule": "ATT-1", "plan_version": ctx.plan_version }),
    )
    .await?;
    let row = store::attachments::get(ctx.tx(), ctx.tenant(), row.id)
        .await?
        .ok_or(DomainError::NotFound("attachment"))?;
    let view = AttachmentView::new(&ctx, row)?;
    ctx.commit().await?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn categories_round_trip_through_their_keys() {
        for key in [
            "BIRTH_CERTIFICATE",
            "HOMELESSNESS_VERIFICATION",
            "DISABILITY_VERIFICATION",
            "SERVICE_AGREEMENT",
            "IDENTITY_DOCUMENT",
            "SSN_CARD",
            "SSN_ON_FILE_DISCLOSURE",
            "MEDICAL",
            "OTHER",
        ] {
            assert_eq!(category_key(parse_category(key).unwrap()), key);
        }
        assert_eq!(
            parse_category("birth_certificate"),
            Some(AttachmentCategory::BirthCertificate)
        );
        assert_eq!(parse_category("passport"), None);
    }

    #[test]
    fn file_names_keep_their_last_segment_only() {
        assert_eq!(
            parse_file_name("C:\\scans\\lease.pdf").unwrap(),
            "lease.pdf"
        );
        assert_eq!(parse_file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(
            parse_file_name("  acte de naissance.pdf ").unwrap(),
            "acte de naissance.pdf"
        );
        for bad in ["", "  ", "dir/", "..", "a\nb.pdf", &"x".repeat(256)] {
            assert!(parse_file_name(bad).is_err(), "{bad:?}");
        }
    }
}
