//! Reading the audit log (AUD-1): the Data Center's accounting of who did what, refused or
//! allowed, and when — filtered the way an HMIS lead looks into something: by person, by
//! action, by client (HMIS number), by outcome and by time. Values written stay in the log:
//! an entry shows what happened and to what, not the data.
use chrono::{DateTime, Utc};
use entities::audit_log;
use uuid::Uuid;

use crate::auth::onboarding::guard;
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::roles;
use crate::policy::service_accounts::Scope;
use crate::records::context::RecordCtx;
use crate::state::AppState;
use crate::store::{self, Page};

/// What to look for; every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub actor_user_id: Option<Uuid>,
    /// An action as the log names it, e.g. `profile.correct`.
    pub action: Option<String>,
    pub client_hmis_number: Option<String>,
    pub refused: Option<bool>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// A page of the tenant's audit log, newest first, for the Data Center.
pub async fn search(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    query: Query,
    window: Window,
) -> DomainResult<Page<audit_log::Model>> {
    let caller: Caller<'_> = caller.into();
    let user = caller.user(state, Scope::AuditRead).await?;
    // A refused look into the log is itself audited.
    guard(
        state,
        user,
        "audit.read",
        roles::read_audit_log(&user.actor()),
    )
    .await?;
    if let (Some(from), Some(until)) = (query.from, query.until)
        && until <= from
    {
        return Err(DomainError::validation(
            "until",
            "the end of the time range comes after its start",
        ));
    }
    let ctx = RecordCtx::read(state, caller, Scope::AuditRead).await?;
    let client_id = match query.client_hmis_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(hmis) => Some(
            store::clients::id_by_hmis_number(ctx.tx(), ctx.tenant(), hmis)
                .await?
                .ok_or_else(|| {
                    DomainError::validation("clientHmisNumber", "no client has this HMIS number")
                })?,
        ),
    };
    let filter = store::audit::Filter {
        actor_user_id: query.actor_user_id,
        action: query
            .action
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        client_id,
        refused: query.refused,
        from: query.from,
        until: query.until,
    };
    let page = store::audit::page(ctx.tx(), ctx.tenant(), &filter, window).await?;
    ctx.commit().await?;
    Ok(page)
}
