//! ATT-4: each head of household should carry a birth certificate, a third-party verification
//! of homelessness and, where disabled, a verification of disability; this lists who lacks
//! which. Every non-deleted file counts, whoever may see it: the list says a document is
//! missing, never what a present one holds.
use std::collections::HashSet;

use entities::enrollments;
use uuid::Uuid;

use super::category_key;
use crate::error::DomainResult;
use crate::policy::records::{
    AttachmentCategory, ChecklistScope, checklist_scope, missing_documents,
};
use crate::policy::service_accounts::Scope;
use crate::records::context::{Caller, RecordCtx};
use crate::state::AppState;
use crate::store::{self, Page};

/// One head of household's open enrollment lacking documents (ATT-4).
pub struct ChecklistEntry {
    pub enrollment: enrollments::Model,
    pub hmis_number: String,
    pub agency_id: Option<Uuid>,
    pub missing: Vec<AttachmentCategory>,
}

/// Enrollments read per round while looking for a page of entries.
const CHECKLIST_BATCH: u64 = 200;

/// ATT-4: heads of household (open enrollments) who lack documents, in enrollment order,
/// `limit` at a time after the enrollment `after`.
pub async fn checklist(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<ChecklistEntry>> {
    let ctx = RecordCtx::read(state, caller, Scope::FilesRead).await?;
    let projects = match checklist_scope(&ctx.actor()) {
        ChecklistScope::All => None,
        ChecklistScope::Agency(agency) => {
            Some(store::attachments::agency_projects(ctx.tx(), ctx.tenant(), agency).await?)
        }
        ChecklistScope::Nothing => Some(Vec::new()),
    };
    if projects.as_ref().is_some_and(Vec::is_empty) {
        ctx.commit().await?;
        return Ok(Page {
            rows: Vec::new(),
            has_next: false,
        });
    }
    let mut entries = Vec::new();
    let mut cursor = after;
    let limit_plus_one = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    // Complete households are skipped, so a page may take several rounds of enrollments.
    loop {
        let batch = store::attachments::open_heads_of_household(
            ctx.tx(),
            ctx.tenant(),
            projects.as_deref(),
            cursor,
            CHECKLIST_BATCH,
        )
        .await?;
        cursor = batch.rows.last().map(|e| e.id);
        let clients: Vec<Uuid> = batch.rows.iter().map(|e| e.client_id).collect();
        let project_ids: Vec<Uuid> = batch.rows.iter().map(|e| e.project_id).collect();
        let held = store::attachments::categories_held(ctx.tx(), ctx.tenant(), &clients).await?;
        let numbers = store::attachments::hmis_numbers(ctx.tx(), ctx.tenant(), &clients).await?;
        let agencies =
            store::attachments::project_agencies(ctx.tx(), ctx.tenant(), &project_ids).await?;
        let none = HashSet::new();
        for enrollment in batch.rows {
            let holds = held.get(&enrollment.client_id).unwrap_or(&none);
            let missing = missing_documents(
                enrollment.disabling_condition == store::attachments::DISABLED,
                |c| holds.contains(category_key(c)),
            );
            if missing.is_empty() {
                continue;
            }
            entries.push(ChecklistEntry {
                hmis_number: numbers
                    .get(&enrollment.client_id)
                    .cloned()
                    .unwrap_or_default(),
                agency_id: agencies.get(&enrollment.project_id).copied(),
                enrollment,
                missing,
            });
            if entries.len() == limit_plus_one {
                break;
            }
        }
        if entries.len() == limit_plus_one || !batch.has_next {
            break;
        }
    }
    ctx.commit().await?;
    Ok(Page::from_overfetch(entries, limit))
}
