//! Who is asking: tokens, passwords, sessions, login and its rate limits.
pub mod accounts;
pub mod credentials;
pub mod invitations;
pub mod login;
pub mod onboarding;
pub mod password;
pub mod second_factor;
pub mod service_accounts;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod webauthn;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use uuid::Uuid;

use crate::error::{DomainError, DomainResult};
use crate::policy::Decision;
use crate::policy::roles::{Actor, Role};
use crate::policy::service_accounts::{self as service_policy, Scope, Scopes};
use crate::state::AppState;

pub const PLATFORM_ADMIN_ROLE: &str = "PLATFORM_ADMIN";

/// A signed-in user of one tenant — a person, or a service account — as checked against the
/// database for this request.
#[derive(Clone, Debug)]
pub struct TenantUser {
    /// The person's id, or the service account's: what provenance and the audit log name.
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Role,
    pub agency_id: Option<Uuid>,
    pub principal: Principal,
}

/// Who is behind a `TenantUser`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A person, signed in to a session.
    Person { session_id: Uuid },
    /// A service account (`SVC-2`): its scopes narrow its role; `None` grants all of it.
    Service { scopes: Option<Scopes> },
}

impl TenantUser {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            role: self.role,
            agency_id: self.agency_id,
        }
    }

    /// The person's session; a service account has none (`SVC-3`).
    pub fn session_id(&self) -> DomainResult<Uuid> {
        match self.principal {
            Principal::Person { session_id } => Ok(session_id),
            Principal::Service { .. } => Err(person_only()),
        }
    }

    pub fn is_service_account(&self) -> bool {
        matches!(self.principal, Principal::Service { .. })
    }

    /// `SVC-2`: refused when a service account's scopes do not include `scope`.
    pub fn scope_decision(&self, scope: Scope) -> Decision {
        service_policy::permits(self.granted(), scope)
    }

    /// `decision` as this caller gets it: refused with `SVC-2` when it needs a scope the
    /// caller lacks (what every `access` entry passes through).
    pub fn within_scope(&self, scope: Scope, decision: Decision) -> Decision {
        service_policy::within(self.granted(), scope, decision)
    }

    /// The scopes that narrow the caller's role; `None` for all of it.
    fn granted(&self) -> Option<Scopes> {
        match self.principal {
            Principal::Person { .. } => None,
            Principal::Service { scopes } => scopes,
        }
    }
}

/// `SVC-3`: `user` when a person; a service account is refused, and the refusal is audited
/// under its name like any other (`SVC-2`).
pub async fn person<'u>(
    state: &AppState,
    user: &'u TenantUser,
    action: &str,
) -> DomainResult<&'u TenantUser> {
    if user.is_service_account() {
        onboarding::guard(state, user, action, service_policy::person_only()).await?;
    }
    Ok(user)
}

/// `SVC-3`, as the refusal a service account gets.
fn person_only() -> DomainError {
    let refusal = service_policy::person_only();
    DomainError::Forbidden {
        rule: refusal.rule,
        reason: refusal.reason,
    }
}

/// The caller of a request.
#[derive(Clone, Debug)]
pub enum Viewer {
    Anonymous,
    User(TenantUser),
    /// Signed in, but their role must use a second factor and they have none yet: they may
    /// enrol one, see who they are and sign out, and nothing else (`AUTH-2FA-ENROL`).
    Enrolling(TenantUser),
    /// Operates the installation; reads no client data (`ROLE-5`).
    PlatformAdmin {
        admin_id: Uuid,
        session_id: Uuid,
        /// They always use a second factor and have not enrolled it yet: they may enrol and
        /// sign out, nothing else (`AUTH-2FA-ENROL`).
        enrolling: bool,
    },
}

impl Viewer {
    /// The person signed in (`SVC-3`), for what the refusal of a service account need not be
    /// audited: saying who they are, signing out. What changes anything goes through
    /// `person`, which audits it.
    fn tenant_user(&self) -> DomainResult<&TenantUser> {
        match self.acting()? {
            user if user.is_service_account() => Err(person_only()),
            user => Ok(user),
        }
    }

    /// The person or service account acting in a tenant: what use cases are called with,
    /// each checking the scope it needs (`SVC-2`).
    pub fn acting(&self) -> DomainResult<&TenantUser> {
        match self {
            Self::User(user) => Ok(user),
            Self::Enrolling(_) => Err(DomainError::Forbidden {
                rule: second_factor::ENROL_RULE,
                reason: "your role must use a second factor: enrol an authenticator app first"
                    .into(),
            }),
            Self::Anonymous => Err(DomainError::Unauthenticated("sign in first")),
            Self::PlatformAdmin { .. } => Err(DomainError::Forbidden {
                rule: "ROLE-5",
                reason: "the platform administrator does not act inside a tenant".into(),
            }),
        }
    }

