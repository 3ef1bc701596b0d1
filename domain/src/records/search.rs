//! Client search by name (fuzzy on PostgreSQL), partial name, date of birth and HMIS number
//! (the queries are `store::client_search`'s); every hit is asked of DEM-1 for the viewer.
use chrono::NaiveDate;
use entities::clients;

use super::context::{Caller, RecordCtx};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::records::{self, Element, Provenance};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page, clients::ShownIn};
use uuid::Uuid;

/// Most hits one search returns; a person narrows the search rather than paging far.
pub const MAX_HITS: u64 = 200;

pub struct Hit {
    pub client: clients::Model,
    /// DEM-1 as decided for this viewer (every hit returned is readable).
    pub view: Decision,
    /// 1.0 for an exact HMIS number or date-of-birth match; trigram similarity otherwise.
    pub score: f32,
}

/// One page of the best hits the viewer may see, best first: `limit` of them after the first
/// `offset` (at most `MAX_HITS` in all), whether more follow, and the plan version. AUD-2: the
/// clients on the page are recorded as shown in a search, in one statement.
pub async fn search(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    text: &str,
    dob: Option<NaiveDate>,
    offset: u64,
    limit: u64,
) -> DomainResult<(Page<Hit>, i32)> {
    let text = text.trim();
    if text.chars().count() > 100 {
        return Err(DomainError::validation(
            "query",
            "search with at most 100 characters",
        ));
    }
    if text.is_empty() && dob.is_none() {
        return Err(DomainError::validation(
            "query",
            "search by a name, an HMIS number or a date of birth",
        ));
    }
    // One more than the page, to tell whether another follows.
    let wanted = offset.saturating_add(limit).saturating_add(1);
    // A name and a date of birth together: the date narrows the names' best hits, so it needs
    // all of them to narrow.
    let asked = if text.is_empty() || dob.is_none() {
        wanted.min(MAX_HITS)
    } else {
        MAX_HITS
    };
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    let found = store::client_search::matching(ctx.tx(), ctx.tenant(), text, dob, asked).await?;
    let actor = ctx.actor();
    let hits: Vec<Hit> = found
        .into_iter()
        .map(|(client, score)| {
            let creator = Provenance {
                user: client.created_by_user,
                agency: client.created_by_agency,
            };
            let view = records::read(&actor, Element::CLIENT_DEMOGRAPHICS, &creator, ctx.plan());
            Hit {
                client,
                view,
                score,
            }
        })
        .filter(|hit| hit.view.allowed)
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX))
        .collect();
    let page = Page::from_overfetch(hits, Window::after(None, limit));
    let shown: Vec<Uuid> = page.rows.iter().map(|hit| hit.client.id).collect();
    store::clients::record_views(
        ctx.tx(),
        ctx.tenant(),
        &shown,
        ShownIn::Search,
        ctx.stamp(),
        ctx.now,
    )
    .await?;
    let plan_version = ctx.plan_version;
    ctx.commit().await?;
    Ok((page, plan_version))
}
