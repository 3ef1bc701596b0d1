//! In-app messages — to an agency's administrators (PRO-4, DEM-4), to the Data Center, or to
//! one person (a case's reminders) — and the inbox each viewer reads them in.
//! COM-1: a message is composed only from an HMIS number and fixed words chosen by its kind —
//! there is no free text, so no name, date of birth, SSN or value can reach a body.
use chrono::{DateTime, Utc};
use entities::notifications;
use sea_orm::{ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use super::demographics::DemographicField;
use crate::auth::TenantUser;
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::records::Field;
use crate::policy::roles::{self, Inbox, inbox};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page};

/// A message the system sends. Each variant carries only what its body may say.
#[derive(Clone, Copy, Debug)]
pub enum Message {
    /// PRO-4: another agency corrected an answer (a profile row, or a HUD element's) the
    /// recipient's agency entered; `field` says which question, never the answer.
    ProfileCorrected { field: &'static Field },
    /// DEM-4: the reporting side may now escalate the conflict it reported.
    ConflictEscalable { field: DemographicField },
    /// DEM-4: a conflict about a value the recipient's agency entered was escalated.
    ConflictEscalated { field: DemographicField },
    /// ENR-3: the reporting side may now ask the owning agency's administrators to review.
    ReviewRequestable,
    /// ENR-3: another agency asks the recipient agency's administrators to review an
    /// enrollment it owns.
    ReviewRequested,
    /// ENR-3: an enrollment under review stayed uncorrected; the Data Center takes it up.
    HandedToDataCenter { review_days: u32 },
}

impl Message {
    pub fn kind(self) -> &'static str {
        match self {
            Self::ProfileCorrected { .. } => "PROFILE_CORRECTED",
            Self::ConflictEscalable { .. } => "CONFLICT_ESCALABLE",
            Self::ConflictEscalated { .. } => "CONFLICT_ESCALATED",
            Self::ReviewRequestable => "REVIEW_REQUESTABLE",
            Self::ReviewRequested => "REVIEW_REQUESTED",
            Self::HandedToDataCenter { .. } => "HANDED_TO_DATA_CENTER",
        }
    }

    /// The e-mail's subject: the client by HMIS number only (COM-1).
    pub fn subject(kind: &str, hmis_number: &str) -> String {
        let what = match kind {
            "PROFILE_CORRECTED" => "a profile row was corrected",
            "CONFLICT_ESCALABLE" => "a data conflict may be escalated",
            "CONFLICT_ESCALATED" => "a data conflict was escalated",
            "REVIEW_REQUESTABLE" => "an entry/exit report may go to review",
            "REVIEW_REQUESTED" => "please review an entry/exit record",
            "HANDED_TO_DATA_CENTER" => "an entry/exit report is in the Data Center's queue",
            _ => "a message",
        };
        format!("Concord: client HMIS #{hmis_number}: {what}")
    }

    pub fn body(self, hmis_number: &str) -> String {
        match self {
            Self::ProfileCorrected { field } => format!(
                "Client HMIS #{hmis_number}: another agency corrected a {} row your agency entered, \
                 at the client's direction, and added a new row. Please review it and end-date your \
                 row (PRO-4).",
                field.label
            ),
            Self::ConflictEscalable { field } => format!(
                "Client HMIS #{hmis_number}: the entering agency was not reached about the {} \
                 conflict you reported, after the attempts and days the plan asks for. You may \
                 now escalate it (DEM-4).",
                field.label()
            ),
            Self::ConflictEscalated { field } => format!(
                "Client HMIS #{hmis_number}: another agency could not reach yours about the {} \
                 your agency entered, and escalated the data conflict. The conflicting data is \
                 now in a note on the client's profile; please review it (DEM-4).",
                field.label()
            ),
            Self::ReviewRequestable => format!(
                "Client HMIS #{hmis_number}: the owning agency was not reached about the \
                 entry/exit error you reported, after the attempts and days the plan asks for. \
                 You may now ask its administrators to review it (ENR-3)."
            ),
            Self::ReviewRequested => format!(
                "Client HMIS #{hmis_number}: another agency believes an entry/exit record your \
                 agency owns is wrong, and could not reach your agency about it. The record \
                 stays as it is; please review it and correct it if it is wrong (ENR-3)."
            ),
            Self::HandedToDataCenter { review_days } => format!(
                "Client HMIS #{hmis_number}: an entry/exit error report is still uncorrected \
                 {review_days} days after the owning agency's administrators were asked to \
                 review it, and is now in the Data Center's queue (ENR-3)."
            ),
        }
    }
}

/// Who a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// An agency's administrators; `None` is the Data Center.
    Agency(Option<Uuid>),
    /// One person (of `agency`): a reminder about their own case.
    Person { user: Uuid, agency: Option<Uuid> },
}

/// A message about the client `hmis_number`, and the case it belongs to, if any.
pub struct Outgoing<'a> {
    pub to: Recipient,
    pub hmis_number: &'a str,
    pub message: Message,
    pub case_id: Option<Uuid>,
}

/// Sends a message inside the caller's transaction, so it exists only if the change does: the
/// in-app notification, and its outbox row, which the relay turns into an e-mail.
pub async fn send(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    outgoing: Outgoing<'_>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    send_many(db, tenant_id, vec![outgoing], now).await
}

