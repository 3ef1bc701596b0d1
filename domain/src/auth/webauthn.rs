//! WebAuthn security keys and passkeys as a second factor (webauthn-rs). The relying party is
//! `CONCORD_PUBLIC_URL`: its host is the RP ID and it is the only origin accepted, so a key
//! registered here answers nowhere else. Each ceremony (registering a key, signing in with
//! one) is begun by Concord, whose state it keeps server-side for five minutes and spends
//! once; only the public key and its signature counter are stored. A wrong or replayed answer
//! at sign-in counts toward the sign-in throttle like a wrong code (`second_factor`).
use chrono::{DateTime, Duration, Utc};
use entities::{users, webauthn_credentials};
use sea_orm::ConnectionTrait;
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Webauthn, WebauthnBuilder,
};

use super::TenantUser;
use super::second_factor;
use crate::error::{DomainError, DomainResult};
use crate::settings::Settings;
use crate::state::AppState;
use crate::store::{self, audit, webauthn::REGISTER, webauthn::SIGN_IN, webauthn::STEP_UP};

/// How long a ceremony begun stays open.
pub const CHALLENGE_TTL: Duration = Duration::minutes(5);
/// The keys one person may register (`myWebauthnKeys` is a bounded list).
pub const MAX_KEYS: u64 = 10;
const MAX_NAME_CHARS: usize = 60;

/// A ceremony begun: its id, and the options to hand to the browser's
/// `navigator.credentials.create()` or `.get()` (W3C WebAuthn JSON).
pub struct Challenge {
    pub id: Uuid,
    pub options: Value,
}

/// The relying party Concord is, from `CONCORD_PUBLIC_URL`.
fn relying_party(settings: &Settings) -> DomainResult<Webauthn> {
    let unusable = |why: String| {
        DomainError::validation(
            "webauthn",
            format!(
                "security keys need CONCORD_PUBLIC_URL to name this server by a domain ({why})"
            ),
        )
    };
    let origin = Url::parse(&settings.public_url).map_err(|e| unusable(e.to_string()))?;
    let rp_id = origin
        .domain()
        .ok_or_else(|| unusable("it names no domain".into()))?
        .to_owned();
    WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|builder| builder.rp_name("Concord").build())
        .map_err(|e| unusable(e.to_string()))
}

fn to_json(value: &impl serde::Serialize) -> DomainResult<String> {
    serde_json::to_string(value).map_err(DomainError::internal)
}

fn stored_passkey(row: &webauthn_credentials::Model) -> DomainResult<Passkey> {
    serde_json::from_str(&row.passkey).map_err(DomainError::internal)
}

/// Begins registering a key for the signed-in person (also while they must still enrol).
pub async fn begin_registration(state: &AppState, user: &TenantUser) -> DomainResult<Challenge> {
    let now = state.clock.now();
    let rp = relying_party(&state.settings)?;
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let account = store::users::get(&tx, user.tenant_id, user.user_id)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let existing = store::webauthn::credentials_of(&tx, user.tenant_id, user.user_id).await?;
    if existing.len() as u64 >= MAX_KEYS {
        return Err(DomainError::validation(
            "webauthn",
            format!("at most {MAX_KEYS} security keys; remove one first"),
        ));
    }
    let exclude = existing
        .iter()
        .map(|row| stored_passkey(row).map(|key| key.cred_id().clone()))
        .collect::<DomainResult<Vec<_>>>()?;
    let (options, registration) = rp
        .start_passkey_registration(
            user.user_id,
            &account.email,
            &account.display_name,
            Some(exclude),
        )
        .map_err(DomainError::internal)?;
    let id = store::webauthn::insert_challenge(
        &tx,
        user.tenant_id,
        user.user_id,
        REGISTER,
        to_json(&registration)?,
        now,
        now + CHALLENGE_TTL,
    )
    .await?;
    tx.commit().await?;
    Ok(Challenge {
        id,
        options: serde_json::to_value(options).map_err(DomainError::internal)?,
    })
}

/// A key registered, and the backup codes made with it when it is the person's first second
/// factor (empty otherwise).
pub struct Registered {
    pub key: webauthn_credentials::Model,
    pub backup_codes: Vec<SecretString>,
}

