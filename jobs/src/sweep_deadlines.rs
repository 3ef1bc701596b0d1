//! The frequent job that acts on one tenant's due deadlines (`domain::cases::deadlines`),
//! with Concord acting for the tenant.
use domain::caller::Caller;
use domain::cases::deadlines::{SWEEP_BATCH, SweepReport, sweep};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::JobError;
use crate::job::{Job, JobContext};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepDeadlines {
    pub tenant_id: Uuid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepOutcome {
    pub acted: usize,
    pub moot: usize,
}

impl Job for SweepDeadlines {
    const QUEUE: &'static str = "concord.sweep_deadlines";
    const MAX_ATTEMPTS: usize = 5;
    type Output = SweepOutcome;

    async fn run(self, ctx: JobContext) -> Result<SweepOutcome, JobError> {
        let SweepReport { acted, moot } =
            sweep(&ctx.state, Caller::system(self.tenant_id), SWEEP_BATCH).await?;
        if acted + moot > 0 {
            tracing::info!(tenant_id = %self.tenant_id, acted, moot, "swept due deadlines");
        }
        Ok(SweepOutcome { acted, moot })
    }
}
