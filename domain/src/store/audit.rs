//! AUD-1: the append-only audit log: who, tenant, agency, what, when, and before/after of
//! each write. It is itself protected data (HUD's accounting of use and disclosure): it never
//! holds a password or a token, and an SSN only masked. Unlike the application logs, which
//! carry ids only.
use chrono::{DateTime, Utc};
use entities::audit_log;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};

pub struct Entry<'a> {
    pub tenant_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor_agency_id: Option<Uuid>,
    pub action: &'a str,
    pub subject_id: Option<Uuid>,
    pub refused_by: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// Written without `RETURNING`, so a role that may append to the log (the platform role)
/// needs no right to read it.
pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> DomainResult<()> {
    record_many(db, vec![entry]).await
}

/// Many entries in one statement.
pub async fn record_many(db: &impl ConnectionTrait, entries: Vec<Entry<'_>>) -> DomainResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows = entries.into_iter().map(|entry| audit_log::ActiveModel {
        tenant_id: Set(entry.tenant_id),
        id: Set(Uuid::now_v7()),
        at: Set(entry.at),
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
    });
    audit_log::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A refused action, to be written to the audit log whatever happens to the request's own
/// transaction (it usually rolls back with the refusal).
pub struct Refusal {
    pub tenant_id: Uuid,
    pub actor_user_id: Uuid,
    pub actor_agency_id: Option<Uuid>,
    pub action: String,
    pub subject_id: Option<Uuid>,
    pub rule: &'static str,
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// Writes refusals without taking a second connection from the pool the request holds one
/// of: on PostgreSQL through a small pool of their own (so a batch of refusals cannot wait on
/// itself), on SQLite right after the request's transaction has let go of the write lock.
#[derive(Clone)]
pub struct RefusalLog {
    /// The pool refusals are written through.
    db: DatabaseConnection,
    /// SQLite: the request's transaction holds the only write lock until it ends.
    after_request: bool,
}

impl RefusalLog {
    pub fn new(main: &DatabaseConnection, own_pool: Option<DatabaseConnection>) -> Self {
        match own_pool {
            Some(db) => Self {
                db,
                after_request: false,
            },
            None => Self {
                db: main.clone(),
                after_request: true,
            },
        }
    }

    pub async fn record(&self, refusal: Refusal) -> DomainResult<()> {
        let db = self.db.clone();
        let write = async move {
            let tx = super::tenant_tx(&db, refusal.tenant_id).await?;
            record(
                &tx,
                Entry {
                    tenant_id: refusal.tenant_id,
                    actor_user_id: Some(refusal.actor_user_id),
                    actor_agency_id: refusal.actor_agency_id,
                    action: &refusal.action,
                    subject_id: refusal.subject_id,
                    refused_by: Some(refusal.rule),
                    source_ip: None,
                    detail: refusal.detail,
                    at: refusal.at,
                },
            )
            .await?;
            Ok::<(), DomainError>(tx.commit().await?)
        };
        if self.after_request {
            tokio::spawn(async move {
                if let Err(error) = write.await {
                    tracing::error!(error = %error, "could not audit a refusal");
                }
            });
            Ok(())
        } else {
            write.await
        }
    }
}
