//! ATT-4: each head of household should carry a birth certificate, a third-party verification
//! of homelessness and, where disabled, a verification of disability; this lists who lacks
//! which. Every non-deleted file counts, whoever may see it: the list says a document is
//! missing, never what a present one holds.
use std::collections::HashSet;

use entities::enrollments;
use uuid::Uuid;

use super::category_key;
use crate::error::DomainResult;
use crate::page::Window;
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
/// a window of them around the enrollment that is its cursor.
pub async fn checklist(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    window: Window,
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
        return Ok(Page::empty());
    }
    let mut entries = Vec::new();
    let mut cursor = window.cursor;
    let wanted = usize::try_from(window.overfetch()).unwrap_or(usize::MAX);
    // Complete households are skipped, so a page may take several rounds of enrollments. Each
    // round reads in the window's direction, so a backward page gathers its entries nearest
    // the cursor first, as `Page::from_overfetch` expects.
    loop {
        let batch = store::attachments::open_heads_of_household(
            ctx.tx(),
            ctx.tenant(),
            projects.as_deref(),
            Window {
                limit: CHECKLIST_BATCH,
                cursor,
                count: false,
                ..window
            },
        )
        .await?;
        let more = if window.is_backward() {
            cursor = batch.rows.first().map(|e| e.id);
            batch.info.has_previous
        } else {
            cursor = batch.rows.last().map(|e| e.id);
            batch.info.has_next
        };
        let mut rows = batch.rows;
        if window.is_backward() {
            rows.reverse();
        }
        let clients: Vec<Uuid> = rows.iter().map(|e| e.client_id).collect();
        let project_ids: Vec<Uuid> = rows.iter().map(|e| e.project_id).collect();
        let held = store::attachments::categories_held(ctx.tx(), ctx.tenant(), &clients).await?;
        let numbers = store::attachments::hmis_numbers(ctx.tx(), ctx.tenant(), &clients).await?;
        let agencies =
            store::attachments::project_agencies(ctx.tx(), ctx.tenant(), &project_ids).await?;
        let none = HashSet::new();
        for enrollment in rows {
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
            if entries.len() == wanted {
                break;
            }
        }
        if entries.len() == wanted || !more {
            break;
        }
    }
    ctx.commit().await?;
    Ok(Page::from_overfetch(entries, window))
}
