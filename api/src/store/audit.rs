//! AUD-1: the append-only audit log: who, tenant, agency, what, when, and before/after of
//! each write. It is itself protected data (HUD's accounting of use and disclosure): it never
//! holds a password or a token, and an SSN only masked. Unlike the application logs, which
//! carry ids only.
use chrono::Utc;
use entities::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::error::ApiResult;

pub struct Entry<'a> {
    pub tenant_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor_agency_id: Option<Uuid>,
    pub action: &'a str,
    pub subject_id: Option<Uuid>,
    pub refused_by: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub detail: serde_json::Value,
}

pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> ApiResult<()> {
    audit_log::ActiveModel {
        tenant_id: Set(entry.tenant_id),
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_user_id: Set(entry.actor_user_id),
        actor_agency_id: Set(entry.actor_agency_id),
        action: Set(entry.action.to_owned()),
        subject_id: Set(entry.subject_id),
        outcome: Set(if entry.refused_by.is_some() {
            "REFUSED"
        } else {
            "ALLOWED"
        }
        .to_owned()),
        rule: Set(entry.refused_by.map(str::to_owned)),
        source_ip: Set(entry.source_ip.map(str::to_owned)),
        detail: Set(entry.detail),
    }
    .insert(db)
    .await?;
    Ok(())
}
