//! Database access by use case. Tenant data is only ever touched inside
//! `entities::tenant_scope::begin` (row-level security on PostgreSQL) and every query here
//! also filters by tenant itself, so the embedded SQLite default is isolated too.
pub mod agencies;
pub mod attachments;
pub mod audit;
pub mod case_managers;
pub mod cases;
pub mod client_search;
pub mod clients;
pub mod connect;
pub mod enrollments;
pub mod inconsistencies;
pub mod invitations;
pub mod manual_clock;
pub mod nodes;
pub mod notes;
pub mod notifications;
pub mod outbox;
pub mod password_resets;
pub mod plans;
pub mod platform_admins;
pub mod platform_sessions;
pub mod profile;
pub mod projects;
mod registry;
pub mod second_factor;
pub mod service_accounts;
pub mod services;
pub mod sessions;
pub mod tenants;
pub mod users;
pub mod versioned;
pub mod webauthn;
pub mod webhooks;

use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoColumnRef, LikeExpr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};
use crate::page::{ContainsText, Window};

pub use crate::page::Page;
pub use entities::tenant_scope::APP_ROLE;
pub use registry::still_active;

/// A transaction scoped to one tenant.
pub async fn tenant_tx(
    db: &DatabaseConnection,
    tenant_id: Uuid,
) -> DomainResult<DatabaseTransaction> {
    Ok(entities::tenant_scope::begin(db, tenant_id).await?)
}

/// A savepoint inside `outer`, a tenant transaction of `tenant_id` that the caller holds.
pub async fn join_tenant_tx(
    outer: &DatabaseTransaction,
    tenant_id: Uuid,
) -> DomainResult<DatabaseTransaction> {
    Ok(entities::tenant_scope::join(outer, tenant_id).await?)
}

/// A transaction for the tenants registry only (sign-in by slug, sign-up).
pub async fn registry_tx(db: &DatabaseConnection) -> DomainResult<DatabaseTransaction> {
    Ok(entities::tenant_scope::begin_without_tenant(db).await?)
}

/// A transaction for platform administration (tenant status, platform administrators), as
/// the one database role allowed to do it; with `tenant`, its audit log is writable too.
pub async fn platform_tx(
    db: &DatabaseConnection,
    tenant: Option<Uuid>,
) -> DomainResult<DatabaseTransaction> {
    Ok(entities::tenant_scope::begin_platform(db, tenant).await?)
}

/// True when the error is a unique-key violation (a duplicate name, e-mail or slug).
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// How a list orders its rows by their UUIDv7 ids.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum IdOrder {
    OldestFirst,
    NewestFirst,
}

/// `window` of the rows `query` selects, a list ordered by `id` alone. The whole list is
/// counted (one more query) only when the window asks for it.
pub async fn keyset_page<E, C>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id: C,
    order: IdOrder,
    window: Window,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ColumnTrait,
{
    let total = count_if_asked(db, &query, window).await?;
    // Backward, the rows nearest the cursor are read first, against the list's order.
    let ascending = (order == IdOrder::OldestFirst) != window.is_backward();
    let mut query = query;
    if let Some(cursor) = window.cursor {
        query = query.filter(if ascending {
            id.gt(cursor)
        } else {
            id.lt(cursor)
        });
    }
    let query = if ascending {
        query.order_by_asc(id)
    } else {
        query.order_by_desc(id)
    };
    let rows = query.limit(window.overfetch()).all(db).await?;
    Ok(Page::from_overfetch(rows, window).with_total(total))
}

/// `window` of the rows `query` selects, sorted by the text column `key` without regard to
/// case and then by `id`, or by `id` alone when `key` is `None`; `descending` turns both.
/// A cursor is a row's id: its key is read again, so the page after it starts where it stood
/// in the list as the list is now.
pub async fn sorted_page<E, C>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id: C,
    key: Option<C>,
    descending: bool,
    window: Window,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ColumnTrait + IntoColumnRef,
{
    let Some(key) = key else {
        let order = if descending {
            IdOrder::NewestFirst
        } else {
            IdOrder::OldestFirst
        };
        return keyset_page(db, query, id, order, window).await;
    };
    let total = count_if_asked(db, &query, window).await?;
    let key = lowercase(key);
    // Backward, the rows nearest the cursor are read first, against the list's order.
    let ascending = descending == window.is_backward();
    let mut query = query;
    if let Some(cursor) = window.cursor {
        let at: Option<String> = query
            .clone()
            .select_only()
            .column_as(key.clone(), "key")
            .filter(id.eq(cursor))
            .into_tuple()
            .one(db)
            .await?;
        let at = at.ok_or_else(|| {
            DomainError::validation(
                if window.is_backward() {
                    "before"
                } else {
                    "after"
                },
                "the row this page continues from has left the list; read it again from its start",
            )
        })?;
        let (beyond_key, beyond_id) = if ascending {
            (key.clone().gt(at.clone()), id.gt(cursor))
        } else {
            (key.clone().lt(at.clone()), id.lt(cursor))
        };
        query = query.filter(
            Condition::any()
                .add(beyond_key)
                .add(Condition::all().add(key.clone().eq(at)).add(beyond_id)),
        );
    }
    let order = if ascending {
        sea_orm::Order::Asc
    } else {
        sea_orm::Order::Desc
    };
    let rows = query
        .order_by(key, order.clone())
        .order_by(id, order)
        .limit(window.overfetch())
        .all(db)
        .await?;
    Ok(Page::from_overfetch(rows, window).with_total(total))
}

/// The rows still active (`true`: not deactivated) or only those deactivated, by the column
/// that holds when one was deactivated.
pub fn active_is(deactivated_at: impl ColumnTrait, active: bool) -> SimpleExpr {
    if active {
        deactivated_at.is_null()
    } else {
        deactivated_at.is_not_null()
    }
}

/// A text column lower-cased, as lists sort and search it.
fn lowercase(column: impl IntoColumnRef) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col(column)))
}

/// The rows whose text column holds `text`, without regard to case; `%` and `_` in the text
/// are themselves, not wildcards.
pub fn contains(column: impl IntoColumnRef, text: &ContainsText) -> SimpleExpr {
    let escaped = text
        .as_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    lowercase(column).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// The length of the whole list `query` selects, when `window` asks for it (`totalCount`).
pub async fn count_if_asked<E>(
    db: &impl ConnectionTrait,
    query: &Select<E>,
    window: Window,
) -> DomainResult<Option<u64>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    Ok(if window.count {
        Some(query.clone().count(db).await?)
    } else {
        None
    })
}
