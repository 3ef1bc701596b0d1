//! Login for tenant users and for the platform administrator. Every attempt is throttled per
//! account and client address (`throttle`), audited when the tenant is known, logged, and
//! answered the same way, in about the same time, whether the account is unknown or the
//! password wrong (ASVS 6.3.8).

use serde_json::json;

use super::second_factor::{self, Proof, SignInCheck};
use super::sessions::{self, AuthTokens};
use super::throttle::{SignInAttempt, tenant_account};
use super::tokens::{IssuedAccessToken, Subject, hash_token};
use super::{ClientAddress, PLATFORM_ADMIN_ROLE};
use crate::error::{DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{self, audit, tenants::TenantStatus};

const INVALID: DomainError =
    DomainError::Unauthenticated("the e-mail address or password is wrong");

pub async fn login(
    state: &AppState,
    tenant_slug: &str,
    email: &str,
    password: &str,
    proof: Proof<'_>,
    from: &ClientAddress,
) -> DomainResult<AuthTokens> {
    let now = state.clock.now();
    let email = email.trim().to_lowercase();
    let slug = tenant_slug.trim().to_ascii_lowercase();
    let attempt = SignInAttempt::begin(state, &tenant_account(&slug, &email), from).await?;

    let tenant = {
        let tx = store::registry_tx(&state.db).await?;
        let tenant = store::tenants::by_slug(&tx, &slug).await?;
        tx.commit().await?;
        tenant.filter(TenantStatus::is_active)
    };
    let Some(tenant) = tenant else {
        state.hasher.verify(password, None).await?;
        attempt.failed(state).await?;
        // No tenant, so no tenant's audit log: the application log keeps it.
        tracing::info!(
            reason = "AUTH-UNKNOWN-TENANT",
            address = from.0.as_deref(),
            "login refused"
        );
        return Err(INVALID);
    };
    let tx = store::tenant_tx(&state.db, tenant.id).await?;
    let user = store::users::by_email(&tx, tenant.id, &email).await?;
    let usable = user.as_ref().filter(|u| u.status == store::users::ACTIVE);
    let verification = state
        .hasher
        .verify(password, usable.map(|u| u.password_hash.as_str()))
        .await?;
    let (user_id, agency_id) = (
        user.as_ref().map(|u| u.id),
        user.as_ref().and_then(|u| u.agency_id),
    );
    let entry = |refused_by: Option<&'static str>| audit::Entry {
        at: now,
        tenant_id: tenant.id,
        actor_user_id: user_id,
        actor_agency_id: agency_id,
        action: "session.login",
        subject_id: user_id,
        refused_by,
        source_ip: from.0.as_deref(),
        // The address typed, hashed: what a stranger types may be someone's password.
        detail: if user_id.is_some() {
            json!({})
        } else {
            json!({ "email_sha256": hash_token(&email) })
        },
    };
    let user = match user {
        Some(user) if verification.matches && user.status == store::users::ACTIVE => user,
        _ => {
            let reason = match &user {
                None => "AUTH-UNKNOWN-ACCOUNT",
                Some(u) if u.status != store::users::ACTIVE => "AUTH-DEACTIVATED",
                Some(_) => "AUTH-PASSWORD",
            };
            audit::record(&tx, entry(Some(reason))).await?;
            tx.commit().await?;
            attempt.failed(state).await?;
            tracing::info!(tenant_id = %tenant.id, reason, address = from.0.as_deref(), "login refused");
            return Err(INVALID);
        }
    };
    let second_factor_at = match second_factor::at_sign_in(state, &tx, &user, proof, now).await? {
        SignInCheck::NotEnrolled => None,
        SignInCheck::Passed => Some(now),
        // The password was right: neither a failure nor yet a sign-in.
        SignInCheck::CodeMissing(ceremony) => {
            tx.commit().await?;
            let webauthn = ceremony.map(|c| json!({ "challengeId": c.id, "options": c.options }));
            return Err(DomainError::SecondFactorRequired { webauthn });
        }
        SignInCheck::Failed => {
            audit::record(&tx, entry(Some(second_factor::CODE_RULE))).await?;
            tx.commit().await?;
            attempt.failed(state).await?;
            tracing::info!(tenant_id = %tenant.id, reason = second_factor::CODE_RULE, address = from.0.as_deref(), "login refused");
            return Err(DomainError::Unauthenticated(
                "the second-factor code is wrong or was already used",
            ));
        }
    };
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
    let tokens = sessions::open(state, &tx, user, now, second_factor_at).await?;
    tx.commit().await?;
    attempt.succeeded(state).await?;
    tracing::info!(tenant_id = %tenant.id, user_id = %tokens.user.id, "login");
    Ok(tokens)
}

/// A platform administrator's sign-in: the access token, and whether they must still enrol
/// the second factor they always use (until then the token reaches nothing else).
pub struct PlatformSignIn {
    pub access: IssuedAccessToken,
    pub second_factor_enrolment_due: bool,
}

pub async fn platform_login(
    state: &AppState,
    email: &str,
    password: &str,
    second_factor_code: Option<&str>,
    from: &ClientAddress,
) -> DomainResult<PlatformSignIn> {
    let now = state.clock.now();
    let email = email.trim().to_lowercase();
    let attempt =
        SignInAttempt::begin(state, &second_factor::platform_account(&email), from).await?;
    let tx = store::platform_tx(&state.db, None).await?;
    let admin = store::platform_admins::by_email(&tx, &email).await?;
    tx.commit().await?;
    let verification = state
        .hasher
        .verify(password, admin.as_ref().map(|a| a.password_hash.as_str()))
        .await?;
    match admin {
        Some(admin) if verification.matches => {
            match second_factor::platform_at_sign_in(state, &admin, second_factor_code, now).await?
            {
                SignInCheck::NotEnrolled | SignInCheck::Passed => {}
                SignInCheck::CodeMissing(_) => {
                    return Err(DomainError::SecondFactorRequired { webauthn: None });
                }
                SignInCheck::Failed => {
                    attempt.failed(state).await?;
                    tracing::info!(
                        reason = second_factor::CODE_RULE,
                        address = from.0.as_deref(),
                        "platform administrator login refused"
                    );
                    return Err(DomainError::Unauthenticated(
                        "the second-factor code is wrong or was already used",
                    ));
                }
            }
            attempt.succeeded(state).await?;
            let tx = store::platform_tx(&state.db, None).await?;
            let session = store::platform_sessions::start(&tx, admin.id, now).await?;
            tx.commit().await?;
            tracing::info!(admin_id = %admin.id, "platform administrator login");
            let access = state
                .keys
                .issue(
                    &Subject {
                        user_id: admin.id,
                        role: PLATFORM_ADMIN_ROLE.into(),
                        tenant_id: None,
                        agency_id: None,
                        session_id: Some(session.id),
                        service_account: None,
                    },
                    now,
                )
                .map_err(DomainError::internal)?;
            Ok(PlatformSignIn {
                access,
                second_factor_enrolment_due: admin.totp_confirmed_at.is_none(),
            })
        }
        _ => {
            attempt.failed(state).await?;
            tracing::info!(
                address = from.0.as_deref(),
                "platform administrator login refused"
            );
            Err(INVALID)
        }
    }
}
