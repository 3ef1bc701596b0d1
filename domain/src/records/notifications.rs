//! In-app messages to an agency's administrators (PRO-4) and the inbox they read them in.
//! COM-1: a message is composed only from an HMIS number and fixed words chosen by its kind —
//! there is no free text, so no name, date of birth, SSN or value can reach a body.
use chrono::{DateTime, Utc};
use entities::notifications;
use sea_orm::{ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use super::profile::ProfileKind;
use crate::auth::TenantUser;
use crate::error::{DomainError, DomainResult};
use crate::policy::roles::{Inbox, inbox};
use crate::state::AppState;
use crate::store::{self, Page};

/// A message the system sends. Each variant carries only what its body may say.
#[derive(Clone, Copy, Debug)]
pub enum Message {
    /// PRO-4: another agency corrected a profile row the recipient's agency entered.
    ProfileCorrected { kind: ProfileKind },
}

impl Message {
    pub fn kind(self) -> &'static str {
        match self {
            Self::ProfileCorrected { .. } => "PROFILE_CORRECTED",
        }
    }

    pub fn body(self, hmis_number: &str) -> String {
        match self {
            Self::ProfileCorrected { kind } => format!(
                "Client HMIS #{hmis_number}: another agency corrected a {} row your agency entered, \
                 at the client's direction, and added a new row. Please review it and end-date your \
                 row (PRO-4).",
                kind.label()
            ),
        }
    }
}

/// Sends `message` about the client `hmis_number` to an agency's administrators (`None`: the
/// Data Center), inside the caller's transaction so it exists only if the change does.
pub async fn send(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    recipient_agency: Option<Uuid>,
    hmis_number: &str,
    message: Message,
    now: DateTime<Utc>,
) -> DomainResult<notifications::Model> {
    store::notifications::insert(
        db,
        notifications::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(Uuid::now_v7()),
            recipient_agency_id: Set(recipient_agency),
            kind: Set(message.kind().to_owned()),
            hmis_number: Set(hmis_number.to_owned()),
            body: Set(message.body(hmis_number)),
            created_at: Set(now),
            read_at: Set(None),
        },
    )
    .await
}

fn may_read(inbox: Inbox, message: &notifications::Model) -> bool {
    match inbox {
        Inbox::All => true,
        Inbox::Agency(agency) => message.recipient_agency_id == Some(agency),
    }
}

fn open_inbox(user: &TenantUser) -> DomainResult<Inbox> {
    inbox(&user.actor()).map_err(|d| DomainError::Forbidden {
        rule: d.rule,
        reason: d.reason,
    })
}

/// The viewer's messages, newest first.
pub async fn page(
    state: &AppState,
    user: &TenantUser,
    before: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<notifications::Model>> {
    let inbox = open_inbox(user)?;
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let recipient = match inbox {
        Inbox::All => None,
        Inbox::Agency(agency) => Some(Some(agency)),
    };
    let page = store::notifications::page(&tx, user.tenant_id, recipient, before, limit).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn mark_read(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<notifications::Model> {
    let caller: Caller<'_> = caller.into();
    let user = caller.person()?;
    let inbox = open_inbox(user)?;
    let ctx = RecordCtx::begin(state, caller).await?;
    let message = store::notifications::get(&ctx.tx, ctx.tenant(), id)
        .await?
        // Another agency's message is as absent as one that never existed.
        .filter(|m| may_read(inbox, m))
        .ok_or(DomainError::NotFound("notification"))?;
    if message.read_at.is_none() {
        store::notifications::mark_read(&ctx.tx, ctx.tenant(), id, ctx.now).await?;
        ctx.audit_write(
            "notification.read",
            id,
            json!({ "before": { "read_at": null }, "after": { "read_at": ctx.now } }),
        )
        .await?;
    }
    let message = store::notifications::get(&ctx.tx, ctx.tenant(), id)
        .await?
        .ok_or(DomainError::NotFound("notification"))?;
    ctx.commit().await?;
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn com_1_a_body_names_the_client_by_hmis_number_only() {
        let body = Message::ProfileCorrected {
            kind: ProfileKind::Phone,
        }
        .body("000123456");
        assert!(body.contains("HMIS #000123456"));
        assert!(body.contains("phone"));
    }
}
