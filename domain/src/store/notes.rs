//! Client notes (NOTE-1). Rows are never deleted: a deletion sets `deleted_at`, and the
//! database refuses a real DELETE whoever asks.
use chrono::{DateTime, Utc};
use entities::client_notes;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;

pub async fn insert(
    db: &impl ConnectionTrait,
    note: client_notes::ActiveModel,
) -> DomainResult<client_notes::Model> {
    Ok(note.insert(db).await?)
}

/// A note that has not been deleted.
pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<client_notes::Model>> {
    Ok(client_notes::Entity::find()
        .filter(client_notes::Column::TenantId.eq(tenant_id))
        .filter(client_notes::Column::Id.eq(id))
        .filter(client_notes::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

/// A client's notes that have not been deleted, newest first. `written_by` limits them to one
/// party's (when the plan does not share notes); `Some(None)` is the Data Center's own.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    written_by: Option<Option<Uuid>>,
    window: Window,
) -> DomainResult<Page<client_notes::Model>> {
    let mut query = client_notes::Entity::find()
        .filter(client_notes::Column::TenantId.eq(tenant_id))
        .filter(client_notes::Column::ClientId.eq(client_id))
        .filter(client_notes::Column::DeletedAt.is_null());
    match written_by {
        Some(Some(agency)) => query = query.filter(client_notes::Column::AuthorAgencyId.eq(agency)),
        Some(None) => query = query.filter(client_notes::Column::AuthorAgencyId.is_null()),
        None => {}
    }
    super::keyset_page(
        db,
        query,
        client_notes::Column::Id,
        IdOrder::NewestFirst,
        window,
    )
    .await
}

/// What a versioned write does to a note.
pub enum NoteWrite<'a> {
    Body(&'a str),
    Delete,
}

/// Writes only if the note is still at `expected_version` and not deleted (LOCK-1). Returns
/// whether it was written.
pub async fn write(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    expected_version: i32,
    change: NoteWrite<'_>,
    at: DateTime<Utc>,
) -> DomainResult<bool> {
    let mut row = client_notes::ActiveModel {
        updated_at: Set(at),
        version: Set(expected_version.saturating_add(1)),
        ..Default::default()
    };
    match change {
        NoteWrite::Body(body) => row.body = Set(body.to_owned()),
        // Deleting bumps the version too, so no later write at the old one gets through.
        NoteWrite::Delete => row.deleted_at = Set(Some(at)),
    }
    Ok(
        super::versioned::update_at_version(db, tenant_id, id, expected_version, row)
            .await?
            .is_some(),
    )
}
