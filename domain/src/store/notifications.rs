//! In-app messages: to an agency's administrators, to the Data Center (no agency), or to one
//! person (`recipient_user_id`).
use chrono::{DateTime, Utc};
use entities::notifications;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;
use crate::policy::roles::Inbox;

/// Many messages in one statement.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    messages: Vec<notifications::ActiveModel>,
) -> DomainResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    notifications::Entity::insert_many(messages)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<notifications::Model>> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::TenantId.eq(tenant_id))
        .filter(notifications::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The messages in `inbox` (only the unread ones with `unread_only`), newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    inbox: Inbox,
    unread_only: bool,
    window: Window,
) -> DomainResult<Page<notifications::Model>> {
    let mut query =
        notifications::Entity::find().filter(notifications::Column::TenantId.eq(tenant_id));
    let personal = |user: Uuid| notifications::Column::RecipientUserId.eq(user);
    match inbox {
        Inbox::All => {}
        Inbox::Agency { agency, user } => {
            query = query.filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(notifications::Column::RecipientAgencyId.eq(agency))
                            .add(notifications::Column::RecipientUserId.is_null()),
                    )
                    .add(personal(user)),
            );
        }
        Inbox::Own { user } => query = query.filter(personal(user)),
    }
    if unread_only {
        query = query.filter(notifications::Column::ReadAt.is_null());
    }
    super::keyset_page(
        db,
        query,
        notifications::Column::Id,
        IdOrder::NewestFirst,
        window,
    )
    .await
}

/// Marks a message read once; reading it again keeps the first time.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Some(at)))
        .filter(notifications::Column::TenantId.eq(tenant_id))
        .filter(notifications::Column::Id.eq(id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
