//! The in-app inbox: the Data Center's, an agency's administrators', and each person's own.
//! COM-1: a message names a client by HMIS number only.
use async_graphql::ID;
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{Permission, role_permissions};
use super::connection::{CountedConnection, connection, window};
use super::{caller, state};
use crate::error::GqlResult;
use domain::records::notifications::{self, InboxMessage};

#[derive(SimpleObject)]
pub struct Notification {
    pub id: ID,
    /// E.g. `PROFILE_CORRECTED` (PRO-4).
    pub kind: String,
    /// The client the message is about, by HMIS number only (COM-1).
    pub hmis_number: String,
    pub body: String,
    /// The agency whose administrators it is for; empty for the Data Center. For a message
    /// to one person, that person's agency.
    pub recipient_agency_id: Option<Uuid>,
    /// The one person it is for (a reminder about their case); empty for an agency's message.
    pub recipient_user_id: Option<Uuid>,
    /// The case it belongs to, if any.
    pub case_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// What the viewer may do with it now (`markRead`).
    pub access: Vec<Permission>,
}

impl From<InboxMessage> for Notification {
    fn from(seen: InboxMessage) -> Self {
        let m = seen.message;
        Self {
            id: m.id.into(),
            kind: m.kind,
            hmis_number: m.hmis_number,
            body: m.body,
            recipient_agency_id: m.recipient_agency_id,
            recipient_user_id: m.recipient_user_id,
            case_id: m.case_id,
            created_at: m.created_at,
            read_at: m.read_at,
            access: role_permissions(seen.access),
        }
    }
}

#[derive(Default)]
pub struct NotificationsQuery;

#[Object]
impl NotificationsQuery {
    /// The viewer's messages, newest first: every message for the Data Center; an Agency
    /// Administrator's agency's and their own; a user's own (ROLE-3).
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(desc = "Only the messages not read yet.", default = false)] unread: bool,
    ) -> GqlResult<CountedConnection<Notification>> {
        let window = window(ctx, first, after, last, before)?;
        let user = caller(ctx)?;
        let page = notifications::page(state(ctx)?, user, unread, window).await?;
        Ok(connection(page, |n| n.message.id, Notification::from))
    }
}

#[derive(InputObject)]
pub struct MarkNotificationReadInput {
    pub id: Uuid,
}

#[derive(SimpleObject)]
pub struct MarkNotificationReadPayload {
    pub notification: Notification,
}

#[derive(Default)]
pub struct NotificationsMutation;

#[Object]
impl NotificationsMutation {
    async fn mark_notification_read(
        &self,
        ctx: &Context<'_>,
        input: MarkNotificationReadInput,
    ) -> GqlResult<MarkNotificationReadPayload> {
        let user = caller(ctx)?;
        let read = notifications::mark_read(state(ctx)?, user, input.id).await?;
        Ok(MarkNotificationReadPayload {
            notification: read.into(),
        })
    }
}
