//! Sessions: opening one, checking an access token against it on every request, rotating
//! refresh tokens (a reused one ends the whole family, RFC 9700 §4.14.2), and ending them.
use chrono::{DateTime, Duration, Utc};
use entities::users;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;
use uuid::Uuid;

use super::second_factor;
use super::tokens::{ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, Subject, parse_opaque_token};
use super::{PLATFORM_ADMIN_ROLE, Principal, TenantUser, Viewer};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::policy::roles::Role;
use crate::read_scope::ReadScope;
use crate::state::AppState;
use crate::store::{self, audit, tenants::TenantStatus};

pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// `last_seen_at` is written at most this often, so requests do not all write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

const REFUSED: DomainError = DomainError::Unauthenticated("your session has ended; sign in again");

pub struct AuthTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: users::Model,
    /// The user's role needs a second factor and they have none: until they enrol one, the
    /// session reaches nothing else (`AUTH-2FA-ENROL`).
    pub second_factor_enrolment_due: bool,
}

/// Starts a session for `user` inside the caller's tenant transaction; `second_factor_at` is
/// when the sign-in passed a second-factor check, if it did.
pub async fn open(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: users::Model,
    now: DateTime<Utc>,
    second_factor_at: Option<DateTime<Utc>>,
) -> DomainResult<AuthTokens> {
    let session =
        store::sessions::start(db, user.tenant_id, user.id, now, second_factor_at).await?;
    let refresh_token = store::sessions::issue_refresh_token(db, &session, now).await?;
    let access = issue_access(state, &user, session.id, now)?;
    let second_factor_enrolment_due = second_factor::must_enrol(db, &user).await?;
    Ok(AuthTokens {
        access_token: access.token,
        refresh_token,
        expires_at: access.expires_at,
        user,
        second_factor_enrolment_due,
    })
}

