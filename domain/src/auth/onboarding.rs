//! How people arrive: a CoC signs itself up (its first Data Center user, the `durham-v1`
//! plan), administrators invite, invitees accept; the platform administrator is created
//! from the command line.
use chrono::{DateTime, Duration, Utc};
use entities::invitations;
use serde_json::json;
use uuid::Uuid;

use super::invitations::InvitationStatus;
use super::password::NewPassword;
use super::sessions::{self, AuthTokens};
use super::tokens::{hash_token, new_opaque_token, parse_opaque_token};
use super::{ClientAddress, TenantUser, throttle};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::plan::{self, DURHAM_V1};
use crate::policy::roles::{self, Account, Role};
use crate::state::AppState;
use crate::store::{self, audit, is_unique_violation, tenants::TenantStatus};
use crate::values::{CocCode, DisplayName, Email, Slug};

pub const INVITATION_TTL: Duration = Duration::days(7);
/// The window of the per-address limits on sign-up and on accepting invitations.
const ACCOUNT_CREATION_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

fn slug_taken() -> DomainError {
    DomainError::validation("slug", "this slug is taken; choose another")
}

pub struct SignUp<'a> {
    pub coc_name: &'a str,
    pub coc_code: &'a str,
    pub slug: &'a str,
    pub admin_email: &'a str,
    pub admin_name: &'a str,
    pub password: &'a str,
}

pub struct SignedUp {
    pub tenant: entities::tenants::Model,
    pub status: TenantStatus,
    /// Present when the tenant is active at once (no platform approval required).
    pub tokens: Option<AuthTokens>,
}

/// Cheap checks come first (the input, the address's limit, a taken slug), so that nobody
/// makes Concord hash a password for a sign-up that would fail anyway.
pub async fn sign_up(
    state: &AppState,
    from: &ClientAddress,
    input: SignUp<'_>,
) -> DomainResult<SignedUp> {
    let name = DisplayName::parse("cocName", input.coc_name)?;
    let code = CocCode::parse(input.coc_code)?;
    let slug = Slug::parse(input.slug)?;
    let email = Email::parse("adminEmail", input.admin_email)?;
    let admin_name = DisplayName::parse("adminName", input.admin_name)?;
    let password = NewPassword::parse(input.password)?;
    throttle::per_address(
        state,
        "signup",
        from,
        state.settings.limits.signup_per_address,
        ACCOUNT_CREATION_WINDOW,
    )
    .await?;
    let taken = {
        let tx = store::registry_tx(&state.db).await?;
        let tenant = store::tenants::by_slug(&tx, slug.as_str()).await?;
        tx.commit().await?;
        tenant.is_some()
    };
    if taken {
        return Err(slug_taken());
    }
    let password_hash = state.hasher.hash(&password).await?;
    // Taken after hashing, which can take long enough to cross a second: the user's
    // "sessions valid after" and the first token's issue time must agree.
    let now = state.clock.now();
    let status = if state.settings.signup_requires_approval {
        TenantStatus::Pending
    } else {
        TenantStatus::Active
    };

    let tenant_id = Uuid::now_v7();
    let tx = store::tenant_tx(&state.db, tenant_id).await?;
    let tenant = store::tenants::insert(&tx, tenant_id, &name, &code, &slug, status, now)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                slug_taken()
            } else {
                e.into()
            }
        })?;
    let user = store::users::insert(
        &tx,
        store::users::NewUser {
            now,
            tenant_id,
            email: &email,
            display_name: &admin_name,
            password_hash,
            role: Role::DataCenter,
            agency_id: None,
        },
    )
    .await?;
    store::second_factor::set_required_roles(
        &tx,
        tenant_id,
        &state.settings.second_factor_roles.stored(),
    )
    .await?;
    let document = plan::template(DURHAM_V1)
        .ok_or_else(|| DomainError::internal(anyhow::anyhow!("durham-v1 template missing")))?;
    store::plans::publish(&tx, tenant_id, DURHAM_V1, &document, Some(user.id), now).await?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            tenant_id,
            actor_user_id: Some(user.id),
            actor_agency_id: None,
            action: "tenant.sign_up",
            subject_id: Some(tenant_id),
            refused_by: None,
            source_ip: None,
            detail: json!({ "coc_code": code.as_str(), "slug": slug.as_str(), "plan": DURHAM_V1 }),
        },
    )
    .await?;
    let tokens = if status == TenantStatus::Active {
        Some(sessions::open(state, &tx, user, now, None).await?)
    } else {
        None
    };
    tx.commit().await?;
    tracing::info!(tenant_id = %tenant_id, "tenant signed up");
    Ok(SignedUp {
        tenant,
        status,
        tokens,
    })
}

