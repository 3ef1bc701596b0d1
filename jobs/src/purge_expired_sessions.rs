//! The daily job that deletes a tenant's expired refresh tokens
//! (`domain::auth::sessions::purge_expired`).
use domain::caller::Caller;
use domain::error::DomainError;
use domain::state::AppState;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// One tenant's purge, as the domain's use case does it, with Concord acting for the tenant.
pub async fn purge_expired_sessions(
    state: &AppState,
    tenant_id: Uuid,
) -> Result<PurgeOutcome, DomainError> {
    let deleted = domain::auth::sessions::purge_expired(state, Caller::system(tenant_id)).await?;
    Ok(PurgeOutcome { deleted })
}

impl Job for PurgeExpiredSessions {
    const QUEUE: &'static str = "concord.purge_expired_sessions";
    const MAX_ATTEMPTS: usize = 5;
    type Output = PurgeOutcome;

    async fn run(self, ctx: JobContext) -> Result<PurgeOutcome, JobError> {
        let outcome = purge_expired_sessions(&ctx.state, self.tenant_id).await?;
        tracing::info!(
            tenant_id = %self.tenant_id,
            deleted = outcome.deleted,
            "purged expired refresh tokens"
        );
        Ok(outcome)
    }
}