fn issue_access(
    state: &AppState,
    user: &users::Model,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<super::tokens::IssuedAccessToken> {
    state
        .keys
        .issue(
            &Subject {
                user_id: user.id,
                role: user.role.clone(),
                tenant_id: Some(user.tenant_id),
                agency_id: user.agency_id,
                session_id: Some(session_id),
                service_account: None,
            },
            now,
        )
        .map_err(DomainError::internal)
}

/// Checks a bearer token: signature and claims, then the revocation marks, then the user and
/// session as the database has them now — so logout, deactivation and role changes refuse
/// the very next request.
pub async fn authenticate(state: &AppState, bearer: &str) -> DomainResult<Viewer> {
    Ok(authenticate_request(state, bearer, false).await?.0)
}

/// `authenticate`, and with `share_reads` (a request that only reads) the tenant transaction
/// the session was checked in stays open as the request's `ReadScope`, so that its reads run
/// on it. PostgreSQL only: on the embedded SQLite default a transaction holds the file's
/// write lock, which a request's refusal log would then wait on.
pub async fn authenticate_request(
    state: &AppState,
    bearer: &str,
    share_reads: bool,
) -> DomainResult<(Viewer, Option<ReadScope>)> {
    let now = state.clock.now();
    let claims = state
        .keys
        .verify(bearer, now)
        .ok_or(DomainError::Unauthenticated(
            "invalid or expired access token",
        ))?;
    if claims.client_id.is_some() {
        let tenant_id = claims.tid.ok_or(REFUSED)?;
        let viewer = super::service_accounts::authenticate(state, &claims, tenant_id, now).await?;
        return Ok((viewer, None));
    }
    let (Some(tenant_id), Some(session_id)) = (claims.tid, claims.sid) else {
        if claims.role == PLATFORM_ADMIN_ROLE {
            let session_id = claims.sid.ok_or(REFUSED)?;
            let admin = authenticate_platform_admin(state, claims.sub, session_id, now).await?;
            return Ok((admin, None));
        }
        return Err(REFUSED);
    };
    // The mark is a shortcut; the session's row, read next, is what decides. With Redis
    // down, the row alone still refuses every revoked session.
    match state.shared.is_marked(&revoked_key(session_id)).await {
        Ok(true) => return Err(REFUSED),
        Ok(false) => {}
        Err(err) => {
            tracing::warn!(error = %err, "revocation marks unreadable; the database decides")
        }
    }
    let (tx, session) =
        store::sessions::begin_checked(&state.db, tenant_id, claims.sub, session_id).await?;
    let session = session.ok_or(REFUSED)?;
    let role = Role::parse(&session.user_role).ok_or(REFUSED)?;
    let current = session.tenant_status == TenantStatus::Active.as_str()
        && session.user_status == store::users::ACTIVE
        && session.user_role == claims.role
        && session.user_agency_id == claims.agency
        && claims.iat >= session.sessions_valid_after.timestamp()
        && session.revoked_at.is_none()
        && now < session.created_at + REFRESH_TOKEN_TTL;
    if !current {
        return Err(REFUSED);
    }
    if now - session.last_seen_at > IDLE_TIMEOUT {
        store::sessions::revoke(&tx, tenant_id, session_id, "idle", now).await?;
        tx.commit().await?;
        return Err(REFUSED);
    }
    let share_reads = share_reads && state.db.get_database_backend() == DbBackend::Postgres;
    let reads = if now - session.last_seen_at > TOUCH_EVERY {
        // The touch locks the session's row: committed now, so that nothing later in the
        // request (a sign-out, say) waits on it.
        store::sessions::touch(&tx, tenant_id, session_id, now).await?;
        tx.commit().await?;
        share_reads.then(|| ReadScope::new(tenant_id, None, session.plan_version))
    } else if share_reads {
        Some(ReadScope::new(tenant_id, Some(tx), session.plan_version))
    } else {
        tx.commit().await?;
        None
    };
    let user = TenantUser {
        user_id: claims.sub,
        tenant_id,
        role,
        agency_id: session.user_agency_id,
        principal: Principal::Person { session_id },
    };
    if second_factor::enrolment_due(
        &session.second_factor_roles,
        role,
        session.has_second_factor,
    ) {
        return Ok((Viewer::Enrolling(user), None));
    }
    Ok((Viewer::User(user), reads))
}

/// A platform administrator's token is checked against their session like anyone else's:
/// logout ends it, and so do 30 minutes idle and 12 hours in all.
async fn authenticate_platform_admin(
    state: &AppState,
    admin_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Viewer> {
    let tx = store::platform_tx(&state.db, None).await?;
    let admin = store::platform_admins::by_id(&tx, admin_id)
        .await?
        .ok_or(REFUSED)?;
    let session = store::platform_sessions::get(&tx, session_id)
        .await?
        .filter(|s| {
            s.admin_id == admin.id
                && s.revoked_at.is_none()
                && now < s.created_at + REFRESH_TOKEN_TTL
        })
        .ok_or(REFUSED)?;
    if now - session.last_seen_at > IDLE_TIMEOUT {
        store::platform_sessions::revoke(&tx, session.id, "idle", now).await?;
        tx.commit().await?;
        return Err(REFUSED);
    }
    if now - session.last_seen_at > TOUCH_EVERY {
        store::platform_sessions::touch(&tx, session.id, now).await?;
    }
    tx.commit().await?;
    Ok(Viewer::PlatformAdmin {
        admin_id,
        session_id,
        enrolling: admin.totp_confirmed_at.is_none(),
    })
}

/// Ends the platform administrator's current session.
pub async fn logout_platform(state: &AppState, session_id: Uuid) -> DomainResult<()> {
    let now = state.clock.now();
    let tx = store::platform_tx(&state.db, None).await?;
    store::platform_sessions::revoke(&tx, session_id, "logout", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Trades a refresh token for a new pair. The old token is spent; presenting it again means
/// it was stolen or replayed, and the whole session ends.
pub async fn refresh(state: &AppState, refresh_token: &str) -> DomainResult<AuthTokens> {
    let now = state.clock.now();
    let (tenant_id, hash) = parse_opaque_token(refresh_token).ok_or(REFUSED)?;
    let tx = store::tenant_tx(&state.db, tenant_id).await?;
    ensure_tenant_active(&tx, tenant_id).await?;
    let token = store::sessions::refresh_token_for_update(&tx, tenant_id, &hash)
        .await?
        .ok_or(REFUSED)?;
    let session = store::sessions::get(&tx, tenant_id, token.session_id)
        .await?
        .ok_or(REFUSED)?;
    if token.used_at.is_some() {
        store::sessions::revoke(&tx, tenant_id, session.id, "refresh token reused", now).await?;
        audit::record(
            &tx,
            audit::Entry {
                at: now,
                tenant_id,
                actor_user_id: Some(session.user_id),
                actor_agency_id: None,
                action: "session.refresh_token_reused",
                subject_id: Some(session.id),
                refused_by: Some("AUTH-REUSE"),
                source_ip: None,
                detail: json!({ "session": session.id }),
            },
        )
        .await?;
        tx.commit().await?;
        state
            .shared
            .mark(
                &revoked_key(session.id),
                ACCESS_TOKEN_TTL.to_std().unwrap_or_default(),
            )
            .await?;
        tracing::warn!(tenant_id = %tenant_id, session_id = %session.id, "refresh token reuse: session revoked");
        return Err(REFUSED);
    }
    if session.revoked_at.is_some() || now >= token.expires_at {
        return Err(REFUSED);
    }
    if now - session.last_seen_at > IDLE_TIMEOUT {
        store::sessions::revoke(&tx, tenant_id, session.id, "idle", now).await?;
        tx.commit().await?;
        return Err(REFUSED);
    }
    let user = store::users::get(&tx, tenant_id, session.user_id)
        .await?
        .ok_or(REFUSED)?;
    if user.status != store::users::ACTIVE {
        return Err(REFUSED);
    }
    store::sessions::mark_used(&tx, token, now).await?;
    let new_refresh = store::sessions::issue_refresh_token(&tx, &session, now).await?;
    let session_id = session.id;
    store::sessions::touch(&tx, tenant_id, session_id, now).await?;
    let second_factor_enrolment_due = second_factor::must_enrol(&tx, &user).await?;
    tx.commit().await?;
    let access = issue_access(state, &user, session_id, now)?;
    Ok(AuthTokens {
        access_token: access.token,
        refresh_token: new_refresh,
        expires_at: access.expires_at,
        user,
        second_factor_enrolment_due,
    })
}

pub async fn logout(state: &AppState, user: &TenantUser) -> DomainResult<()> {
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    store::sessions::revoke(&tx, user.tenant_id, user.session_id()?, "logout", now).await?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            tenant_id: user.tenant_id,
            actor_user_id: Some(user.user_id),
            actor_agency_id: user.agency_id,
            action: "session.logout",
            subject_id: Some(user.session_id()?),
            refused_by: None,
            source_ip: None,
            detail: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    mark_revoked(state, &[user.session_id()?]).await;
    Ok(())
}

/// Marks sessions revoked in the shared store for as long as one of their access tokens
/// could still be alive. The database already says so for good, and every request reads
/// it, so a mark that cannot be written (Redis down) is logged, not an error: the
/// revocation has happened.
pub async fn mark_revoked(state: &AppState, session_ids: &[Uuid]) {
    let ttl = (ACCESS_TOKEN_TTL + Duration::minutes(1))
        .to_std()
        .unwrap_or_default();
    for id in session_ids {
        if let Err(err) = state.shared.mark(&revoked_key(*id), ttl).await {
            tracing::warn!(error = %err, "revocation mark not written; the database holds it");
            break;
        }
    }
}

fn revoked_key(session_id: Uuid) -> String {
    format!("revoked-session:{session_id}")
}

pub async fn ensure_tenant_active(db: &impl ConnectionTrait, tenant_id: Uuid) -> DomainResult<()> {
    match store::tenants::by_id(db, tenant_id).await? {
        Some(tenant) if TenantStatus::is_active(&tenant) => Ok(()),
        _ => Err(REFUSED),
    }
}

/// Deletes a tenant's expired refresh tokens: an expired token is refused anyway, and keeping
/// it only keeps a credential hash around for longer than it can be used. Idempotent: a
/// second run finds nothing that expired before its `now` still there. Concord does this by
/// itself (`Caller::system`), and a person may ask for it too.
pub async fn purge_expired(state: &AppState, caller: impl Into<Caller<'_>>) -> DomainResult<u64> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let deleted =
        store::sessions::delete_expired_refresh_tokens(&tx, caller.tenant_id(), state.clock.now())
            .await?;
    tx.commit().await?;
    Ok(deleted)
}
