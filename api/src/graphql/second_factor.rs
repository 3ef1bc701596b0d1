//! Second factors: enrolling an authenticator app, backup codes, checking a code for this
//! session, removing the factor, and the tenant's setting of which roles need one. A person
//! who must still enrol reaches these (and `me`, `logout`) and nothing else.
use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::enums::Role;
use super::identity::WebauthnAssertionInput;
use super::{client_address, state, viewer};
use crate::error::GqlResult;
use domain::auth::second_factor::{self, Proof, RequiredRoles};
use domain::auth::webauthn;

/// Where the signed-in person stands with second factors.
#[derive(SimpleObject)]
pub struct SecondFactorStatus {
    /// An authenticator app is enrolled and confirmed.
    pub totp_enrolled: bool,
    /// Security keys and passkeys registered.
    pub webauthn_keys: i32,
    /// The tenant requires a second factor of this person's role.
    pub required: bool,
    /// Required and not enrolled: until it is, every other operation is refused with
    /// `AUTH-2FA-ENROL`.
    pub enrolment_due: bool,
    pub backup_codes_left: i32,
    /// When this session last passed a second-factor check (removing the factor or renewing
    /// backup codes needs one in the last 10 minutes).
    pub checked_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct TotpEnrolmentPayload {
    /// The shared secret in base32, to type into an authenticator app. Shown this once.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub uri: String,
}

impl From<second_factor::TotpEnrolment> for TotpEnrolmentPayload {
    fn from(enrolment: second_factor::TotpEnrolment) -> Self {
        Self {
            secret: enrolment.secret.expose_secret().to_owned(),
            uri: enrolment.uri.expose_secret().to_owned(),
        }
    }
}

#[derive(InputObject)]
pub struct SecondFactorCodeInput {
    /// A six-digit code from the authenticator app, or (where accepted) a backup code.
    pub code: String,
}

/// A second factor offered again while signed in: an app or backup code, or a security key's
/// answer to `beginSecondFactorCheck`.
#[derive(InputObject)]
pub struct ConfirmSecondFactorInput {
    pub code: Option<String>,
    pub webauthn: Option<WebauthnAssertionInput>,
}

#[derive(SimpleObject)]
pub struct BackupCodesPayload {
    /// Ten single-use codes, shown this once; each signs in once in place of the app.
    pub backup_codes: Vec<String>,
}

#[derive(SimpleObject)]
pub struct SecondFactorCheckPayload {
    pub checked_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct RemoveSecondFactorPayload {
    pub removed: bool,
}

#[derive(InputObject)]
pub struct SetSecondFactorRolesInput {
    /// Every role listed must use a second factor; an empty list requires it of no one.
    pub roles: Vec<Role>,
}

#[derive(SimpleObject)]
pub struct SecondFactorRolesPayload {
    pub roles: Vec<Role>,
}

/// A WebAuthn ceremony begun: hand `options` to the browser's `navigator.credentials.create()`
/// (registering) and send back its answer with `challengeId` within five minutes.
#[derive(SimpleObject)]
pub struct WebauthnCeremony {
    pub challenge_id: Uuid,
    pub options: Json<serde_json::Value>,
}

/// A security key or passkey registered as a second factor.
#[derive(SimpleObject)]
pub struct WebauthnKey {
    pub id: ID,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<entities::webauthn_credentials::Model> for WebauthnKey {
    fn from(row: entities::webauthn_credentials::Model) -> Self {
        Self {
            id: row.id.into(),
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

#[derive(InputObject)]
pub struct FinishWebauthnRegistrationInput {
    pub challenge_id: Uuid,
    /// What to call the key ("YubiKey on my keyring"), 1 to 60 characters.
    pub name: String,
    /// The browser's `PublicKeyCredential` from `navigator.credentials.create()`, as W3C
    /// WebAuthn JSON.
    pub credential: Json<serde_json::Value>,
}

#[derive(SimpleObject)]
pub struct WebauthnRegistrationPayload {
    pub key: WebauthnKey,
    /// Ten backup codes, shown this once, when this key is the person's first second factor;
    /// empty otherwise.
    pub backup_codes: Vec<String>,
}

#[derive(InputObject)]
pub struct RemoveWebauthnKeyInput {
    pub id: Uuid,
}

#[derive(SimpleObject)]
pub struct RemoveWebauthnKeyPayload {
    pub removed_id: Uuid,
}

fn roles_of(required: &RequiredRoles) -> Vec<Role> {
    required.roles().iter().copied().map(Role::from).collect()
}

fn shown(codes: Vec<SecretString>) -> BackupCodesPayload {
    BackupCodesPayload {
        backup_codes: exposed(&codes),
    }
}

fn exposed(codes: &[SecretString]) -> Vec<String> {
    codes
        .iter()
        .map(|code| code.expose_secret().to_owned())
        .collect()
}

#[derive(Default)]
pub struct SecondFactorQuery;

#[Object]
impl SecondFactorQuery {
    async fn my_second_factor(&self, ctx: &Context<'_>) -> GqlResult<SecondFactorStatus> {
        let status = second_factor::status(state(ctx)?, viewer(ctx).signed_in()?).await?;
        Ok(SecondFactorStatus {
            totp_enrolled: status.totp_enrolled,
            webauthn_keys: i32::try_from(status.webauthn_keys).unwrap_or(i32::MAX),
            required: status.required,
            enrolment_due: status.enrolment_due,
            backup_codes_left: i32::try_from(status.backup_codes_left).unwrap_or(i32::MAX),
            checked_at: status.checked_at,
        })
    }

    /// The signed-in person's security keys, oldest first (at most 10).
    async fn my_webauthn_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebauthnKey>> {
        let keys = webauthn::keys(state(ctx)?, viewer(ctx).signed_in()?).await?;
        Ok(keys.into_iter().map(WebauthnKey::from).collect())
    }

    /// The roles of this CoC that must use a second factor.
    async fn second_factor_roles(&self, ctx: &Context<'_>) -> GqlResult<Vec<Role>> {
        let required = second_factor::required_roles(state(ctx)?, viewer(ctx).signed_in()?).await?;
        Ok(roles_of(&required))
    }
}

#[derive(Default)]
pub struct SecondFactorMutation;

#[Object]
impl SecondFactorMutation {
    /// Begins enrolling an authenticator app: add the secret to the app, then confirm with
    /// its first code (`confirmTotpEnrolment`).
    async fn begin_totp_enrolment(&self, ctx: &Context<'_>) -> GqlResult<TotpEnrolmentPayload> {
        let enrolment = second_factor::begin_totp(state(ctx)?, viewer(ctx).signed_in()?).await?;
        Ok(enrolment.into())
    }

    /// Confirms the authenticator app with a code from it; returns ten backup codes.
    async fn confirm_totp_enrolment(
        &self,
        ctx: &Context<'_>,
        input: SecondFactorCodeInput,
    ) -> GqlResult<BackupCodesPayload> {
        let codes = second_factor::confirm_totp(
            state(ctx)?,
            viewer(ctx).signed_in()?,
            &input.code,
            &client_address(ctx),
        )
        .await?;
        Ok(shown(codes))
    }

    /// Begins registering a security key or passkey (also while a second factor must still
    /// be enrolled).
    async fn begin_webauthn_registration(&self, ctx: &Context<'_>) -> GqlResult<WebauthnCeremony> {
        let ceremony = webauthn::begin_registration(state(ctx)?, viewer(ctx).signed_in()?).await?;
        Ok(WebauthnCeremony {
            challenge_id: ceremony.id,
            options: Json(ceremony.options),
        })
    }

    /// A ceremony for one of the person's security keys to answer in `confirmSecondFactor`
    /// (within five minutes, once).
    async fn begin_second_factor_check(&self, ctx: &Context<'_>) -> GqlResult<WebauthnCeremony> {
        let ceremony = webauthn::step_up_challenge(state(ctx)?, viewer(ctx).acting()?).await?;
        Ok(WebauthnCeremony {
            challenge_id: ceremony.id,
            options: Json(ceremony.options),
        })
    }

    /// Registers the key with its answer; this session counts as checked.
    async fn finish_webauthn_registration(
        &self,
        ctx: &Context<'_>,
        input: FinishWebauthnRegistrationInput,
    ) -> GqlResult<WebauthnRegistrationPayload> {
        let registered = webauthn::finish_registration(
            state(ctx)?,
            viewer(ctx).signed_in()?,
            input.challenge_id,
            &input.name,
            input.credential.0,
        )
        .await?;
        Ok(WebauthnRegistrationPayload {
            backup_codes: exposed(&registered.backup_codes),
            key: registered.key.into(),
        })
    }

    /// Removes one of the person's keys (needs a check in the last 10 minutes).
    async fn remove_webauthn_key(
        &self,
        ctx: &Context<'_>,
        input: RemoveWebauthnKeyInput,
    ) -> GqlResult<RemoveWebauthnKeyPayload> {
        webauthn::remove(state(ctx)?, viewer(ctx).acting()?, input.id).await?;
        Ok(RemoveWebauthnKeyPayload {
            removed_id: input.id,
        })
    }

    /// Checks a second factor for this session — a code (app or backup) or a security key's
    /// answer to `beginSecondFactorCheck` — for the next 10 minutes' sensitive changes.
    async fn confirm_second_factor(
        &self,
        ctx: &Context<'_>,
        input: ConfirmSecondFactorInput,
    ) -> GqlResult<SecondFactorCheckPayload> {
        let state = state(ctx)?;
        let proof = Proof {
            code: input.code.as_deref(),
            webauthn: input
                .webauthn
                .as_ref()
                .map(|answer| (answer.challenge_id, &answer.credential.0)),
        };
        second_factor::check_session(state, viewer(ctx).acting()?, proof, &client_address(ctx))
            .await?;
        Ok(SecondFactorCheckPayload {
            checked_at: state.clock.now(),
        })
    }

    /// Removes the authenticator app and the backup codes (needs a check in the last 10
    /// minutes, `AUTH-2FA-RECENT`).
    async fn remove_second_factor(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<RemoveSecondFactorPayload> {
        second_factor::remove(state(ctx)?, viewer(ctx).acting()?).await?;
        Ok(RemoveSecondFactorPayload { removed: true })
    }

    /// Ten new backup codes in place of the old (needs a check in the last 10 minutes).
    async fn renew_backup_codes(&self, ctx: &Context<'_>) -> GqlResult<BackupCodesPayload> {
        let codes = second_factor::renew_backup_codes(state(ctx)?, viewer(ctx).acting()?).await?;
        Ok(shown(codes))
    }

    /// Sets which roles of this CoC must use a second factor (Data Center, ROLE-1).
    async fn set_second_factor_roles(
        &self,
        ctx: &Context<'_>,
        input: SetSecondFactorRolesInput,
    ) -> GqlResult<SecondFactorRolesPayload> {
        let roles = RequiredRoles::of(input.roles.into_iter().map(Into::into));
        let set =
            second_factor::set_required_roles(state(ctx)?, viewer(ctx).acting()?, roles).await?;
        Ok(SecondFactorRolesPayload {
            roles: roles_of(&set),
        })
    }
}
