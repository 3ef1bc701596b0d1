//! AUD-1: the append-only audit log: who, tenant, agency, what, when, and before/after of
//! each write. It is itself protected data (HUD's accounting of use and disclosure): it never
//! holds a password or a token, and an SSN only masked. Unlike the application logs, which
//! carry ids only.
use chrono::{DateTime, Utc};
use entities::{
    attachments, audit_log, case_manager_assignments, cases, client_notes, data_conflicts,
    enrollments, profile_rows, services,
};
use sea_orm::sea_query::{DynIden, Expr, ExprTrait, IntoIden, Query as SeaQuery};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;

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

impl<'a> Entry<'a> {
    /// What a person did, allowed, to `subject`.
    pub fn allowed(
        by: &crate::auth::TenantUser,
        action: &'a str,
        subject: Uuid,
        detail: serde_json::Value,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            tenant_id: by.tenant_id,
            actor_user_id: Some(by.user_id),
            actor_agency_id: by.agency_id,
            action,
            subject_id: Some(subject),
            refused_by: None,
            source_ip: None,
            detail,
            at,
        }
    }
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

/// Which entries of the audit log to read; every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub actor_user_id: Option<Uuid>,
    pub action: Option<String>,
    /// Entries about this client: on it, or on one of its records (their detail names it).
    pub client_id: Option<Uuid>,
    pub refused: Option<bool>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// A page of the tenant's audit log, newest first; `before` is the last id of the previous
/// page (ids are time-ordered).
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    filter: &Filter,
    window: Window,
) -> DomainResult<Page<audit_log::Model>> {
    let mut query = audit_log::Entity::find().filter(audit_log::Column::TenantId.eq(tenant_id));
    if let Some(actor) = filter.actor_user_id {
        query = query.filter(audit_log::Column::ActorUserId.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(refused) = filter.refused {
        query = query.filter(audit_log::Column::Outcome.eq(if refused {
            "REFUSED"
        } else {
            "ALLOWED"
        }));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::Column::At.gte(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::At.lt(until));
    }
    if let Some(client) = filter.client_id {
        // The detail is JSON; a typed id formatted into the expression cannot carry SQL.
        let in_detail = match db.get_database_backend() {
            DbBackend::Postgres => format!("detail->>'client_id' = '{client}'"),
            _ => format!("json_extract(detail, '$.client_id') = '{client}'"),
        };
        // A refusal names only the record it refused: any record of the client counts.
        let of_client = |table: DynIden, tenant: DynIden, id: DynIden, client_id: DynIden| {
            audit_log::Column::SubjectId.in_subquery(
                SeaQuery::select()
                    .column(id)
                    .from(table)
                    .and_where(Expr::col(tenant).eq(tenant_id))
                    .and_where(Expr::col(client_id).eq(client))
                    .to_owned(),
            )
        };
        macro_rules! records_of {
            ($($entity:ident),*) => {
                [$(of_client(
                    $entity::Entity.into_iden(),
                    $entity::Column::TenantId.into_iden(),
                    $entity::Column::Id.into_iden(),
                    $entity::Column::ClientId.into_iden(),
                )),*]
            };
        }
        let mut about = Condition::any()
            .add(audit_log::Column::SubjectId.eq(client))
            .add(Expr::cust(in_detail));
        for records in records_of!(
            profile_rows,
            enrollments,
            services,
            client_notes,
            attachments,
            case_manager_assignments,
            data_conflicts,
            cases
        ) {
            about = about.add(records);
        }
        query = query.filter(about);
    }
    super::keyset_page(
        db,
        query,
        audit_log::Column::Id,
        IdOrder::NewestFirst,
        window,
    )
    .await
}
