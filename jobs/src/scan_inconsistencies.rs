//! The daily `ENR-4` scan of one tenant (`domain::cases::scan::tenant`), with Concord acting
//! for the tenant. Enrollment changes scan their client at once; this catches the rest (a
//! plan whose normal pairs changed, records imported).
use domain::caller::Caller;
use domain::cases::scan;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::JobError;
use crate::job::{Job, JobContext};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInconsistencies {
    pub tenant_id: Uuid,
}

impl Job for ScanInconsistencies {
    const QUEUE: &'static str = "concord.scan_inconsistencies";
    const MAX_ATTEMPTS: usize = 5;
    type Output = usize;

    async fn run(self, ctx: JobContext) -> Result<usize, JobError> {
        let report = scan::tenant(&ctx.state, Caller::system(self.tenant_id)).await?;
        tracing::info!(tenant_id = %self.tenant_id, clients = report.clients, "scanned entry/exit records");
        Ok(report.clients)
    }
}