pub struct Invite<'a> {
    pub email: &'a str,
    pub role: Role,
    pub agency_id: Option<Uuid>,
}

/// Returns the invitation and its token. The token is shown once, stored only as a hash.
pub async fn invite(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: Invite<'_>,
) -> DomainResult<(invitations::Model, String)> {
    let caller = caller.into();
    let by = caller.person(state, "user.invite").await?;
    let now = state.clock.now();
    let email = Email::parse("email", input.email)?;
    let account = Account {
        user_id: None,
        role: input.role,
        agency_id: input.agency_id,
    };
    guard(
        state,
        by,
        "user.invite",
        roles::invite(&by.actor(), &account),
    )
    .await?;
    let tx = caller.begin(state).await?;
    if let Some(agency_id) = input.agency_id {
        store::agencies::active(&tx, by.tenant_id, agency_id, "agencyId").await?;
    }
    if store::users::by_email(&tx, by.tenant_id, email.as_str())
        .await?
        .is_some()
    {
        return Err(DomainError::validation(
            "email",
            "a user with this e-mail address already exists",
        ));
    }
    let token = new_opaque_token(by.tenant_id);
    let invitation = store::invitations::insert(
        &tx,
        store::invitations::NewInvitation {
            tenant_id: by.tenant_id,
            email: &email,
            role: input.role,
            agency_id: input.agency_id,
            token_hash: hash_token(&token),
            invited_by: by.user_id,
            now,
            expires_at: now + INVITATION_TTL,
        },
    )
    .await?;
    audit::record(
        &tx,
        audit::Entry::allowed(
            by,
            "user.invite",
            invitation.id,
            json!({ "role": input.role.as_str(), "agency": input.agency_id }),
            now,
        ),
    )
    .await?;
    // E-mailed through the outbox, with a token of its own (`messages::deliver`).
    store::outbox::insert_invitation(&tx, by.tenant_id, invitation.id, now).await?;
    tx.commit().await?;
    Ok((invitation, token))
}

pub struct Accept<'a> {
    pub tenant_slug: &'a str,
    pub token: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
}

/// Single use: the invitation row is locked, checked unused and unexpired, and spent in the
/// same transaction that creates the account.
///
/// Cheap checks come first (the input, the address's limit, the invitation read without a
/// lock), so that nobody makes Concord hash a password for an invitation that is not valid.
pub async fn accept(
    state: &AppState,
    from: &ClientAddress,
    input: Accept<'_>,
) -> DomainResult<AuthTokens> {
    const INVALID: DomainError = DomainError::Unauthenticated(
        "this invitation is not valid: it may have expired or been used",
    );
    let display_name = DisplayName::parse("displayName", input.display_name)?;
    let password = NewPassword::parse(input.password)?;
    throttle::per_address(
        state,
        "accept",
        from,
        state.settings.limits.accept_per_address,
        ACCOUNT_CREATION_WINDOW,
    )
    .await?;
    let (tenant_id, hash) = parse_opaque_token(input.token).ok_or(INVALID)?;
    let tenant = {
        let tx = store::registry_tx(&state.db).await?;
        let tenant = store::tenants::by_slug(&tx, input.tenant_slug).await?;
        tx.commit().await?;
        tenant
            .filter(|t| t.id == tenant_id && TenantStatus::is_active(t))
            .ok_or(INVALID)?
    };
    let open = |now: DateTime<Utc>| {
        move |i: &invitations::Model| InvitationStatus::of(i, now) == InvitationStatus::Pending
    };
    {
        let tx = store::tenant_tx(&state.db, tenant.id).await?;
        let found = store::invitations::by_token_hash(&tx, tenant.id, &hash, false).await?;
        tx.commit().await?;
        found.filter(open(state.clock.now())).ok_or(INVALID)?;
    }
    let password_hash = state.hasher.hash(&password).await?;
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, tenant.id).await?;
    // Checked again under the lock: two acceptances of one invitation race here.
    let invitation = store::invitations::by_token_hash(&tx, tenant.id, &hash, true)
        .await?
        .filter(open(now))
        .ok_or(INVALID)?;
    let role = Role::parse(&invitation.role).ok_or(INVALID)?;
    let email = Email::parse("email", &invitation.email)?;
    let user = store::users::insert(
        &tx,
        store::users::NewUser {
            now,
            tenant_id: tenant.id,
            email: &email,
            display_name: &display_name,
            password_hash,
            role,
            agency_id: invitation.agency_id,
        },
    )
    .await?;
    let invitation_id = invitation.id;
    store::invitations::mark_accepted(&tx, invitation, now).await?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            tenant_id: tenant.id,
            actor_user_id: Some(user.id),
            actor_agency_id: user.agency_id,
            action: "user.accept_invitation",
            subject_id: Some(invitation_id),
            refused_by: None,
            source_ip: None,
            detail: json!({ "role": role.as_str() }),
        },
    )
    .await?;
    let tokens = sessions::open(state, &tx, user, now, None).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Lets the action go ahead when `decision` allows it; otherwise records the refusal in the
