//! Deletes a tenant's expired refresh tokens. An expired token is refused anyway; keeping
//! it only keeps a credential hash around for longer than it can be used.
use entities::{refresh_tokens, tenant_scope};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::error::JobError;
use crate::job::{Job, JobContext};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeExpiredSessions {
    pub tenant_id: Uuid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeOutcome {
    pub deleted: u64,
}

/// Idempotent by its predicate: a second run finds no token that expired before its `now`
/// still there.
pub async fn purge_expired_sessions(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    tenant_id: Uuid,
) -> Result<PurgeOutcome, DbErr> {
    let now = clock.now();
    let tx = tenant_scope::begin(db, tenant_id).await?;
    // The tenant filter is the only guard on SQLite; on PostgreSQL row-level security
    // would hold even without it.
    let deleted = refresh_tokens::Entity::delete_many()
        .filter(refresh_tokens::Column::TenantId.eq(tenant_id))
        .filter(refresh_tokens::Column::ExpiresAt.lt(now))
        .exec(&tx)
        .await?
        .rows_affected;
    tx.commit().await?;
    Ok(PurgeOutcome { deleted })
}

impl Job for PurgeExpiredSessions {
    const QUEUE: &'static str = "concord.purge_expired_sessions";
    const MAX_ATTEMPTS: usize = 5;
    type Output = PurgeOutcome;

    async fn run(self, ctx: JobContext) -> Result<PurgeOutcome, JobError> {
        let outcome = purge_expired_sessions(&ctx.db, ctx.clock.as_ref(), self.tenant_id).await?;
        tracing::info!(
            tenant_id = %self.tenant_id,
            deleted = outcome.deleted,
            "purged expired refresh tokens"
        );
        Ok(outcome)
    }
}
