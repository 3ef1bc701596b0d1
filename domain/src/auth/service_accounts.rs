//! Service accounts (issue 10): a tenant's integrations. The Data Center creates one with a
//! role, optionally narrower scopes and an expiry (`SVC-1`); it gets a client id and a secret
//! shown once (stored as a hash). The integration exchanges them, OAuth 2.0 client-credentials
//! style, for the same 15-minute access token a person gets, carrying its scopes. Every
//! request checks the account's row, so a revocation or a new secret refuses the old tokens at
//! their next request on every API process; each account has a request budget per minute.
//! A secret outlives the session that made it, so a person with a second factor makes or
//! rotates one only within ten minutes of a second-factor check (`AUTH-2FA-RECENT`).
use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::service_accounts;
use sea_orm::DatabaseTransaction;
use serde_json::json;
use uuid::Uuid;

use super::onboarding::guard;
use super::second_factor;
use super::throttle::per_address;
use super::tokens::{
    ACCESS_TOKEN_TTL, Claims, ServiceAccountClaims, Subject, hash_token, new_opaque_token,
    parse_opaque_token,
};
use super::{ClientAddress, Principal, TenantUser, Viewer};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::roles::Role;
use crate::policy::service_accounts::{self as policy, Scopes};
use crate::state::AppState;
use crate::store::{self, Page, audit, tenants::TenantStatus};

/// The longest an account lives before it must be made again (ASVS 6.2: credentials expire).
pub const LONGEST_LIFE: chrono::Duration = chrono::Duration::days(366);
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 600;
const MOST_REQUESTS_PER_MINUTE: u32 = 60_000;
const MAX_NAME_LENGTH: usize = 100;
const RATE_WINDOW: Duration = Duration::from_secs(60);

const INVALID_CLIENT: DomainError = DomainError::Unauthenticated("invalid client credentials");
const REFUSED: DomainError =
    DomainError::Unauthenticated("this service account's token is no longer valid");

/// What the Data Center asks for.
pub struct NewServiceAccount {
    pub name: String,
    pub role: Role,
    /// Required for an agency's roles, absent for `DATA_CENTER` (as for a person).
    pub agency_id: Option<Uuid>,
    /// `None`: everything the role may do.
    pub scopes: Option<Scopes>,
    pub expires_at: DateTime<Utc>,
    pub requests_per_minute: Option<u32>,
}

/// An account with its secret, shown this once.
pub struct Credentials {
    pub account: service_accounts::Model,
    pub client_secret: String,
}

/// An access token issued to a service account.
pub struct ServiceToken {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub scopes: Option<Scopes>,
}

/// The scopes an account's row holds.
pub fn scopes_of(account: &service_accounts::Model) -> DomainResult<Option<Scopes>> {
    account
        .scopes
        .as_deref()
        .map(|raw| {
            Scopes::parse_list(raw).ok_or_else(|| {
                DomainError::internal(anyhow::anyhow!(
                    "service account {} with an unknown scope",
                    account.id
                ))
            })
        })
        .transpose()
}

/// `SVC-1`: the Data Center (a person) creates a service account.
pub async fn create(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    new: NewServiceAccount,
) -> DomainResult<Credentials> {
    let caller = caller.into();
    let by = managing(state, &caller, "service_account.create").await?;
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_LENGTH {
        return Err(DomainError::validation(
            "name",
            format!("give the integration a name of 1 to {MAX_NAME_LENGTH} characters"),
        ));
    }
    if (new.role == Role::DataCenter) != new.agency_id.is_none() {
        return Err(DomainError::validation(
            "agencyId",
            "an agency's role needs its agency; the Data Center's role has none",
        ));
    }
    if new.scopes.is_some_and(Scopes::is_empty) {
        return Err(DomainError::validation(
            "scopes",
            "choose at least one scope, or none at all for everything the role may do",
        ));
    }
    let now = state.clock.now();
    if new.expires_at <= now || new.expires_at > now + LONGEST_LIFE {
        return Err(DomainError::validation(
            "expiresAt",
            "an expiry in the future, at most a year from now",
        ));
    }
    let requests_per_minute = new
        .requests_per_minute
        .unwrap_or(DEFAULT_REQUESTS_PER_MINUTE);
    if !(1..=MOST_REQUESTS_PER_MINUTE).contains(&requests_per_minute) {
        return Err(DomainError::validation(
            "requestsPerMinute",
            format!("between 1 and {MOST_REQUESTS_PER_MINUTE}"),
        ));
    }
    let tx = caller.begin(state).await?;
    second_factor::require_recent_check_if_enrolled(state, &tx, by, "service_account.create", now)
        .await?;
    if let Some(agency_id) = new.agency_id {
        let agency = store::agencies::get(&tx, by.tenant_id, agency_id).await?;
        if agency.is_none_or(|agency| agency.deactivated_at.is_some()) {
            return Err(DomainError::validation(
                "agencyId",
                "no active agency of your CoC has this id",
            ));
        }
    }
    if store::service_accounts::by_name(&tx, by.tenant_id, &name)
        .await?
        .is_some()
    {
        return Err(DomainError::validation(
            "name",
            "another service account has this name",
        ));
    }
    let client_secret = new_opaque_token(by.tenant_id);
    let account = service_accounts::Model {
        tenant_id: by.tenant_id,
        id: Uuid::now_v7(),
        name,
        role: new.role.as_str().to_owned(),
        agency_id: new.agency_id,
        scopes: new.scopes.map(Scopes::to_stored),
        secret_hash: hash_token(&client_secret),
        secret_id: Uuid::now_v7(),
        requests_per_minute: i32::try_from(requests_per_minute).unwrap_or(i32::MAX),
        expires_at: new.expires_at,
        revoked_at: None,
        created_by: by.user_id,
        created_at: now,
        last_token_at: None,
    };
    store::service_accounts::insert(&tx, account.clone()).await?;
    let detail = json!({
        "name": account.name,
        "role": account.role,
        "agency_id": account.agency_id,
        "scopes": new.scopes.map(|s| s.to_claim()),
        "expires_at": account.expires_at,
        "requests_per_minute": requests_per_minute,
    });
    audit::record(
        &tx,
        audit::Entry::allowed(by, "service_account.create", account.id, detail, now),
    )
    .await?;
    tx.commit().await?;
    Ok(Credentials {
        account,
        client_secret,
    })
}

