//! File attachments: the files of a client a viewer may see (ATT-3, PLAN-1), deleting one
//! (ATT-1, LOCK-1), and the ATT-4 document checklist. Bytes go up and down over `/files`.
use std::convert::Infallible;

use async_graphql::ID;
use async_graphql::connection::Connection;
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, permissions};
use super::connection::{CountedConnection, Cursor, connection, uncounted_connection, window};
use super::enums::AttachmentCategory;
use super::{caller, state};
use crate::error::GqlResult;
use crate::http::files::download_url;
use domain::records::attachments::{self, AttachmentView, ChecklistEntry};

/// A file on a client's profile or on one of their service transactions.
#[derive(SimpleObject)]
pub struct Attachment {
    pub id: ID,
    pub client_id: Uuid,
    /// The service transaction it is attached to (SRV-3), if any.
    pub service_id: Option<Uuid>,
    pub category: AttachmentCategory,
    pub file_name: String,
    /// Bytes.
    pub size: i64,
    pub content_type: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// ATT-3: visible only inside the uploading agency.
    pub medical: bool,
    /// ATT-3: the uploader confirmed a disability verification names no diagnosis.
    pub no_diagnosis_confirmed: bool,
    pub version: i32,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Where to `GET` the bytes, with the same bearer token.
    pub download_url: String,
    /// Who uploaded it, from which agency, when (PROV-1).
    pub provenance: ProvenanceInfo,
    /// `delete` and `replace` (ATT-1).
    pub access: Vec<Permission>,
}

impl From<AttachmentView> for Attachment {
    fn from(view: AttachmentView) -> Self {
        let row = view.row;
        Self {
            id: row.id.into(),
            client_id: row.client_id,
            service_id: row.service_id,
            category: view.category.into(),
            file_name: row.file_name,
            size: row.size_bytes,
            content_type: row.content_type,
            sha256: row.sha256,
            medical: row.medical,
            no_diagnosis_confirmed: row.no_diagnosis_confirmed,
            version: row.version,
            deleted_at: row.deleted_at,
            download_url: download_url(row.id),
            provenance: ProvenanceInfo {
                entered_by_user_id: row.created_by_user,
                entered_by_agency_id: row.created_by_agency,
                entered_at: row.created_at,
                updated_by_user_id: row.deleted_by_user,
                updated_by_agency_id: None,
                updated_at: row.deleted_at,
            },
            access: permissions(
                view.plan_version,
                [("delete", view.delete.clone()), ("replace", view.delete)],
            ),
        }
    }
}

/// ATT-4: a head of household's open enrollment and the documents they lack.
#[derive(SimpleObject)]
pub struct DocumentChecklistEntry {
    pub enrollment_id: Uuid,
    pub client_id: Uuid,
    /// The client's HMIS number (COM-1).
    pub hmis_number: String,
    pub project_id: Uuid,
    /// The agency that owns the project.
    pub agency_id: Option<Uuid>,
    pub entry_date: NaiveDate,
    /// HUD 3.08: 1 means disabled, so a disability verification is required.
    pub disabling_condition: i32,
    pub missing: Vec<AttachmentCategory>,
}

impl From<ChecklistEntry> for DocumentChecklistEntry {
    fn from(entry: ChecklistEntry) -> Self {
        Self {
            enrollment_id: entry.enrollment.id,
            client_id: entry.enrollment.client_id,
            hmis_number: entry.hmis_number,
            project_id: entry.enrollment.project_id,
            agency_id: entry.agency_id,
            entry_date: entry.enrollment.entry_date,
            disabling_condition: i32::from(entry.enrollment.disabling_condition),
            missing: entry.missing.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Default)]
pub struct AttachmentsQuery;

#[Object]
impl AttachmentsQuery {
    /// The client's files this viewer may see; files of another agency marked medical, or
    /// kept inside their agency by the plan, are left out.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_attachments(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<Attachment>> {
        let user = caller(ctx)?;
        let window = window(ctx, first, after, last, before)?;
        let page = attachments::of_client(state(ctx)?, user, client_id, window).await?;
        Ok(connection(page, |v| v.row.id, Attachment::from))
    }

    /// ATT-4: heads of household in open enrollments who lack a birth certificate, a
    /// verification of homelessness or (where disabled) a verification of disability. The
    /// Data Center sees every agency's; agency users their agency's projects'. Not counted:
    /// who lacks a document is only known by reading every household's files.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn document_checklist(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<Connection<Cursor, DocumentChecklistEntry>> {
        let user = caller(ctx)?;
        let window = window(ctx, first, after, last, before)?;
        let page = attachments::checklist(state(ctx)?, user, window).await?;
        let Ok(connection) = uncounted_connection::<_, _, Infallible>(
            page,
            |e| e.enrollment.id,
            |e| Ok(DocumentChecklistEntry::from(e)),
        );
        Ok(connection)
    }
}

#[derive(InputObject)]
pub struct DeleteAttachmentInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
}

#[derive(SimpleObject)]
pub struct DeleteAttachmentPayload {
    pub deleted_id: Uuid,
    /// The record as it stays, marked deleted.
    pub attachment: Attachment,
}

#[derive(Default)]
pub struct AttachmentsMutation;

#[Object]
impl AttachmentsMutation {
    /// ATT-1: only the uploader deletes a file. The record stays, marked deleted; the file is
    /// no longer listed or served.
    async fn delete_attachment(
        &self,
        ctx: &Context<'_>,
        input: DeleteAttachmentInput,
    ) -> GqlResult<DeleteAttachmentPayload> {
        let user = caller(ctx)?;
        let view = attachments::delete(state(ctx)?, user, input.id, input.expected_version).await?;
        Ok(DeleteAttachmentPayload {
            deleted_id: view.row.id,
            attachment: view.into(),
        })
    }
}
