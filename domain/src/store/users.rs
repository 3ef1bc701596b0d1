use chrono::{DateTime, Utc};
use entities::users;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{Page, is_unique_violation};
use crate::error::{DomainError, DomainResult};
use crate::page::{ContainsText, Listing, Window};
use crate::policy::roles::Role;
use crate::values::{DisplayName, Email};

pub const ACTIVE: &str = "ACTIVE";
pub const DEACTIVATED: &str = "DEACTIVATED";

pub struct NewUser<'a> {
    /// Creation time, also the start of the user's valid sessions.
    pub now: DateTime<Utc>,
    pub tenant_id: Uuid,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: String,
    pub role: Role,
    pub agency_id: Option<Uuid>,
}

pub async fn insert(db: &impl ConnectionTrait, user: NewUser<'_>) -> DomainResult<users::Model> {
    let now = user.now;
    users::ActiveModel {
        tenant_id: Set(user.tenant_id),
        id: Set(Uuid::now_v7()),
        email: Set(user.email.as_str().to_owned()),
        display_name: Set(user.display_name.as_str().to_owned()),
        password_hash: Set(user.password_hash),
        role: Set(user.role.as_str().to_owned()),
        agency_id: Set(user.agency_id),
        status: Set(ACTIVE.to_owned()),
        failed_logins: Set(0),
        first_failed_at: Set(None),
        locked_until: Set(None),
        sessions_valid_after: Set(now),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::validation("email", "a user with this e-mail address already exists")
        } else {
            e.into()
        }
    })
}

pub async fn by_email(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    email: &str,
) -> DomainResult<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::TenantId.eq(tenant_id))
        .filter(users::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::TenantId.eq(tenant_id))
        .filter(users::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// What the users list may be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserField {
    /// When the account was created.
    #[default]
    Created,
    Name,
    Email,
    Role,
}

/// Which users a list holds; every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Only this agency's people (an agency's own directory).
    pub agency_id: Option<Uuid>,
    /// Part of the name or the address.
    pub text: Option<ContainsText>,
    pub role: Option<Role>,
    /// Only those who may sign in (`true`) or only those deactivated.
    pub active: Option<bool>,
}

pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    listing: &Listing<UserFilter, UserField>,
    window: Window,
) -> DomainResult<Page<users::Model>> {
    let (filter, sort) = (&listing.filter, listing.sort);
    let mut query = users::Entity::find().filter(users::Column::TenantId.eq(tenant_id));
    if let Some(agency_id) = filter.agency_id {
        query = query.filter(users::Column::AgencyId.eq(agency_id));
    }
    if let Some(text) = &filter.text {
        query = query.filter(
            Condition::any()
                .add(super::contains(users::Column::DisplayName, text))
                .add(super::contains(users::Column::Email, text)),
        );
    }
    if let Some(role) = filter.role {
        query = query.filter(users::Column::Role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::Column::Status.eq(if active { ACTIVE } else { DEACTIVATED }));
    }
    let key = match sort.by {
        UserField::Created => None,
        UserField::Name => Some(users::Column::DisplayName),
        UserField::Email => Some(users::Column::Email),
        UserField::Role => Some(users::Column::Role),
    };
    super::sorted_page(db, query, users::Column::Id, key, sort.descending, window).await
}

pub async fn record_successful_login(
    db: &impl ConnectionTrait,
    user: users::Model,
    new_hash: Option<String>,
) -> DomainResult<users::Model> {
    let mut active: users::ActiveModel = user.into();
    active.failed_logins = Set(0);
    active.first_failed_at = Set(None);
    active.locked_until = Set(None);
    if let Some(hash) = new_hash {
        active.password_hash = Set(hash);
    }
    Ok(active.update(db).await?)
}

/// A new password (changed or reset): the failures counted against the old one go with it.
pub async fn set_password(
    db: &impl ConnectionTrait,
    user: users::Model,
    password_hash: String,
) -> DomainResult<users::Model> {
    record_successful_login(db, user, Some(password_hash)).await
}

/// Role, agency or status changed: every session of the user ends now.
pub async fn update_access(
    db: &impl ConnectionTrait,
    user: users::Model,
    role: Role,
    agency_id: Option<Uuid>,
    status: &str,
    now: DateTime<Utc>,
) -> DomainResult<users::Model> {
    let mut active: users::ActiveModel = user.into();
    active.role = Set(role.as_str().to_owned());
    active.agency_id = Set(agency_id);
    active.status = Set(status.to_owned());
    active.sessions_valid_after = Set(now);
    Ok(active.update(db).await?)
}

/// The addresses of an agency's active administrators, or (`None`) of the tenant's active
/// Data Center users: who an agency's message is e-mailed to.
pub async fn administrator_emails(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency: Option<Uuid>,
) -> DomainResult<Vec<String>> {
    let mut query = users::Entity::find()
        .select_only()
        .column(users::Column::Email)
        .filter(users::Column::TenantId.eq(tenant_id))
        .filter(users::Column::Status.eq(ACTIVE));
    query = match agency {
        Some(agency) => query
            .filter(users::Column::Role.eq(Role::AgencyAdmin.as_str()))
            .filter(users::Column::AgencyId.eq(agency)),
        None => query.filter(users::Column::Role.eq(Role::DataCenter.as_str())),
    };
    Ok(query
        .order_by_asc(users::Column::Email)
        .into_tuple()
        .all(db)
        .await?)
}

/// The display names of the tenant's users among `ids` (PROV-1), in one statement.
pub async fn display_names(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<(Uuid, String)>> {
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::DisplayName)
        .filter(users::Column::TenantId.eq(tenant_id))
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// The agency's people who may still sign in.
pub async fn active_of_agency(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency_id: Uuid,
) -> DomainResult<Vec<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::TenantId.eq(tenant_id))
        .filter(users::Column::AgencyId.eq(agency_id))
        .filter(users::Column::Status.eq(ACTIVE))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?)
}
