//! The audit log for the Data Center (AUD-1), filtered by person, action, client, outcome and
//! time; each entry names its actor as provenance does (PROV-1).
use async_graphql::ID;
use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{ProvenanceStamp, stamp};
use super::connection::{Cursor, uncounted_connection, window};
use super::{caller, state};
use crate::error::GqlResult;
use domain::audit::{self, Query};
use domain::error::DomainError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum AuditOutcome {
    Allowed,
    /// Refused by the rule the entry names.
    Refused,
}

/// One thing someone did, or tried to do.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct AuditEntry {
    pub id: ID,
    pub at: DateTime<Utc>,
    /// As the log names it, e.g. `profile.correct`, `login`, `plan.publish`.
    pub action: String,
    pub outcome: AuditOutcome,
    /// The rule that refused it.
    pub rule: Option<String>,
    /// The record, person or plan it was about.
    pub subject_id: Option<Uuid>,
    #[graphql(skip)]
    pub actor_user_id: Option<Uuid>,
    #[graphql(skip)]
    pub actor_agency_id: Option<Uuid>,
}

#[ComplexObject]
impl AuditEntry {
    /// Who did it, by name, from which agency; empty for what Concord did by itself.
    async fn actor(&self, ctx: &Context<'_>) -> GqlResult<Option<ProvenanceStamp>> {
        match self.actor_user_id {
            Some(user) => Ok(Some(stamp(ctx, user, self.actor_agency_id, self.at).await?)),
            None => Ok(None),
        }
    }
}

impl TryFrom<entities::audit_log::Model> for AuditEntry {
    type Error = DomainError;

    fn try_from(m: entities::audit_log::Model) -> Result<Self, DomainError> {
        let outcome = match m.outcome.as_str() {
            "ALLOWED" => AuditOutcome::Allowed,
            "REFUSED" => AuditOutcome::Refused,
            other => {
                return Err(DomainError::internal(anyhow::anyhow!(
                    "audit entry {} with outcome {other:?}",
                    m.id
                )));
            }
        };
        Ok(Self {
            id: m.id.into(),
            at: m.at,
            action: m.action,
            outcome,
            rule: m.rule,
            subject_id: m.subject_id,
            actor_user_id: m.actor_user_id,
            actor_agency_id: m.actor_agency_id,
        })
    }
}

/// Which entries to list; every filter given must hold.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Done by this person.
    pub actor_user_id: Option<Uuid>,
    /// This action exactly, e.g. `profile.correct`.
    pub action: Option<String>,
    /// About this client or one of its records.
    pub client_hmis_number: Option<String>,
    pub outcome: Option<AuditOutcome>,
    /// At or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Before this moment.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The tenant's audit log, newest first (AUD-1; the Data Center only). Not counted: the log
    /// only grows.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AuditLogFilter>,
    ) -> GqlResult<Connection<Cursor, AuditEntry>> {
        let window = window(ctx, first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let query = Query {
            actor_user_id: filter.actor_user_id,
            action: filter.action,
            client_hmis_number: filter.client_hmis_number,
            refused: filter.outcome.map(|o| o == AuditOutcome::Refused),
            from: filter.from,
            until: filter.until,
        };
        let page = audit::search(state(ctx)?, caller(ctx)?, query, window).await?;
        Ok(uncounted_connection(page, |e| e.id, AuditEntry::try_from)?)
    }
}
