//! Changing and resetting a password (ASVS 6.2.2, 6.2.3, 6.4). A change needs the current
//! password (a wrong one counts toward the account's sign-in throttle) and ends the user's
//! other sessions. A reset is asked for by tenant and e-mail address, answered the same
//! whether or not the account exists, and e-mailed through the outbox with a single-use token
//! made when it is sent and kept only as a hash; using it sets the password and ends every
//! session of the user.
use chrono::Duration;
use serde_json::json;

use super::password::NewPassword;
use super::second_factor;
use super::sessions::mark_revoked;
use super::throttle::{SignInAttempt, per_address};
use super::tokens::parse_opaque_token;
use super::{ClientAddress, TenantUser};
use crate::error::{DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{self, audit, tenants::TenantStatus};

/// How long an e-mailed reset token works.
pub const RESET_TTL: Duration = Duration::minutes(30);

/// The new password, checked, with the error naming the field a client sent it in.
fn new_password(candidate: &str) -> DomainResult<NewPassword> {
    NewPassword::parse(candidate).map_err(|error| match error {
        DomainError::Validation { message, .. } => DomainError::validation("newPassword", message),
        other => other,
    })
}

/// Changes the signed-in user's password; returns how many other sessions ended.
pub async fn change_password(
    state: &AppState,
    user: &TenantUser,
    current: &str,
    new: &str,
    second_factor_code: Option<&str>,
    from: &ClientAddress,
) -> DomainResult<usize> {
    let user = super::person(state, user, "user.change_password").await?;
    let now = state.clock.now();
    let new = new_password(new)?;
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let (account, attempt) = SignInAttempt::of_signed_in(state, &tx, user, from).await?;
    let verification = state
        .hasher
        .verify(current, Some(account.password_hash.as_str()))
        .await?;
    let entry = |refused_by, detail| audit::Entry {
        refused_by,
        source_ip: from.0.as_deref(),
        ..audit::Entry::allowed(user, "user.change_password", user.user_id, detail, now)
    };
    if !verification.matches {
        audit::record(&tx, entry(Some("AUTH-PASSWORD"), json!({}))).await?;
        tx.commit().await?;
        attempt.failed(state).await?;
        return Err(DomainError::validation(
            "currentPassword",
            "the current password is wrong",
        ));
    }
    if !second_factor::confirm_for_change(state, &tx, user, &account, second_factor_code, now)
        .await?
    {
        audit::record(&tx, entry(Some(second_factor::CODE_RULE), json!({}))).await?;
        tx.commit().await?;
        attempt.failed(state).await?;
        return Err(DomainError::validation(
            "secondFactorCode",
            "enter a current code from your authenticator app, or a backup code",
        ));
    }
    let hash = state.hasher.hash(&new).await?;
    store::users::set_password(&tx, account, hash).await?;
    let ended = store::sessions::revoke_all_of_user(
        &tx,
        user.tenant_id,
        user.user_id,
        Some(user.session_id()?),
        "password changed",
        now,
    )
    .await?;
    audit::record(&tx, entry(None, json!({ "sessions_ended": ended.len() }))).await?;
    tx.commit().await?;
    attempt.succeeded(state).await?;
    mark_revoked(state, &ended).await;
    tracing::info!(tenant_id = %user.tenant_id, user_id = %user.user_id, sessions_ended = ended.len(), "password changed");
    Ok(ended.len())
}

/// Asking for a reset and using one share a per-address limit, as signing in has.
async fn reset_limit(state: &AppState, from: &ClientAddress) -> DomainResult<()> {
    let limits = &state.settings.limits;
    let window = std::time::Duration::from_secs(limits.login_window_secs);
    per_address(
        state,
        "password_reset",
        from,
        limits.login_per_address,
        window,
    )
    .await
}

/// Asks for a reset e-mail to the account `email` of the CoC `tenant_slug`. Answers the same
/// (nothing) whether or not such an active account exists, so that it tells nobody who has one.
pub async fn request_reset(
    state: &AppState,
    tenant_slug: &str,
    email: &str,
    from: &ClientAddress,
) -> DomainResult<()> {
    reset_limit(state, from).await?;
    let now = state.clock.now();
    let email = email.trim().to_lowercase();
    let slug = tenant_slug.trim().to_ascii_lowercase();
    let tenant = {
        let tx = store::registry_tx(&state.db).await?;
        let tenant = store::tenants::by_slug(&tx, &slug).await?;
        tx.commit().await?;
        tenant.filter(TenantStatus::is_active)
    };
    let Some(tenant) = tenant else {
        tracing::info!(reason = "AUTH-UNKNOWN-TENANT", "password reset not sent");
        return Ok(());
    };
    let tx = store::tenant_tx(&state.db, tenant.id).await?;
    let user = store::users::by_email(&tx, tenant.id, &email)
        .await?
        .filter(|u| u.status == store::users::ACTIVE);
    let Some(user) = user else {
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant.id, reason = "AUTH-UNKNOWN-ACCOUNT", "password reset not sent");
        return Ok(());
    };
    let reset_id =
        store::password_resets::insert(&tx, tenant.id, user.id, now, now + RESET_TTL).await?;
    store::outbox::insert_password_reset(&tx, tenant.id, reset_id, now).await?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            tenant_id: tenant.id,
            actor_user_id: None,
            actor_agency_id: None,
            action: "user.password_reset_requested",
            subject_id: Some(user.id),
            refused_by: None,
            source_ip: from.0.as_deref(),
            detail: json!({ "reset": reset_id }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const INVALID_TOKEN: &str =
    "this reset code does not work: it was used, has expired, or was never sent; ask again";

/// Sets a new password with an e-mailed reset token, once; every session of the user ends.
pub async fn reset(
    state: &AppState,
    token: &str,
    new: &str,
    from: &ClientAddress,
) -> DomainResult<()> {
    reset_limit(state, from).await?;
    let new = new_password(new)?;
    let invalid = || DomainError::validation("token", INVALID_TOKEN);
    let (tenant_id, token_hash) = parse_opaque_token(token.trim()).ok_or_else(invalid)?;
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, tenant_id).await?;
    let request = store::password_resets::by_token_hash(&tx, tenant_id, &token_hash)
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > now)
        .ok_or_else(invalid)?;
    let user = store::users::get(&tx, tenant_id, request.user_id)
        .await?
        .filter(|u| u.status == store::users::ACTIVE)
        .ok_or_else(invalid)?;
    if !store::password_resets::spend(&tx, tenant_id, request.id, now).await? {
        return Err(invalid());
    }
    let hash = state.hasher.hash(&new).await?;
    let user = store::users::set_password(&tx, user, hash).await?;
    let ended =
        store::sessions::revoke_all_of_user(&tx, tenant_id, user.id, None, "password reset", now)
            .await?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            tenant_id,
            actor_user_id: Some(user.id),
            actor_agency_id: user.agency_id,
            action: "user.password_reset",
            subject_id: Some(user.id),
            refused_by: None,
            source_ip: from.0.as_deref(),
            detail: json!({ "reset": request.id, "sessions_ended": ended.len() }),
        },
    )
    .await?;
    tx.commit().await?;
    mark_revoked(state, &ended).await;
    tracing::info!(%tenant_id, user_id = %user.id, "password reset");
    Ok(())
}