    /// The signed-in person, whether or not they still have to enrol a second factor: for
    /// enrolling, saying who they are and signing out.
    pub fn signed_in(&self) -> DomainResult<&TenantUser> {
        match self {
            Self::Enrolling(user) => Ok(user),
            other => other.tenant_user(),
        }
    }

    pub fn platform_admin(&self) -> DomainResult<Uuid> {
        match self {
            Self::PlatformAdmin {
                admin_id,
                enrolling: false,
                ..
            } => Ok(*admin_id),
            Self::PlatformAdmin {
                enrolling: true, ..
            } => Err(DomainError::Forbidden {
                rule: second_factor::ENROL_RULE,
                reason: "platform administrators always use a second factor: enrol an \
                         authenticator app first"
                    .into(),
            }),
            other => Err(other.not_a_platform_admin()),
        }
    }

    /// The platform administrator, whether or not they still have to enrol their second
    /// factor: for enrolling it.
    pub fn platform_admin_signed_in(&self) -> DomainResult<Uuid> {
        match self {
            Self::PlatformAdmin { admin_id, .. } => Ok(*admin_id),
            other => Err(other.not_a_platform_admin()),
        }
    }

    /// The platform administrator's session (for logout, also while enrolling).
    pub fn platform_session(&self) -> DomainResult<Uuid> {
        match self {
            Self::PlatformAdmin { session_id, .. } => Ok(*session_id),
            other => Err(other.not_a_platform_admin()),
        }
    }

    fn not_a_platform_admin(&self) -> DomainError {
        match self {
            Self::Anonymous => DomainError::Unauthenticated("sign in first"),
            _ => DomainError::Forbidden {
                rule: "ROLE-5",
                reason: "only the platform administrator manages tenants".into(),
            },
        }
    }
}

/// The password hashing one HTTP request may ask for. A hash costs about 20 ms of a core and
/// the hasher is shared with every sign-in, so a batch or aliases of sign-ups must not queue
/// dozens of them ahead of other people's logins. Shared by the operations of one batch.
#[derive(Clone, Debug, Default)]
pub struct PasswordWork(Arc<AtomicU32>);

impl PasswordWork {
    /// Sign-up, sign-in and accepting an invitation each hash once.
    pub const PER_REQUEST: u32 = 1;

    pub fn take(&self) -> DomainResult<()> {
        if self.0.fetch_add(1, Ordering::SeqCst) >= Self::PER_REQUEST {
            tracing::info!("refused: more password work than one request may ask for");
            return Err(DomainError::RateLimited {
                retry_after_secs: 1,
            });
        }
        Ok(())
    }
}

/// Where a request came from, for rate limits and the audit log.
#[derive(Clone, Debug, Default)]
pub struct ClientAddress(pub Option<String>);

impl ClientAddress {
    /// Behind `trusted_proxies` proxies, each appends the address it received the request
    /// from to `X-Forwarded-For` (`hops`, in header order). The client is the entry the
    /// outermost trusted proxy added, counted from the right: everything to its left was
    /// written by the client and can be forged. A chain shorter than that did not pass
    /// through every proxy, so the peer's address stands.
    pub fn from_hops<'a>(
        peer: Option<IpAddr>,
        hops: impl IntoIterator<Item = &'a str>,
        trusted_proxies: usize,
    ) -> Self {
        let hops: Vec<&str> = hops
            .into_iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        let forwarded = (trusted_proxies > 0)
            .then(|| hops.len().checked_sub(trusted_proxies))
            .flatten()
            .and_then(|index| hops.get(index))
            .and_then(|hop| hop.parse::<IpAddr>().ok());
        Self(forwarded.or(peer).map(|ip| ip.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 9)));

    fn address(hops: &[&str], trusted_proxies: usize) -> Option<String> {
        ClientAddress::from_hops(PEER, hops.iter().copied(), trusted_proxies).0
    }

    #[test]
    fn without_trusted_proxies_the_forwarded_header_is_ignored() {
        assert_eq!(address(&["203.0.113.7"], 0).as_deref(), Some("10.0.0.9"));
    }

    #[test]
    fn a_forged_left_most_address_does_not_become_the_client() {
        // The client wrote "1.2.3.4"; the one proxy appended the address it saw.
        assert_eq!(
            address(&["1.2.3.4, 203.0.113.7"], 1).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            address(&["1.2.3.4", "203.0.113.7"], 1).as_deref(),
            Some("203.0.113.7")
        );
        // Two proxies: the outer one's entry is second from the right.
        assert_eq!(
            address(&["1.2.3.4, 203.0.113.7, 10.0.0.2"], 2).as_deref(),
            Some("203.0.113.7")
        );
    }

    #[test]
    fn a_chain_shorter_than_the_proxies_or_not_an_address_falls_back_to_the_peer() {
        assert_eq!(address(&["203.0.113.7"], 2).as_deref(), Some("10.0.0.9"));
        assert_eq!(address(&[], 1).as_deref(), Some("10.0.0.9"));
        assert_eq!(address(&["not-an-ip"], 1).as_deref(), Some("10.0.0.9"));
    }
}
