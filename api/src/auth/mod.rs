//! Who is asking: tokens, passwords, sessions, login and its rate limits.
pub mod accounts;
pub mod login;
pub mod onboarding;
pub mod password;
pub mod sessions;
pub mod tokens;

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::policy::roles::{Actor, Role};

pub const PLATFORM_ADMIN_ROLE: &str = "PLATFORM_ADMIN";

/// A signed-in user of one tenant, as checked against the database for this request.
#[derive(Clone, Debug)]
pub struct TenantUser {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Role,
    pub agency_id: Option<Uuid>,
    pub session_id: Uuid,
}

impl TenantUser {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            role: self.role,
            agency_id: self.agency_id,
        }
    }
}

/// The caller of a request.
#[derive(Clone, Debug)]
pub enum Viewer {
    Anonymous,
    User(TenantUser),
    /// Operates the installation; reads no client data (`ROLE-5`).
    PlatformAdmin {
        admin_id: Uuid,
    },
}

impl Viewer {
    pub fn tenant_user(&self) -> ApiResult<&TenantUser> {
        match self {
            Self::User(user) => Ok(user),
            Self::Anonymous => Err(ApiError::Unauthenticated("sign in first")),
            Self::PlatformAdmin { .. } => Err(ApiError::Forbidden {
                rule: "ROLE-5",
                reason: "the platform administrator does not act inside a tenant".into(),
            }),
        }
    }

    pub fn platform_admin(&self) -> ApiResult<Uuid> {
        match self {
            Self::PlatformAdmin { admin_id } => Ok(*admin_id),
            Self::Anonymous => Err(ApiError::Unauthenticated("sign in first")),
            Self::User(_) => Err(ApiError::Forbidden {
                rule: "ROLE-5",
                reason: "only the platform administrator manages tenants".into(),
            }),
        }
    }
}

/// Where a request came from, for rate limits and the audit log.
#[derive(Clone, Debug, Default)]
pub struct ClientAddress(pub Option<String>);
