//! Cases, their contact attempts, their timelines and their deadlines.
use chrono::{DateTime, Utc};
use entities::{case_attempts, case_events, cases, data_conflicts, deadlines};
use sea_orm::sea_query::{
    Expr, ExprTrait, LockBehavior, LockType, NullOrdering, OnConflict, Order,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;
use crate::values::ConflictStatus;

pub async fn insert(
    db: &impl ConnectionTrait,
    case: cases::ActiveModel,
) -> DomainResult<cases::Model> {
    Ok(case.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<cases::Model>> {
    super::versioned::current::<cases::Entity>(db, tenant_id, id).await
}

/// Moves the case to `state` — a step Concord takes by itself, or the update that closes it —
/// unless it is in one of `unless` (a case closed already stays closed). `closing` stamps the
/// closing time. The version moves on, so a step taken on what was read before is refused as
/// stale.
pub async fn set_state(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    state: &str,
    closing: bool,
    unless: &[&str],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    set_states(db, tenant_id, &[id], state, closing, unless, now).await
}

/// `set_state` for many cases at once, in one statement.
pub async fn set_states(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
    state: &str,
    closing: bool,
    unless: &[&str],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut update = cases::Entity::update_many()
        .col_expr(cases::Column::State, Expr::value(state))
        .col_expr(cases::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            cases::Column::Version,
            Expr::col(cases::Column::Version).add(1),
        );
    if closing {
        update = update.col_expr(cases::Column::ClosedAt, Expr::value(Some(now)));
    }
    update
        .filter(cases::Column::TenantId.eq(tenant_id))
        .filter(cases::Column::Id.is_in(ids.iter().copied()))
        .filter(cases::Column::State.is_not_in(unless.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// The cases with these ids, locked for this transaction on PostgreSQL: what Concord decides
/// on them by itself cannot be overtaken by a person's step in flight (which waits, and is
/// then refused as stale).
pub async fn lock_many(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<cases::Model>> {
    let mut query = cases::Entity::find()
        .filter(cases::Column::TenantId.eq(tenant_id))
        .filter(cases::Column::Id.is_in(ids.iter().copied()))
        // One order for every locker, so two sweeps never wait on each other in a circle.
        .order_by_asc(cases::Column::Id);
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    Ok(query.all(db).await?)
}

/// Which cases a list holds.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaseFilter<'a> {
    /// Only cases one of whose two sides is this agency (what an agency's people see).
    pub visible_to_agency: Option<Uuid>,
    /// Only cases one of whose two sides is this agency (what the viewer asked for).
    pub agency: Option<Uuid>,
    pub kinds: Option<&'a [&'a str]>,
    pub states: Option<&'a [&'a str]>,
    pub client_id: Option<Uuid>,
    /// Only cases with a deadline pending before this time.
    pub due_before: Option<DateTime<Utc>>,
}

/// How a list of cases is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// The case whose next pending deadline comes first, first; those with none last.
    #[default]
    NextDue,
    Newest,
}

/// The earliest pending deadline of the case in the row being read.
fn next_due() -> Expr {
    Expr::cust(
        r#"(SELECT MIN("deadlines"."due_at") FROM "deadlines" WHERE "deadlines"."tenant_id" = "cases"."tenant_id" AND "deadlines"."case_id" = "cases"."id" AND "deadlines"."done_at" IS NULL)"#,
    )
}

fn involves(agency: Uuid) -> Condition {
    Condition::any()
        .add(cases::Column::ReportedByAgency.eq(agency))
        .add(cases::Column::OwnerAgency.eq(agency))
}

/// A page of the tenant's cases in `order`, `window` around the case whose id is its cursor.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    filter: CaseFilter<'_>,
    order: CaseOrder,
    window: Window,
) -> DomainResult<Page<cases::Model>> {
    let mut query = cases::Entity::find().filter(cases::Column::TenantId.eq(tenant_id));
    for agency in [filter.visible_to_agency, filter.agency]
        .into_iter()
        .flatten()
    {
        query = query.filter(involves(agency));
    }
    if let Some(kinds) = filter.kinds {
        query = query.filter(cases::Column::Kind.is_in(kinds.iter().copied()));
    }
    if let Some(states) = filter.states {
        query = query.filter(cases::Column::State.is_in(states.iter().copied()));
    }
    if let Some(client_id) = filter.client_id {
        query = query.filter(cases::Column::ClientId.eq(client_id));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(next_due().lt(before));
    }
    match order {
        CaseOrder::Newest => {
            super::keyset_page(db, query, cases::Column::Id, IdOrder::NewestFirst, window).await
        }
        CaseOrder::NextDue => {
            let total = super::count_if_asked(db, &query, window).await?;
            // Backward, the cases nearest the cursor are read first: latest deadline first,
            // the cases without one (last in the list) before all others.
            query = if window.is_backward() {
                query
                    .order_by_with_nulls(next_due(), Order::Desc, NullOrdering::First)
                    .order_by_desc(cases::Column::Id)
            } else {
                query
                    .order_by_with_nulls(next_due(), Order::Asc, NullOrdering::Last)
                    .order_by_asc(cases::Column::Id)
            };
            if let Some(cursor) = window.cursor {
                query = query.filter(beyond_in_due_order(db, tenant_id, cursor, window).await?);
            }
            let rows = query.limit(window.overfetch()).all(db).await?;
            Ok(Page::from_overfetch(rows, window).with_total(total))
        }
    }
}

/// The cases past `cursor` in next-deadline order (after it, or before it for a backward
/// window), by its next deadline as it is now. Cases without a deadline come last.
async fn beyond_in_due_order(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    cursor: Uuid,
    window: Window,
) -> DomainResult<Condition> {
    let due: Option<Option<DateTime<Utc>>> = deadlines::Entity::find()
        .select_only()
        .column_as(deadlines::Column::DueAt.min(), "due")
        .filter(deadlines::Column::TenantId.eq(tenant_id))
        .filter(deadlines::Column::CaseId.eq(cursor))
        .filter(deadlines::Column::DoneAt.is_null())
        .into_tuple()
        .one(db)
        .await?;
    let due = due.flatten();
    Ok(if window.is_backward() {
        let earlier_id = cases::Column::Id.lt(cursor);
        match due {
            Some(due) => Condition::any()
                .add(next_due().lt(due))
                .add(Condition::all().add(next_due().eq(due)).add(earlier_id)),
            None => Condition::any()
                .add(next_due().is_not_null())
                .add(earlier_id),
        }
    } else {
        let later_id = cases::Column::Id.gt(cursor);
        match due {
            Some(due) => Condition::any()
                .add(next_due().gt(due))
                .add(Condition::all().add(next_due().eq(due)).add(later_id))
                .add(next_due().is_null()),
            None => Condition::all().add(next_due().is_null()).add(later_id),
        }
    })
}

/// The open conflict cases about `field` of a client.
pub async fn open_conflicts_on(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    field: &str,
    closed_states: &[&str],
) -> DomainResult<Vec<(cases::Model, data_conflicts::Model)>> {
    let conflicts = data_conflicts::Entity::find()
        .filter(data_conflicts::Column::TenantId.eq(tenant_id))
        .filter(data_conflicts::Column::ClientId.eq(client_id))
        .filter(data_conflicts::Column::Field.eq(field))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = conflicts.iter().map(|c| c.id).collect();
    let open = cases::Entity::find()
        .filter(cases::Column::TenantId.eq(tenant_id))
        .filter(cases::Column::ConflictId.is_in(ids))
        .filter(cases::Column::State.is_not_in(closed_states.iter().copied()))
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await?;
    Ok(open
        .into_iter()
        .filter_map(|case| {
            let conflict = conflicts
                .iter()
                .find(|c| Some(c.id) == case.conflict_id)?
                .clone();
            Some((case, conflict))
        })
        .collect())
}

/// The cases of these data conflicts (one each at most).
pub async fn by_conflicts(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    conflict_ids: &[Uuid],
) -> DomainResult<Vec<cases::Model>> {
    Ok(cases::Entity::find()
        .filter(cases::Column::TenantId.eq(tenant_id))
        .filter(cases::Column::ConflictId.is_in(conflict_ids.iter().copied()))
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await?)
}

/// The open cases about an enrollment.
pub async fn open_on_enrollment(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    enrollment_id: Uuid,
    closed_states: &[&str],
) -> DomainResult<Vec<cases::Model>> {
    Ok(cases::Entity::find()
        .filter(cases::Column::TenantId.eq(tenant_id))
        .filter(cases::Column::EnrollmentId.eq(enrollment_id))
        .filter(cases::Column::State.is_not_in(closed_states.iter().copied()))
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await?)
}

/// The data conflicts with these ids.
pub async fn conflicts(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<data_conflicts::Model>> {
    Ok(data_conflicts::Entity::find()
        .filter(data_conflicts::Column::TenantId.eq(tenant_id))
        .filter(data_conflicts::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The conflict's own status follows its case's.
pub async fn set_conflict_status(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    status: ConflictStatus,
) -> DomainResult<()> {
    data_conflicts::Entity::update_many()
        .col_expr(data_conflicts::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            data_conflicts::Column::Version,
            Expr::col(data_conflicts::Column::Version).add(1),
        )
        .filter(data_conflicts::Column::TenantId.eq(tenant_id))
        .filter(data_conflicts::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn attempts(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    case_id: Uuid,
) -> DomainResult<Vec<case_attempts::Model>> {
    attempts_of(db, tenant_id, &[case_id]).await
}

/// The attempts on these cases, each case's oldest first.
pub async fn attempts_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    case_ids: &[Uuid],
) -> DomainResult<Vec<case_attempts::Model>> {
    Ok(case_attempts::Entity::find()
        .filter(case_attempts::Column::TenantId.eq(tenant_id))
        .filter(case_attempts::Column::CaseId.is_in(case_ids.iter().copied()))
        .order_by_asc(case_attempts::Column::AttemptedAt)
        .order_by_asc(case_attempts::Column::Id)
        .all(db)
        .await?)
}

pub async fn insert_attempt(
    db: &impl ConnectionTrait,
    attempt: case_attempts::ActiveModel,
) -> DomainResult<case_attempts::Model> {
    Ok(attempt.insert(db).await?)
}

/// The timeline events of these cases, each case's oldest first.
pub async fn events_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    case_ids: &[Uuid],
) -> DomainResult<Vec<case_events::Model>> {
    Ok(case_events::Entity::find()
        .filter(case_events::Column::TenantId.eq(tenant_id))
        .filter(case_events::Column::CaseId.is_in(case_ids.iter().copied()))
        .order_by_asc(case_events::Column::At)
        .order_by_asc(case_events::Column::Id)
        .all(db)
        .await?)
}

/// One step in a case's timeline; `by` is empty when Concord took it by itself.
pub struct Event<'a> {
    pub tenant_id: Uuid,
    pub case_id: Uuid,
    pub at: DateTime<Utc>,
    pub kind: &'a str,
    pub by: Option<(Uuid, Option<Uuid>)>,
    pub detail: Value,
}

pub async fn insert_event(db: &impl ConnectionTrait, event: Event<'_>) -> DomainResult<()> {
    insert_events(db, vec![event]).await
}

/// Many timeline events in one statement.
pub async fn insert_events(db: &impl ConnectionTrait, events: Vec<Event<'_>>) -> DomainResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = events.into_iter().map(|event| case_events::ActiveModel {
        tenant_id: Set(event.tenant_id),
        id: Set(Uuid::now_v7()),
        case_id: Set(event.case_id),
        at: Set(event.at),
        kind: Set(event.kind.to_owned()),
        by_user: Set(event.by.map(|(user, _)| user)),
        by_agency: Set(event.by.and_then(|(_, agency)| agency)),
        detail: Set(event.detail),
    });
    case_events::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Sets (or moves) the case's one deadline of `kind` to `due_at`, pending again.
pub async fn set_deadline(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    case_id: Uuid,
    kind: &str,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    deadlines::Entity::insert(deadlines::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        case_id: Set(case_id),
        kind: Set(kind.to_owned()),
        due_at: Set(due_at),
        done_at: Set(None),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            deadlines::Column::TenantId,
            deadlines::Column::CaseId,
            deadlines::Column::Kind,
        ])
        .update_columns([deadlines::Column::DueAt, deadlines::Column::DoneAt])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn deadlines_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    case_id: Uuid,
) -> DomainResult<Vec<deadlines::Model>> {
    Ok(deadlines::Entity::find()
        .filter(deadlines::Column::TenantId.eq(tenant_id))
        .filter(deadlines::Column::CaseId.eq(case_id))
        .order_by_asc(deadlines::Column::DueAt)
        .all(db)
        .await?)
}

/// Up to `limit` of the tenant's pending deadlines due by `now`, earliest first. On
/// PostgreSQL they are locked for this transaction and rows another sweep holds are skipped,
/// so two sweeps at once never act on one deadline twice.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<Vec<deadlines::Model>> {
    let mut query = deadlines::Entity::find()
        .filter(deadlines::Column::TenantId.eq(tenant_id))
        .filter(deadlines::Column::DoneAt.is_null())
        .filter(deadlines::Column::DueAt.lte(now))
        .order_by_asc(deadlines::Column::DueAt)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(query.all(db).await?)
}

pub async fn mark_deadlines_done(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> DomainResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    deadlines::Entity::update_many()
        .col_expr(deadlines::Column::DoneAt, Expr::value(Some(at)))
        .filter(deadlines::Column::TenantId.eq(tenant_id))
        .filter(deadlines::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}
