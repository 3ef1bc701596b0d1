//! Second factors (ASVS 6.3.3, 6.5, 6.6): an authenticator app (TOTP, RFC 6238: 30-second
//! steps, one step of drift either way, a code never accepted twice) and ten single-use backup
//! codes. A tenant says which roles must use one (default: the Data Center and Agency
//! Administrators); a person of such a role without one can, once signed in, only enrol
//! (`Viewer::Enrolling`, rule `AUTH-2FA-ENROL`). Someone with a second factor signs in with a
//! code as well as the password (`AUTH-2FA`); a wrong code counts toward the account's
//! sign-in throttle like a wrong password. Removing a factor or making new backup codes needs
//! a check in the last ten minutes of this session (`AUTH-2FA-RECENT`).
use chrono::{DateTime, Duration, Utc};
use entities::{platform_admins, totp_factors, users};
use sea_orm::ConnectionTrait;
use secrecy::SecretString;
use serde_json::json;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use super::onboarding::guard;
use super::throttle::SignInAttempt;
use super::webauthn::{self, Ceremony};
use super::{ClientAddress, TenantUser};
use crate::error::{DomainError, DomainResult};
use crate::policy::Decision;
use crate::policy::roles::{self, Role};
use crate::state::AppState;
use crate::store::{self, audit};

/// The length of a TOTP time step, in seconds.
pub const STEP_SECS: i64 = 30;
/// How long a second-factor check lets a session remove a factor or renew backup codes.
pub const RECENT_CHECK: Duration = Duration::minutes(10);
pub const BACKUP_CODE_COUNT: usize = 10;
/// The rule a person meets when their role needs a second factor and they have none.
pub const ENROL_RULE: &str = "AUTH-2FA-ENROL";
/// The rule a wrong or missing code meets.
pub const CODE_RULE: &str = "AUTH-2FA";
/// The rule of actions that need a recent second-factor check.
pub const RECENT_RULE: &str = "AUTH-2FA-RECENT";

/// Backup codes use letters and digits that cannot be mistaken for one another: 32 symbols,
/// five bits each.
const BACKUP_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Four groups of four; the first group finds the code's row, the other twelve symbols (60
/// bits) are the secret.
const BACKUP_CODE_CHARS: usize = 16;
const LOOKUP_CHARS: usize = 4;

/// The roles of a tenant that must use a second factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequiredRoles(Vec<Role>);

impl RequiredRoles {
    pub fn of(roles: impl IntoIterator<Item = Role>) -> Self {
        let roles: Vec<Role> = roles.into_iter().collect();
        Self(
            Role::ALL
                .into_iter()
                .filter(|role| roles.contains(role))
                .collect(),
        )
    }

    /// A new tenant's, unless the installation says otherwise.
    pub fn default_roles() -> Self {
        Self::of([Role::DataCenter, Role::AgencyAdmin])
    }

    /// As stored: ",DATA_CENTER,AGENCY_ADMIN,".
    pub fn parse_stored(stored: &str) -> Self {
        Self::of(stored.split(',').filter_map(Role::parse))
    }

    pub fn stored(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|role| role.as_str()).collect();
        format!(",{},", names.join(","))
    }

    pub fn requires(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn roles(&self) -> &[Role] {
        &self.0
    }
}

/// Whether a person of `role`, in a tenant whose setting is `stored`, must still enrol.
pub fn enrolment_due(stored: &str, role: Role, has_second_factor: bool) -> bool {
    !has_second_factor && RequiredRoles::parse_stored(stored).requires(role)
}

/// The authenticator for a secret. `account` names it in the app.
fn authenticator(secret: Vec<u8>, account: &str) -> DomainResult<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECS.unsigned_abs(),
        secret,
        Some("Concord".to_owned()),
        account.replace(':', " "),
    )
    .map_err(|e| DomainError::internal(anyhow::anyhow!("authenticator: {e}")))
}

/// The time step of `at`.
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECS)
}

/// The step, of now's and one either side, whose code `code` is.
fn matching_step(totp: &TOTP, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let current = step_of(now);
    [current - 1, current, current + 1]
        .into_iter()
        .filter_map(|step| Some((step, u64::try_from(step.checked_mul(STEP_SECS)?).ok()?)))
        .find(|(_, time)| totp.check(code, *time))
        .map(|(step, _)| step)
}