/// Finishes registering a key with the authenticator's answer (`credential`, the JSON of the
/// browser's `PublicKeyCredential`). This session counts as checked.
pub async fn finish_registration(
    state: &AppState,
    user: &TenantUser,
    challenge_id: Uuid,
    name: &str,
    credential: Value,
) -> DomainResult<Registered> {
    let now = state.clock.now();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::validation(
            "name",
            format!("name the key in 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(credential).map_err(|e| {
            DomainError::validation("credential", format!("not a WebAuthn answer: {e}"))
        })?;
    let rp = relying_party(&state.settings)?;
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let registration: PasskeyRegistration = store::webauthn::take_challenge(
        &tx,
        user.tenant_id,
        user.user_id,
        challenge_id,
        REGISTER,
        now,
    )
    .await?
    .map(|stored| serde_json::from_str(&stored).map_err(DomainError::internal))
    .transpose()?
    .ok_or_else(|| {
        DomainError::validation(
            "challengeId",
            "this registration is unknown, used or expired: begin again",
        )
    })?;
    let passkey = rp
        .finish_passkey_registration(&credential, &registration)
        .map_err(|e| {
            DomainError::validation("credential", format!("the key's answer was refused: {e}"))
        })?;
    let first_factor = !second_factor::has_any(&tx, user.tenant_id, user.user_id).await?;
    let key = store::webauthn::insert_credential(
        &tx,
        user.tenant_id,
        user.user_id,
        name,
        to_json(&passkey)?,
        now,
    )
    .await?;
    let backup_codes = if first_factor {
        second_factor::replace_backup_codes(state, &tx, user, now).await?
    } else {
        Vec::new()
    };
    store::sessions::mark_second_factor_checked(&tx, user.tenant_id, user.session_id()?, now)
        .await?;
    audit::record(
        &tx,
        audit::Entry::allowed(
            user,
            "second_factor.webauthn_register",
            key.id,
            json!({}),
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %user.tenant_id, user_id = %user.user_id, "security key registered");
    Ok(Registered { key, backup_codes })
}

/// The person's keys, oldest first (at most `MAX_KEYS`).
pub async fn keys(
    state: &AppState,
    user: &TenantUser,
) -> DomainResult<Vec<webauthn_credentials::Model>> {
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let keys = store::webauthn::credentials_of(&tx, user.tenant_id, user.user_id).await?;
    tx.commit().await?;
    Ok(keys)
}

/// Removes one of the person's keys (needs a recent second-factor check, `AUTH-2FA-RECENT`).
/// Their backup codes go with their last second factor.
pub async fn remove(state: &AppState, user: &TenantUser, id: Uuid) -> DomainResult<()> {
    let user = super::person(state, user, "second_factor.webauthn_remove").await?;
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    second_factor::require_recent_check(state, &tx, user, "second_factor.webauthn_remove", now)
        .await?;
    if !store::webauthn::delete_credential(&tx, user.tenant_id, user.user_id, id).await? {
        return Err(DomainError::NotFound("security key"));
    }
    if !second_factor::has_any(&tx, user.tenant_id, user.user_id).await? {
        store::second_factor::delete_backup_codes(&tx, user.tenant_id, user.user_id).await?;
    }
    audit::record(
        &tx,
        audit::Entry::allowed(user, "second_factor.webauthn_remove", id, json!({}), now),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const STEP_UP_CEREMONIES_PER_MINUTE: u64 = 10;

/// For a signed-in person with keys: a ceremony whose answer `confirmSecondFactor` takes, to
/// check their second factor again before a sensitive change (`AUTH-2FA-RECENT`).
pub async fn step_up_challenge(state: &AppState, user: &TenantUser) -> DomainResult<Challenge> {
    let user = super::person(state, user, "second_factor.webauthn_step_up").await?;
    user.session_id()?;
    // Each ceremony is a row kept five minutes: a few a minute is all a person needs.
    let key = format!("step-up:{}:{}", user.tenant_id, user.user_id);
    let (count, retry_after_secs) = state
        .shared
        .hit(&key, std::time::Duration::from_secs(60))
        .await?;
    if count > STEP_UP_CEREMONIES_PER_MINUTE {
        return Err(DomainError::RateLimited { retry_after_secs });
    }
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let account = store::users::get(&tx, user.tenant_id, user.user_id)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let challenge = authentication_challenge(state, &tx, &account, Ceremony::StepUp, now)
        .await?
        .ok_or_else(|| {
            DomainError::validation("webauthn", "you have no security key; use a code instead")
        })?;
    tx.commit().await?;
    Ok(challenge)
}

/// Which ceremony a key's answer is for: signing in, or the recent check of a signed-in
/// session. Each is stored under its own purpose, so an answer to one is never taken for the
/// other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceremony {
    SignIn,
    StepUp,
}

impl Ceremony {
    fn purpose(self) -> &'static str {
        match self {
            Self::SignIn => SIGN_IN,
            Self::StepUp => STEP_UP,
        }
    }
}

/// For a person with keys: a `ceremony` for them to answer, or `None` when they have no key.
/// Written in the caller's transaction (the sign-in's, at sign-in).
pub async fn authentication_challenge(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &users::Model,
    ceremony: Ceremony,
    now: DateTime<Utc>,
) -> DomainResult<Option<Challenge>> {
    let rows = store::webauthn::credentials_of(db, user.tenant_id, user.id).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let rp = relying_party(&state.settings)?;
    let passkeys = rows
        .iter()
        .map(stored_passkey)
        .collect::<DomainResult<Vec<_>>>()?;
    let (options, authentication) = rp
        .start_passkey_authentication(&passkeys)
        .map_err(DomainError::internal)?;
    let id = store::webauthn::insert_challenge(
        db,
        user.tenant_id,
        user.id,
        ceremony.purpose(),
        to_json(&authentication)?,
        now,
        now + CHALLENGE_TTL,
    )
    .await?;
    Ok(Some(Challenge {
        id,
        options: serde_json::to_value(options).map_err(DomainError::internal)?,
    }))
}

/// Checks the answer to a `ceremony`; true when one of the person's keys signed the challenge
/// of a ceremony of that kind (spent either way).
pub async fn accept_authentication(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &users::Model,
    ceremony: Ceremony,
    (challenge_id, credential): (Uuid, &Value),
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let (tenant_id, purpose) = (user.tenant_id, ceremony.purpose());
    let Some(stored) =
        store::webauthn::take_challenge(db, tenant_id, user.id, challenge_id, purpose, now).await?
    else {
        return Ok(false);
    };
    let authentication: PasskeyAuthentication =
        serde_json::from_str(&stored).map_err(DomainError::internal)?;
    let Ok(credential) = serde_json::from_value::<PublicKeyCredential>(credential.clone()) else {
        return Ok(false);
    };
    let rp = relying_party(&state.settings)?;
    let Ok(result) = rp.finish_passkey_authentication(&credential, &authentication) else {
        return Ok(false);
    };
    for row in store::webauthn::credentials_of(db, user.tenant_id, user.id).await? {
        let mut passkey = stored_passkey(&row)?;
        if passkey.cred_id() == result.cred_id() {
            passkey.update_credential(&result);
            store::webauthn::record_use(db, &row, to_json(&passkey)?, now).await?;
            return Ok(true);
        }
    }
    Ok(false)
}
