//! LOCK-1 for every versioned record, in one place: a write names the version it read, and
//! the database applies it only if the row is still at that version — one conditional
//! statement, so two writers who read the same version can never both succeed (a check
//! followed by an unconditional update lets both through on PostgreSQL).
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::DomainResult;

/// A tenant table whose rows carry `(tenant_id, id)` keys and a `version`.
pub trait Versioned: EntityTrait {
    fn tenant_id() -> Self::Column;
    fn id() -> Self::Column;
    fn version() -> Self::Column;
}

/// Writes the `Set` fields of `row` only if the record is still at `expected`; the row as
/// written, or `None` when another write got there first.
pub async fn update_at_version<E, A>(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    expected: i32,
    row: A,
) -> DomainResult<Option<E::Model>>
where
    E: Versioned,
    A: ActiveModelTrait<Entity = E>,
{
    let result = E::update_many()
        .set(row)
        .filter(E::tenant_id().eq(tenant_id))
        .filter(E::id().eq(id))
        .filter(E::version().eq(expected))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    current::<E>(db, tenant_id, id).await
}

/// The record as it is now.
pub async fn current<E: Versioned>(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<E::Model>> {
    Ok(E::find()
        .filter(E::tenant_id().eq(tenant_id))
        .filter(E::id().eq(id))
        .one(db)
        .await?)
}

/// Deletes the record only if it is still at `expected`; true when it was deleted.
pub async fn delete_at_version<E: Versioned>(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    expected: i32,
) -> DomainResult<bool> {
    let result = E::delete_many()
        .filter(E::tenant_id().eq(tenant_id))
        .filter(E::id().eq(id))
        .filter(E::version().eq(expected))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The versioned tables. Plain impls: which columns are the key and the version.
mod tables {
    use entities::{
        attachments, case_manager_assignments, cases, client_notes, clients, enrollments,
        profile_rows, services,
    };

    use super::Versioned;

    impl Versioned for clients::Entity {
        fn tenant_id() -> clients::Column {
            clients::Column::TenantId
        }
        fn id() -> clients::Column {
            clients::Column::Id
        }
        fn version() -> clients::Column {
            clients::Column::Version
        }
    }

    impl Versioned for enrollments::Entity {
        fn tenant_id() -> enrollments::Column {
            enrollments::Column::TenantId
        }
        fn id() -> enrollments::Column {
            enrollments::Column::Id
        }
        fn version() -> enrollments::Column {
            enrollments::Column::Version
        }
    }

    impl Versioned for case_manager_assignments::Entity {
        fn tenant_id() -> case_manager_assignments::Column {
            case_manager_assignments::Column::TenantId
        }
        fn id() -> case_manager_assignments::Column {
            case_manager_assignments::Column::Id
        }
        fn version() -> case_manager_assignments::Column {
            case_manager_assignments::Column::Version
        }
    }

    impl Versioned for services::Entity {
        fn tenant_id() -> services::Column {
            services::Column::TenantId
        }
        fn id() -> services::Column {
            services::Column::Id
        }
        fn version() -> services::Column {
            services::Column::Version
        }
    }

    impl Versioned for client_notes::Entity {
        fn tenant_id() -> client_notes::Column {
            client_notes::Column::TenantId
        }
        fn id() -> client_notes::Column {
            client_notes::Column::Id
        }
        fn version() -> client_notes::Column {
            client_notes::Column::Version
        }
    }

    impl Versioned for profile_rows::Entity {
        fn tenant_id() -> profile_rows::Column {
            profile_rows::Column::TenantId
        }
        fn id() -> profile_rows::Column {
            profile_rows::Column::Id
        }
        fn version() -> profile_rows::Column {
            profile_rows::Column::Version
        }
    }

    impl Versioned for attachments::Entity {
        fn tenant_id() -> attachments::Column {
            attachments::Column::TenantId
        }
        fn id() -> attachments::Column {
            attachments::Column::Id
        }
        fn version() -> attachments::Column {
            attachments::Column::Version
        }
    }

    impl Versioned for cases::Entity {
        fn tenant_id() -> cases::Column {
            cases::Column::TenantId
        }
        fn id() -> cases::Column {
            cases::Column::Id
        }
        fn version() -> cases::Column {
            cases::Column::Version
        }
    }
}