/// audit log (apart from the request's transaction, so it stays when the request fails) and
/// refuses.
pub async fn guard(
    state: &AppState,
    by: &TenantUser,
    action: &str,
    decision: Decision,
) -> DomainResult<()> {
    guard_noting(state, by, action, decision, json!({})).await
}

/// `guard`, noting `detail` with a refusal.
pub async fn guard_noting(
    state: &AppState,
    by: &TenantUser,
    action: &str,
    decision: Decision,
    detail: serde_json::Value,
) -> DomainResult<()> {
    let now = state.clock.now();
    if decision.allowed {
        return Ok(());
    }
    tracing::info!(tenant_id = %by.tenant_id, user_id = %by.user_id, action, rule = decision.rule, "refused");
    state
        .refusals
        .record(audit::Refusal {
            at: now,
            tenant_id: by.tenant_id,
            actor_user_id: by.user_id,
            actor_agency_id: by.agency_id,
            action: action.to_owned(),
            subject_id: None,
            rule: decision.rule,
            detail,
        })
        .await?;
    decision.into_result()
}

/// `concord admin create-platform-admin`: the only way a platform administrator is made.
pub async fn create_platform_admin(
    state: &AppState,
    email: &str,
    password: &str,
) -> DomainResult<Uuid> {
    let email = Email::parse("email", email)?;
    let password = NewPassword::parse(password)?;
    let hash = state.hasher.hash(&password).await?;
    let tx = store::platform_tx(&state.db, None).await?;
    let admin = store::platform_admins::insert(&tx, &email, hash, state.clock.now()).await?;
    tx.commit().await?;
    Ok(admin.id)
}

/// A platform administrator approves or suspends a tenant. Runs as the platform database role
/// (the request role may not change a tenant's status) and is written in the tenant's own
/// audit log, so its Data Center sees who did it and when.
pub async fn set_tenant_status(
    state: &AppState,
    admin_id: Uuid,
    tenant_id: Uuid,
    status: TenantStatus,
) -> DomainResult<entities::tenants::Model> {
    let now = state.clock.now();
    let tx = store::platform_tx(&state.db, Some(tenant_id)).await?;
    let tenant = store::tenants::by_id(&tx, tenant_id)
        .await?
        .ok_or(DomainError::NotFound("tenant"))?;
    let before = TenantStatus::of(&tenant)?;
    let tenant = store::tenants::set_status(&tx, tenant, status, now).await?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            tenant_id,
            actor_user_id: None,
            actor_agency_id: None,
            action: "tenant.set_status",
            subject_id: Some(tenant_id),
            refused_by: None,
            source_ip: None,
            detail: json!({
                "platform_admin_id": admin_id,
                "before": before.as_str(),
                "after": status.as_str(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%admin_id, %tenant_id, status = status.as_str(), "tenant status changed");
    Ok(tenant)
}

/// Every tenant of the installation, a page at a time (platform administration).
pub async fn tenants_page(
    state: &AppState,
    window: Window,
) -> DomainResult<store::Page<entities::tenants::Model>> {
    let tx = store::platform_tx(&state.db, None).await?;
    let page = store::tenants::page(&tx, window).await?;
    tx.commit().await?;
    Ok(page)
}