/// The tenant's service accounts, revoked ones too, oldest first (`SVC-1`).
pub async fn page(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    window: Window,
) -> DomainResult<Page<service_accounts::Model>> {
    let caller = caller.into();
    let by = managing(state, &caller, "service_account.list").await?;
    let tx = caller.begin(state).await?;
    let page = store::service_accounts::page(&tx, by.tenant_id, window).await?;
    tx.commit().await?;
    Ok(page)
}

/// A new secret, shown once; tokens issued with the old one are refused from now on.
pub async fn rotate_secret(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<Credentials> {
    let caller = caller.into();
    let (by, tx, account) = managed_account(state, &caller, "service_account.rotate", id).await?;
    let now = state.clock.now();
    second_factor::require_recent_check_if_enrolled(state, &tx, by, "service_account.rotate", now)
        .await?;
    if account.revoked_at.is_some() {
        return Err(DomainError::validation(
            "id",
            "this service account is revoked; create a new one",
        ));
    }
    let client_secret = new_opaque_token(by.tenant_id);
    let secret_id = Uuid::now_v7();
    let secret_hash = hash_token(&client_secret);
    store::service_accounts::replace_secret(&tx, by.tenant_id, id, secret_id, &secret_hash).await?;
    audit::record(
        &tx,
        audit::Entry::allowed(by, "service_account.rotate", id, json!({}), now),
    )
    .await?;
    tx.commit().await?;
    Ok(Credentials {
        account: service_accounts::Model {
            secret_id,
            secret_hash,
            ..account
        },
        client_secret,
    })
}

/// Revokes the account: its secret and every token it holds are refused from now on.
pub async fn revoke(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<service_accounts::Model> {
    let caller = caller.into();
    let (by, tx, account) = managed_account(state, &caller, "service_account.revoke", id).await?;
    let now = state.clock.now();
    if account.revoked_at.is_some() {
        tx.commit().await?;
        return Ok(account);
    }
    store::service_accounts::revoke(&tx, by.tenant_id, id, now).await?;
    audit::record(
        &tx,
        audit::Entry::allowed(by, "service_account.revoke", id, json!({}), now),
    )
    .await?;
    tx.commit().await?;
    Ok(service_accounts::Model {
        revoked_at: Some(now),
        ..account
    })
}

/// The client-credentials exchange: a client id and secret for an access token. Every failure
/// answers the same, whether the account exists or not.
pub async fn issue_token(
    state: &AppState,
    client_id: &str,
    client_secret: &str,
    from: &ClientAddress,
) -> DomainResult<ServiceToken> {
    let limits = &state.settings.limits;
    per_address(
        state,
        "token",
        from,
        limits.login_per_address,
        Duration::from_secs(limits.login_window_secs),
    )
    .await?;
    let refused = |why: &str| {
        tracing::info!(
            client_id,
            reason = why,
            "token refused: invalid client credentials"
        );
        INVALID_CLIENT
    };
    let account_id = Uuid::parse_str(client_id.trim()).map_err(|_| refused("client id"))?;
    let (tenant_id, secret_hash) =
        parse_opaque_token(client_secret).ok_or_else(|| refused("secret format"))?;
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, tenant_id).await?;
    let account = store::service_accounts::get(&tx, tenant_id, account_id)
        .await?
        .ok_or_else(|| refused("no such account"))?;
    if account.secret_hash != secret_hash {
        tx.commit().await?;
        // Audited under the account: someone holds its id and guesses at its secret.
        state
            .refusals
            .record(audit::Refusal {
                tenant_id,
                actor_user_id: account.id,
                actor_agency_id: account.agency_id,
                action: "service_account.token".to_owned(),
                subject_id: Some(account.id),
                rule: "SVC-1",
                detail: json!({ "reason": "wrong secret" }),
                at: now,
            })
            .await?;
        return Err(refused("wrong secret"));
    }
    let (role, scopes) = usable(&tx, &account, now).await?.ok_or_else(|| {
        tracing::info!(%tenant_id, %account_id, "token refused: service account unusable");
        INVALID_CLIENT
    })?;
    let access = state
        .keys
        .issue(
            &Subject {
                user_id: account.id,
                role: role.as_str().to_owned(),
                tenant_id: Some(tenant_id),
                agency_id: account.agency_id,
                session_id: Some(account.secret_id),
                service_account: Some(ServiceAccountClaims {
                    scope: scopes.map(Scopes::to_claim),
                }),
            },
            now,
        )
        .map_err(DomainError::internal)?;
    store::service_accounts::mark_token_issued(&tx, tenant_id, account.id, now).await?;
    audit::record(
        &tx,
        audit::Entry {
            tenant_id,
            actor_user_id: Some(account.id),
            actor_agency_id: account.agency_id,
            action: "service_account.token",
            subject_id: Some(account.id),
            refused_by: None,
            source_ip: from.0.as_deref(),
            detail: json!({ "expires_at": access.expires_at }),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ServiceToken {
        access_token: access.token,
        expires_at: access.expires_at,
        scopes,
    })
}

/// Checks a service account's access token against its row as it is now: revoked, expired,
/// a new secret, a changed role or agency, or its tenant suspended all refuse it. Then counts
/// the request against the account's budget for the minute (across API processes, in the
/// shared state).
pub async fn authenticate(
    state: &AppState,
    claims: &Claims,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Viewer> {
    let tx = store::tenant_tx(&state.db, tenant_id).await?;
    let account = store::service_accounts::get(&tx, tenant_id, claims.sub)
        .await?
        .filter(|account| {
            claims.client_id == Some(account.id)
                && claims.sid == Some(account.secret_id)
                && claims.role == account.role
                && claims.agency == account.agency_id
        })
        .ok_or(REFUSED)?;
    let (role, scopes) = usable(&tx, &account, now).await?.ok_or(REFUSED)?;
    tx.commit().await?;
    if claims.scope.as_deref().map(Scopes::parse_list) != scopes.map(Some) {
        return Err(REFUSED);
    }
    let (count, retry_after_secs) = state
        .shared
        .hit(&format!("service:{tenant_id}:{}", account.id), RATE_WINDOW)
        .await?;
    if count > u64::try_from(account.requests_per_minute).unwrap_or(0) {
        tracing::info!(%tenant_id, account_id = %account.id, "service account over its rate limit");
        return Err(DomainError::RateLimited { retry_after_secs });
    }
    Ok(Viewer::User(TenantUser {
        user_id: account.id,
        tenant_id,
        role,
        agency_id: account.agency_id,
        principal: Principal::Service { scopes },
    }))
}

/// The account's role and scopes when it may be used now: not revoked, not expired, its
/// tenant active and its agency (if any) not deactivated.
async fn usable(
    db: &impl sea_orm::ConnectionTrait,
    account: &service_accounts::Model,
    now: DateTime<Utc>,
) -> DomainResult<Option<(Role, Option<Scopes>)>> {
    if account.revoked_at.is_some() || now >= account.expires_at {
        return Ok(None);
    }
    let tenant_active = store::tenants::by_id(db, account.tenant_id)
        .await?
        .is_some_and(|tenant| tenant.status == TenantStatus::Active.as_str());
    let agency_active = match account.agency_id {
        None => true,
        Some(agency_id) => store::agencies::get(db, account.tenant_id, agency_id)
            .await?
            .is_some_and(|agency| agency.deactivated_at.is_none()),
    };
    if !(tenant_active && agency_active) {
        return Ok(None);
    }
    Ok(Some((Role::of_row(&account.role)?, scopes_of(account)?)))
}

/// The Data Center person managing service accounts (`SVC-1`); a refusal is audited.
async fn managing<'a>(
    state: &AppState,
    caller: &Caller<'a>,
    action: &str,
) -> DomainResult<&'a TenantUser> {
    let by = caller.person(state, action).await?;
    guard(state, by, action, policy::manage(&by.actor())).await?;
    Ok(by)
}

/// The Data Center person managing the account `id` (`SVC-1`), the transaction begun for it,
/// and the account.
async fn managed_account<'a>(
    state: &AppState,
    caller: &Caller<'a>,
    action: &str,
    id: Uuid,
) -> DomainResult<(&'a TenantUser, DatabaseTransaction, service_accounts::Model)> {
    let by = managing(state, caller, action).await?;
    let tx = caller.begin(state).await?;
    let account = store::service_accounts::get(&tx, by.tenant_id, id)
        .await?
        .ok_or(DomainError::NotFound("service account"))?;
    Ok((by, tx, account))
}

/// How long a token issued now lives (for the OAuth answer's `expires_in`).
pub fn token_lifetime_secs() -> i64 {
    ACCESS_TOKEN_TTL.num_seconds()
}