/// `send` for many messages, with one statement for the notifications and one for their
/// outbox rows.
pub async fn send_many(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    outgoing: Vec<Outgoing<'_>>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let mut ids = Vec::with_capacity(outgoing.len());
    let rows = outgoing
        .into_iter()
        .map(|outgoing| {
            let (agency, user) = match outgoing.to {
                Recipient::Agency(agency) => (agency, None),
                Recipient::Person { user, agency } => (agency, Some(user)),
            };
            let id = Uuid::now_v7();
            ids.push(id);
            notifications::ActiveModel {
                tenant_id: Set(tenant_id),
                id: Set(id),
                recipient_agency_id: Set(agency),
                recipient_user_id: Set(user),
                case_id: Set(outgoing.case_id),
                kind: Set(outgoing.message.kind().to_owned()),
                hmis_number: Set(outgoing.hmis_number.to_owned()),
                body: Set(outgoing.message.body(outgoing.hmis_number)),
                created_at: Set(now),
                read_at: Set(None),
            }
        })
        .collect();
    store::notifications::insert_many(db, rows).await?;
    store::outbox::insert_many(db, tenant_id, &ids, now).await
}

fn may_read(inbox: Inbox, message: &notifications::Model) -> bool {
    match inbox {
        Inbox::All => true,
        Inbox::Agency { agency, user } => {
            message.recipient_user_id == Some(user)
                || message.recipient_user_id.is_none()
                    && message.recipient_agency_id == Some(agency)
        }
        Inbox::Own { user } => message.recipient_user_id == Some(user),
    }
}

/// A message as the viewer reads it, with what they may do with it now.
pub struct InboxMessage {
    pub message: notifications::Model,
    pub access: Vec<(&'static str, Decision)>,
}

impl InboxMessage {
    fn seen_by(viewer: &TenantUser, message: notifications::Model) -> Self {
        let mark_read = roles::mark_read(&viewer.actor(), message.read_at.is_some());
        let access = vec![(
            "markRead",
            viewer.within_scope(Scope::CasesWrite, mark_read),
        )];
        Self { message, access }
    }
}

/// The viewer's messages, newest first; only the unread ones with `unread_only`.
pub async fn page(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    unread_only: bool,
    window: Window,
) -> DomainResult<Page<InboxMessage>> {
    let caller = caller.into();
    let viewer = caller.user(state, Scope::CasesRead).await?;
    let tx = caller.begin(state).await?;
    let inbox = inbox(&viewer.actor());
    let page =
        store::notifications::page(&tx, caller.tenant_id(), inbox, unread_only, window).await?;
    tx.commit().await?;
    Ok(page.map(|m| InboxMessage::seen_by(viewer, m)))
}

/// Marks a message of the viewer's inbox read; reading it again changes nothing.
pub async fn mark_read(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<InboxMessage> {
    let caller: Caller<'_> = caller.into();
    let ctx = RecordCtx::begin(state, caller, Scope::CasesWrite).await?;
    let actor = ctx.actor();
    let message = store::notifications::get(ctx.tx(), ctx.tenant(), id)
        .await?
        // Another agency's message is as absent as one that never existed.
        .filter(|m| may_read(inbox(&actor), m))
        .ok_or(DomainError::NotFound("notification"))?;
    if message.read_at.is_none() {
        store::notifications::mark_read(ctx.tx(), ctx.tenant(), id, ctx.now).await?;
        ctx.audit_write(
            "notification.read",
            id,
            json!({ "before": { "read_at": null }, "after": { "read_at": ctx.now } }),
        )
        .await?;
    }
    let message = store::notifications::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .ok_or(DomainError::NotFound("notification"))?;
    let seen = InboxMessage::seen_by(&ctx.user, message);
    ctx.commit().await?;
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of message, for every field it can name.
    fn every_message() -> Vec<Message> {
        let mut all = vec![
            Message::ProfileCorrected {
                field: &crate::policy::records::Element::PROFILE_ASSESSMENT.fields()[0],
            },
            Message::ReviewRequestable,
            Message::ReviewRequested,
            Message::HandedToDataCenter { review_days: 30 },
        ];
        for field in DemographicField::ALL {
            all.push(Message::ConflictEscalable { field });
            all.push(Message::ConflictEscalated { field });
        }
        all
    }

    #[test]
    fn com_1_every_message_names_the_client_by_hmis_number_only() {
        // A body is built from the HMIS number and fixed words alone: there is no way to
        // pass it a name, a date of birth or an SSN. Check that it says the number, its rule,
        // and no digits but the number's and the plan's.
        for message in every_message() {
            let body = message.body("000123456");
            assert!(body.contains("HMIS #000123456"), "{body}");
            assert!(
                ["PRO-4", "DEM-4", "ENR-3"]
                    .iter()
                    .any(|rule| body.contains(rule)),
                "{body}"
            );
            let digits: String = body
                .replace("000123456", "")
                .replace("PRO-4", "")
                .replace("DEM-4", "")
                .replace("ENR-3", "")
                .replace("30 days", "")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            assert!(digits.is_empty(), "unexpected digits {digits:?} in {body}");
            assert!(!message.kind().is_empty());
        }
    }
}