/// A code as typed, without spaces and dashes, upper-case.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn new_backup_code() -> String {
    let symbols: Vec<char> = rand::random::<[u8; BACKUP_CODE_CHARS]>()
        .iter()
        .map(|byte| char::from(BACKUP_ALPHABET[usize::from(byte % 32)]))
        .collect();
    symbols
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// What seals a secret: a ciphertext copied to another factor or tenant does not open.
fn secret_binding(tenant_id: Uuid, factor_id: Uuid) -> String {
    format!("totp:{tenant_id}:{factor_id}")
}

/// What seals a platform administrator's secret.
fn platform_binding(admin_id: Uuid) -> String {
    format!("totp:platform:{admin_id}")
}

/// Whether `code` (normalised) looks like an authenticator's code rather than a backup code.
fn is_app_code(code: &str) -> bool {
    code.len() == 6 && code.chars().all(|c| c.is_ascii_digit())
}

/// The time step whose code `code` is, of now's and one either side, for the app holding the
/// sealed secret; `None` when it is no current code of that app.
fn code_step(
    state: &AppState,
    sealed: &str,
    binding: &str,
    account: &str,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<Option<i64>> {
    let code = normalise(code);
    if !is_app_code(&code) {
        return Ok(None);
    }
    let secret = state.ssn.open(sealed, binding)?;
    Ok(matching_step(&authenticator(secret, account)?, &code, now))
}

/// `code_step` for a tenant user's app.
fn factor_step(
    state: &AppState,
    factor: &totp_factors::Model,
    account: &str,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<Option<i64>> {
    let binding = secret_binding(factor.tenant_id, factor.id);
    code_step(state, &factor.secret_sealed, &binding, account, code, now)
}

/// Checks `code` (a code of the user's authenticator app, `totp`, or one of their backup
/// codes) and spends it. Only for a user with a second factor.
async fn accept_code(
    state: &AppState,
    db: &impl ConnectionTrait,
    (tenant_id, user_id): (Uuid, Uuid),
    totp: Option<&totp_factors::Model>,
    account: &str,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let code = normalise(code);
    if is_app_code(&code) {
        let Some(factor) = totp else {
            return Ok(false);
        };
        return match factor_step(state, factor, account, &code, now)? {
            Some(step) => store::second_factor::use_totp_step(db, factor, step, now).await,
            None => Ok(false),
        };
    }
    if code.len() != BACKUP_CODE_CHARS {
        return Ok(false);
    }
    let (lookup, _) = code.split_at(LOOKUP_CHARS);
    let stored = store::second_factor::unused_backup_code(db, tenant_id, user_id, lookup).await?;
    let verification = state
        .hasher
        .verify(&code, stored.as_ref().map(|c| c.code_hash.as_str()))
        .await?;
    match stored {
        Some(stored) if verification.matches => {
            store::second_factor::spend_backup_code(db, &stored, now).await
        }
        _ => Ok(false),
    }
}

/// The user's confirmed authenticator, if any.
async fn confirmed_factor(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<Option<totp_factors::Model>> {
    Ok(store::second_factor::totp_of(db, tenant_id, user_id)
        .await?
        .filter(|factor| factor.confirmed_at.is_some()))
}

/// What signing in learns of the second factor.
pub enum SignInCheck {
    /// The user has none: the password is enough.
    NotEnrolled,
    Passed,
    /// A factor is enrolled and no proof was given; for a user with security keys, the
    /// ceremony to answer (written in the sign-in's transaction).
    CodeMissing(Option<webauthn::Challenge>),
    /// The code or the key's answer was wrong or already used.
    Failed,
}

/// What a person signing in offers as their second factor.
#[derive(Clone, Copy, Default)]
pub struct Proof<'a> {
    /// A code of their authenticator app, or a backup code.
    pub code: Option<&'a str>,
    /// The answer of a security key to the sign-in ceremony with this id.
    pub webauthn: Option<(Uuid, &'a serde_json::Value)>,
}

/// The second-factor step of signing in `user` (whose password was right).
pub async fn at_sign_in(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &users::Model,
    proof: Proof<'_>,
    now: DateTime<Utc>,
) -> DomainResult<SignInCheck> {
    let totp = confirmed_factor(db, user.tenant_id, user.id).await?;
    let keys = store::webauthn::count_of(db, user.tenant_id, user.id).await? > 0;
    if totp.is_none() && !keys {
        return Ok(SignInCheck::NotEnrolled);
    }
    Ok(
        match accept_proof(
            state,
            db,
            user,
            totp.as_ref(),
            (proof, Ceremony::SignIn),
            now,
        )
        .await?
        {
            None => {
                let challenge =
                    webauthn::authentication_challenge(state, db, user, Ceremony::SignIn, now)
                        .await?;
                SignInCheck::CodeMissing(challenge)
            }
            Some(true) => SignInCheck::Passed,
            Some(false) => SignInCheck::Failed,
        },
    )
}

/// Checks what `account` offers as a second factor: a key's answer to one of their
/// ceremonies of the kind `ceremony`, or a code of their app or a backup code. `None` when it
/// offers nothing.
async fn accept_proof(
    state: &AppState,
    db: &impl ConnectionTrait,
    account: &users::Model,
    totp: Option<&totp_factors::Model>,
    (proof, ceremony): (Proof<'_>, Ceremony),
    now: DateTime<Utc>,
) -> DomainResult<Option<bool>> {
    if let Some(answer) = proof.webauthn {
        let accepted =
            webauthn::accept_authentication(state, db, account, ceremony, answer, now).await?;
        return Ok(Some(accepted));
    }
    match proof.code.filter(|c| !c.trim().is_empty()) {
        Some(code) => {
            let owner = (account.tenant_id, account.id);
            let accepted = accept_code(state, db, owner, totp, &account.email, code, now).await?;
            Ok(Some(accepted))
        }
        None => Ok(None),
    }
}

/// Whether the user has a second factor: a confirmed authenticator app or a security key.
pub async fn has_any(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<bool> {
    Ok(confirmed_factor(db, tenant_id, user_id).await?.is_some()
        || store::webauthn::count_of(db, tenant_id, user_id).await? > 0)
}

/// Whether a person of `user`'s role in their tenant must enrol before anything else.
pub async fn must_enrol(db: &impl ConnectionTrait, user: &users::Model) -> DomainResult<bool> {
    let role = Role::of_row(&user.role)?;
    let required = tenant_roles(db, user.tenant_id).await?;
    let has = has_any(db, user.tenant_id, user.id).await?;
    Ok(!has && required.requires(role))
}

/// The tenant's setting; the default for a tenant without a row (the migration gives every
/// tenant one, so this is a safe fallback, not the usual path).
async fn tenant_roles(db: &impl ConnectionTrait, tenant_id: Uuid) -> DomainResult<RequiredRoles> {
    Ok(store::second_factor::required_roles(db, tenant_id)
        .await?
        .map_or_else(RequiredRoles::default_roles, |stored| {
            RequiredRoles::parse_stored(&stored)
        }))
}

/// Where the signed-in person stands.
pub struct Status {
    pub totp_enrolled: bool,
    pub webauthn_keys: u64,
    pub required: bool,
    pub enrolment_due: bool,
    pub backup_codes_left: u64,
    /// When this session last passed a second-factor check.
    pub checked_at: Option<DateTime<Utc>>,
}

pub async fn status(state: &AppState, user: &TenantUser) -> DomainResult<Status> {
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let required = tenant_roles(&tx, user.tenant_id).await?.requires(user.role);
    let totp_enrolled = confirmed_factor(&tx, user.tenant_id, user.user_id)
        .await?
        .is_some();
    let webauthn_keys = store::webauthn::count_of(&tx, user.tenant_id, user.user_id).await?;
    let backup_codes_left =
        store::second_factor::backup_codes_left(&tx, user.tenant_id, user.user_id).await?;
    let checked_at = store::sessions::get(&tx, user.tenant_id, user.session_id()?)
        .await?
        .and_then(|session| session.second_factor_at);
    tx.commit().await?;
    let enrolled = totp_enrolled || webauthn_keys > 0;
    Ok(Status {
        totp_enrolled,
        webauthn_keys,
        required,
        enrolment_due: required && !enrolled,
        backup_codes_left,
        checked_at,
    })
}

/// A new authenticator's secret, for the person to add to their app (by the URI, usually as
/// a QR code, or by typing the secret).
pub struct TotpEnrolment {
    /// Base32, as authenticator apps take it typed.
    pub secret: SecretString,
    /// `otpauth://totp/Concord:…?secret=…&issuer=Concord`.
    pub uri: SecretString,
}

/// Begins enrolling an authenticator app; confirmed by its first code (`confirm_totp`).
/// Beginning again replaces an enrolment not yet confirmed.
pub async fn begin_totp(state: &AppState, user: &TenantUser) -> DomainResult<TotpEnrolment> {
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    if confirmed_factor(&tx, user.tenant_id, user.user_id)
        .await?
        .is_some()
    {
        return Err(DomainError::validation(
            "totp",
            "an authenticator app is already enrolled; remove it first to enrol another",
        ));
    }
    let account = store::users::get(&tx, user.tenant_id, user.user_id)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    store::second_factor::remove_unconfirmed_totp(&tx, user.tenant_id, user.user_id).await?;
    let secret = rand::random::<[u8; 20]>().to_vec();
    let id = Uuid::now_v7();
    let sealed = state
        .ssn
        .seal(&secret, &secret_binding(user.tenant_id, id))?;
    store::second_factor::insert_totp(&tx, user.tenant_id, id, user.user_id, sealed, now).await?;
    tx.commit().await?;
    let totp = authenticator(secret, &account.email)?;
    Ok(TotpEnrolment {
        secret: SecretString::from(totp.get_secret_base32()),
        uri: SecretString::from(totp.get_url()),
    })
}

/// Confirms the enrolment begun with a code from the app. Returns ten new backup codes,
/// shown this once. This session counts as checked.
pub async fn confirm_totp(
    state: &AppState,
    user: &TenantUser,
    code: &str,
    from: &ClientAddress,
) -> DomainResult<Vec<SecretString>> {
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let (account, attempt) = SignInAttempt::of_signed_in(state, &tx, user, from).await?;
    let factor = store::second_factor::totp_of(&tx, user.tenant_id, user.user_id)
        .await?
        .filter(|factor| factor.confirmed_at.is_none())
        .ok_or_else(|| {
            DomainError::validation("code", "begin enrolling an authenticator app first")
        })?;
    let accepted = match factor_step(state, &factor, &account.email, code, now)? {
        Some(step) => store::second_factor::use_totp_step(&tx, &factor, step, now).await?,
        None => false,
    };
    if !accepted {
        tx.commit().await?;
        attempt.failed(state).await?;
        return Err(wrong_code("code"));
    }
    let codes = replace_backup_codes(state, &tx, user, now).await?;
    store::sessions::mark_second_factor_checked(&tx, user.tenant_id, user.session_id()?, now)
        .await?;
    record(&tx, user, "second_factor.enrol", None, now).await?;
    tx.commit().await?;
    attempt.succeeded(state).await?;
    tracing::info!(tenant_id = %user.tenant_id, user_id = %user.user_id, "second factor enrolled");
    Ok(codes)
}

/// Checks a second factor for the signed-in session (before removing a factor, say): a code
/// of their app, a backup code, or a security key's answer to `webauthn::step_up_challenge`.
pub async fn check_session(
    state: &AppState,
    user: &TenantUser,
    proof: Proof<'_>,
    from: &ClientAddress,
) -> DomainResult<()> {
    let user = super::person(state, user, "second_factor.check").await?;
    let now = state.clock.now();
    let session_id = user.session_id()?;
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let (account, attempt) = SignInAttempt::of_signed_in(state, &tx, user, from).await?;
    if !has_any(&tx, user.tenant_id, user.user_id).await? {
        return Err(DomainError::validation(
            "code",
            "no second factor is enrolled",
        ));
    }
    let totp = confirmed_factor(&tx, user.tenant_id, user.user_id).await?;
    let field = if proof.webauthn.is_some() {
        "webauthn"
    } else {
        "code"
    };
    let offered = (proof, Ceremony::StepUp);
    let Some(accepted) = accept_proof(state, &tx, &account, totp.as_ref(), offered, now).await?
    else {
        return Err(DomainError::validation(
            "code",
            "give a code from your authenticator app, a backup code, or your security key's \
             answer",
        ));
    };
    if !accepted {
        record(&tx, user, "second_factor.check", Some(CODE_RULE), now).await?;
        tx.commit().await?;
        attempt.failed(state).await?;
        return Err(wrong_code(field));
    }
    store::sessions::mark_second_factor_checked(&tx, user.tenant_id, session_id, now).await?;
    record(&tx, user, "second_factor.check", None, now).await?;
    tx.commit().await?;
    attempt.succeeded(state).await?;
    Ok(())
}

/// The password change's check: with a second factor enrolled, a code (or a recent check of
/// this session) is needed as well. A wrong code is refused as `field`.
pub async fn confirm_for_change(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &TenantUser,
    account: &users::Model,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    if !has_any(db, user.tenant_id, user.user_id).await? || checked_recently(db, user, now).await? {
        return Ok(true);
    }
    let totp = confirmed_factor(db, user.tenant_id, user.user_id).await?;
    let owner = (user.tenant_id, user.user_id);
    match code.filter(|c| !c.trim().is_empty()) {
        Some(code) => accept_code(state, db, owner, totp.as_ref(), &account.email, code, now).await,
        None => Ok(false),
    }
}

/// The signed-in user's confirmed authenticator, or `NOT_FOUND`.
async fn enrolled(
    db: &impl ConnectionTrait,
    user: &TenantUser,
) -> DomainResult<totp_factors::Model> {
    confirmed_factor(db, user.tenant_id, user.user_id)
        .await?
        .ok_or(DomainError::NotFound("second factor"))
}

async fn checked_recently(
    db: &impl ConnectionTrait,
    user: &TenantUser,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    Ok(store::sessions::get(db, user.tenant_id, user.session_id()?)
        .await?
        .and_then(|session| session.second_factor_at)
        .is_some_and(|at| now - at <= RECENT_CHECK))
}

/// Refuses unless this session passed a second-factor check in the last ten minutes.
pub(super) async fn require_recent_check(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &TenantUser,
    action: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if checked_recently(db, user, now).await? {
        return Ok(());
    }
    guard(
        state,
        user,
        action,
        Decision::refuse(
            RECENT_RULE,
            "confirm a code from your authenticator app or a backup code first (within the last 10 minutes)",
        ),
    )
    .await
}

/// `require_recent_check`, for a person who has a second factor: before handing out a
/// credential that outlives their session (a service account's secret).
pub(crate) async fn require_recent_check_if_enrolled(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &TenantUser,
    action: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if has_any(db, user.tenant_id, user.user_id).await? {
        require_recent_check(state, db, user, action, now).await?;
    }
    Ok(())
}

/// Removes the user's authenticator app, and their backup codes unless a security key
/// remains. Without a second factor, if their role needs one, their next request must enrol
/// again.
pub async fn remove(state: &AppState, user: &TenantUser) -> DomainResult<()> {
    let user = super::person(state, user, "second_factor.remove").await?;
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    require_recent_check(state, &tx, user, "second_factor.remove", now).await?;
    enrolled(&tx, user).await?;
    store::second_factor::remove_totp(&tx, user.tenant_id, user.user_id).await?;
    if !has_any(&tx, user.tenant_id, user.user_id).await? {
        store::second_factor::delete_backup_codes(&tx, user.tenant_id, user.user_id).await?;
    }
    record(&tx, user, "second_factor.remove", None, now).await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %user.tenant_id, user_id = %user.user_id, "second factor removed");
    Ok(())
}

/// Ten new backup codes in place of the old ones.
pub async fn renew_backup_codes(
    state: &AppState,
    user: &TenantUser,
) -> DomainResult<Vec<SecretString>> {
    let user = super::person(state, user, "second_factor.renew_backup_codes").await?;
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    require_recent_check(state, &tx, user, "second_factor.renew_backup_codes", now).await?;
    if !has_any(&tx, user.tenant_id, user.user_id).await? {
        return Err(DomainError::NotFound("second factor"));
    }
    let codes = replace_backup_codes(state, &tx, user, now).await?;
    record(&tx, user, "second_factor.renew_backup_codes", None, now).await?;
    tx.commit().await?;
    Ok(codes)
}

pub(super) async fn replace_backup_codes(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &TenantUser,
    now: DateTime<Utc>,
) -> DomainResult<Vec<SecretString>> {
    let codes: Vec<String> = (0..BACKUP_CODE_COUNT).map(|_| new_backup_code()).collect();
    let hashes = state
        .hasher
        .hash_secrets(codes.iter().map(|code| normalise(code)).collect())
        .await?;
    let rows = codes
        .iter()
        .zip(hashes)
        .map(|(code, hash)| (normalise(code)[..LOOKUP_CHARS].to_owned(), hash))
        .collect();
    store::second_factor::delete_backup_codes(db, user.tenant_id, user.user_id).await?;
    store::second_factor::insert_backup_codes(db, user.tenant_id, user.user_id, rows, now).await?;
    Ok(codes.into_iter().map(SecretString::from).collect())
}

/// The tenant's setting (anyone signed in may read it: it says what they will be asked).
pub async fn required_roles(state: &AppState, user: &TenantUser) -> DomainResult<RequiredRoles> {
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let required = tenant_roles(&tx, user.tenant_id).await?;
    tx.commit().await?;
    Ok(required)
}

/// Sets which roles must use a second factor (the Data Center's, ROLE-1). People of a role
/// newly required enrol at their next request.
pub async fn set_required_roles(
    state: &AppState,
    user: &TenantUser,
    roles: RequiredRoles,
) -> DomainResult<RequiredRoles> {
    let now = state.clock.now();
    let action = "tenant.second_factor_roles";
    let user = super::person(state, user, action).await?;
    guard(state, user, action, roles::manage_security(&user.actor())).await?;
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    store::second_factor::set_required_roles(&tx, user.tenant_id, &roles.stored()).await?;
    let names: Vec<&str> = roles.roles().iter().map(|r| r.as_str()).collect();
    audit::record(
        &tx,
        audit::Entry::allowed(user, action, user.tenant_id, json!({ "roles": names }), now),
    )
    .await?;
    tx.commit().await?;
    Ok(roles)
}

/// Begins enrolling the platform administrator's authenticator app (they always use one).
pub async fn begin_platform_totp(state: &AppState, admin_id: Uuid) -> DomainResult<TotpEnrolment> {
    let tx = store::platform_tx(&state.db, None).await?;
    let admin = store::platform_admins::by_id(&tx, admin_id)
        .await?
        .ok_or(DomainError::NotFound("platform administrator"))?;
    let secret = rand::random::<[u8; 20]>().to_vec();
    let sealed = state.ssn.seal(&secret, &platform_binding(admin.id))?;
    if !store::platform_admins::begin_totp(&tx, admin.id, sealed).await? {
        return Err(DomainError::validation(
            "totp",
            "an authenticator app is already enrolled",
        ));
    }
    tx.commit().await?;
    let totp = authenticator(secret, &admin.email)?;
    Ok(TotpEnrolment {
        secret: SecretString::from(totp.get_secret_base32()),
        uri: SecretString::from(totp.get_url()),
    })
}

/// Confirms the platform administrator's app with its first code. A wrong code counts toward
/// their sign-in throttle.
pub async fn confirm_platform_totp(
    state: &AppState,
    admin_id: Uuid,
    code: &str,
    from: &ClientAddress,
) -> DomainResult<()> {
    let now = state.clock.now();
    let tx = store::platform_tx(&state.db, None).await?;
    let admin = store::platform_admins::by_id(&tx, admin_id)
        .await?
        .ok_or(DomainError::NotFound("platform administrator"))?;
    let attempt = SignInAttempt::begin(state, &platform_account(&admin.email), from).await?;
    let sealed = match (&admin.totp_secret_sealed, admin.totp_confirmed_at) {
        (Some(sealed), None) => sealed.clone(),
        _ => {
            return Err(DomainError::validation(
                "code",
                "begin enrolling an authenticator app first",
            ));
        }
    };
    let step = code_step(
        state,
        &sealed,
        &platform_binding(admin.id),
        &admin.email,
        code,
        now,
    )?;
    let accepted = match step {
        Some(step) => store::platform_admins::use_totp_step(&tx, &admin, step, now).await?,
        None => false,
    };
    tx.commit().await?;
    if !accepted {
        attempt.failed(state).await?;
        return Err(wrong_code("code"));
    }
    attempt.succeeded(state).await?;
    tracing::info!(admin_id = %admin.id, "platform administrator enrolled a second factor");
    Ok(())
}

/// The second-factor step of a platform administrator's sign-in (password already right).
pub async fn platform_at_sign_in(
    state: &AppState,
    admin: &platform_admins::Model,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<SignInCheck> {
    let (Some(sealed), Some(_)) = (&admin.totp_secret_sealed, admin.totp_confirmed_at) else {
        return Ok(SignInCheck::NotEnrolled);
    };
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Ok(SignInCheck::CodeMissing(None));
    };
    let step = code_step(
        state,
        sealed,
        &platform_binding(admin.id),
        &admin.email,
        code,
        now,
    )?;
    let Some(step) = step else {
        return Ok(SignInCheck::Failed);
    };
    let tx = store::platform_tx(&state.db, None).await?;
    let accepted = store::platform_admins::use_totp_step(&tx, admin, step, now).await?;
    tx.commit().await?;
    Ok(if accepted {
        SignInCheck::Passed
    } else {
        SignInCheck::Failed
    })
}

/// How the sign-in throttle names a platform administrator's account.
pub fn platform_account(email: &str) -> String {
    format!("platform:{email}")
}

fn wrong_code(field: &'static str) -> DomainError {
    DomainError::validation(field, "the code is wrong or was already used")
}

async fn record(
    db: &impl ConnectionTrait,
    user: &TenantUser,
    action: &'static str,
    refused_by: Option<&'static str>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    audit::record(
        db,
        audit::Entry {
            refused_by,
            ..audit::Entry::allowed(user, action, user.user_id, json!({}), now)
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn app() -> TOTP {
        authenticator(b"12345678901234567890".to_vec(), "lead@example.org").unwrap()
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn rfc_6238_sha1_vectors_are_the_codes_of_their_steps() {
        // RFC 6238 appendix B, truncated to six digits.
        assert_eq!(app().generate(59), "287082");
        assert_eq!(app().generate(1_111_111_109), "081804");
        assert_eq!(matching_step(&app(), "287082", at(59)), Some(1));
    }

    #[test]
    fn a_code_matches_one_step_of_drift_either_way_and_no_more() {
        let code = app().generate(3000); // step 100
        assert_eq!(matching_step(&app(), &code, at(3000)), Some(100));
        assert_eq!(matching_step(&app(), &code, at(3030)), Some(100));
        assert_eq!(matching_step(&app(), &code, at(2970)), Some(100));
        assert_eq!(matching_step(&app(), &code, at(3060)), None);
        assert_eq!(matching_step(&app(), &code, at(2940)), None);
    }

    #[test]
    fn required_roles_round_trip_and_ignore_what_is_not_a_role() {
        let roles = RequiredRoles::parse_stored(",AGENCY_ADMIN,NOBODY,DATA_CENTER,");
        assert_eq!(roles, RequiredRoles::default_roles());
        assert_eq!(roles.stored(), ",DATA_CENTER,AGENCY_ADMIN,");
        assert!(!roles.requires(Role::User));
        assert_eq!(RequiredRoles::parse_stored(",,").roles(), &[] as &[Role]);
    }

    #[test]
    fn auth_2fa_enrol_applies_to_required_roles_without_a_factor() {
        let stored = RequiredRoles::default_roles().stored();
        assert!(enrolment_due(&stored, Role::DataCenter, false));
        assert!(!enrolment_due(&stored, Role::DataCenter, true));
        assert!(!enrolment_due(&stored, Role::User, false));
    }

    #[test]
    fn backup_codes_are_four_groups_from_the_unambiguous_alphabet() {
        let code = new_backup_code();
        assert_eq!(code.len(), 19);
        let plain = normalise(&code.to_lowercase());
        assert_eq!(plain.len(), BACKUP_CODE_CHARS);
        assert!(plain.bytes().all(|b| BACKUP_ALPHABET.contains(&b)));
        assert_ne!(new_backup_code(), code);
    }
}
