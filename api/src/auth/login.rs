//! Login for tenant users and for the platform administrator. Every attempt is rate-limited
//! per account and per client address, audited, and answered the same way, in about the same
//! time, whether the account is unknown, locked or the password wrong (ASVS 6.3.8).
use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::platform_admins;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::sessions::{self, AuthTokens};
use super::tokens::{IssuedAccessToken, Subject};
use super::{ClientAddress, PLATFORM_ADMIN_ROLE};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit, tenants::TenantStatus};

const INVALID: ApiError = ApiError::Unauthenticated(
    "the e-mail address or password is wrong, or the account is locked for a while",
);

pub async fn login(
    state: &AppState,
    tenant_slug: &str,
    email: &str,
    password: &str,
    from: &ClientAddress,
    now: DateTime<Utc>,
) -> ApiResult<AuthTokens> {
    let email = email.trim().to_lowercase();
    let slug = tenant_slug.trim().to_ascii_lowercase();
    rate_limit(
        state,
        &format!("login:account:{slug}:{email}"),
        state.settings.limits.login_per_account,
    )
    .await?;
    rate_limit_address(state, from).await?;

    let tenant = {
        let tx = store::registry_tx(&state.db).await?;
        let tenant = store::tenants::by_slug(&tx, &slug).await?;
        tx.commit().await?;
        tenant.filter(|t| TenantStatus::of(t) == TenantStatus::Active)
    };
    let Some(tenant) = tenant else {
        state.hasher.verify(password, None).await?;
        return Err(INVALID);
    };
    let tx = store::tenant_tx(&state.db, tenant.id).await?;
    let user = store::users::by_email(&tx, tenant.id, &email).await?;
    let locked = user
        .as_ref()
        .is_some_and(|u| u.locked_until.is_some_and(|until| until > now));
    let usable = user
        .as_ref()
        .filter(|u| u.status == store::users::ACTIVE && !locked);
    let verification = state
        .hasher
        .verify(password, usable.map(|u| u.password_hash.as_str()))
        .await?;
    let Some(user) = user else {
        return Err(INVALID);
    };
    let entry = |refused_by: Option<&'static str>| audit::Entry {
        tenant_id: tenant.id,
        actor_user_id: Some(user.id),
        actor_agency_id: user.agency_id,
        action: "session.login",
        subject_id: Some(user.id),
        refused_by,
        source_ip: from.0.as_deref(),
        detail: json!({}),
    };
    if !verification.matches {
        let reason = if locked {
            "AUTH-LOCKED"
        } else if user.status != store::users::ACTIVE {
            "AUTH-DEACTIVATED"
        } else {
            "AUTH-PASSWORD"
        };
        audit::record(&tx, entry(Some(reason))).await?;
        if !locked && user.status == store::users::ACTIVE {
            store::users::record_failed_login(&tx, user.clone(), now).await?;
        }
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant.id, user_id = %user.id, reason, "login refused");
        return Err(INVALID);
    }
    audit::record(&tx, entry(None)).await?;
    let new_hash = if verification.needs_rehash {
        let password = super::password::NewPassword::parse(password).ok();
        match password {
            Some(p) => Some(state.hasher.hash(&p).await?),
            None => None,
        }
    } else {
        None
    };
    let user = store::users::record_successful_login(&tx, user, new_hash).await?;
    let tokens = sessions::open(state, &tx, user, now).await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %tenant.id, user_id = %tokens.user.id, "login");
    Ok(tokens)
}

pub async fn platform_login(
    state: &AppState,
    email: &str,
    password: &str,
    from: &ClientAddress,
    now: DateTime<Utc>,
) -> ApiResult<IssuedAccessToken> {
    let email = email.trim().to_lowercase();
    rate_limit(
        state,
        &format!("login:platform:{email}"),
        state.settings.limits.login_per_account,
    )
    .await?;
    rate_limit_address(state, from).await?;
    let tx = store::platform_tx(&state.db, None).await?;
    let admin = platform_admins::Entity::find()
        .filter(platform_admins::Column::Email.eq(&email))
        .one(&tx)
        .await?;
    tx.commit().await?;
    let verification = state
        .hasher
        .verify(password, admin.as_ref().map(|a| a.password_hash.as_str()))
        .await?;
    match admin {
        Some(admin) if verification.matches => {
            tracing::info!(admin_id = %admin.id, "platform administrator login");
            state
                .keys
                .issue(
                    &Subject {
                        user_id: admin.id,
                        role: PLATFORM_ADMIN_ROLE.into(),
                        tenant_id: None,
                        agency_id: None,
                        session_id: None,
                    },
                    now,
                )
                .map_err(ApiError::internal)
        }
        _ => {
            tracing::info!("platform administrator login refused");
            Err(INVALID)
        }
    }
}

async fn rate_limit_address(state: &AppState, from: &ClientAddress) -> ApiResult<()> {
    let address = from.0.as_deref().unwrap_or("unknown");
    rate_limit(
        state,
        &format!("login:address:{address}"),
        state.settings.limits.login_per_address,
    )
    .await
}

async fn rate_limit(state: &AppState, key: &str, limit: u64) -> ApiResult<()> {
    let window = Duration::from_secs(state.settings.limits.login_window_secs);
    let (count, retry_after_secs) = state.shared.hit(key, window).await?;
    if count > limit {
        tracing::info!(limit, "login rate limit reached");
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    Ok(())
}
