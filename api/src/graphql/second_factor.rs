//! Second factors: enrolling an authenticator app, backup codes, checking a code for this
//! session, removing the factor, and the tenant's setting of which roles need one. A person
//! who must still enrol reaches these (and `me`, `logout`) and nothing else.
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};

use super::enums::Role;
use super::{client_address, state, viewer};
use crate::error::GqlResult;
use domain::auth::second_factor::{self, RequiredRoles};

/// Where the signed-in person stands with second factors.
#[derive(SimpleObject)]
pub struct SecondFactorStatus {
    /// An authenticator app is enrolled and confirmed.
    pub totp_enrolled: bool,
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

fn roles_of(required: &RequiredRoles) -> Vec<Role> {
    required.roles().iter().copied().map(Role::from).collect()
}

fn shown(codes: Vec<SecretString>) -> BackupCodesPayload {
    BackupCodesPayload {
        backup_codes: codes
            .iter()
            .map(|code| code.expose_secret().to_owned())
            .collect(),
    }
}

#[derive(Default)]
pub struct SecondFactorQuery;

#[Object]
impl SecondFactorQuery {
    async fn my_second_factor(&self, ctx: &Context<'_>) -> GqlResult<SecondFactorStatus> {
        let status = second_factor::status(state(ctx)?, viewer(ctx).signed_in()?).await?;
        Ok(SecondFactorStatus {
            totp_enrolled: status.totp_enrolled,
            required: status.required,
            enrolment_due: status.enrolment_due,
            backup_codes_left: i32::try_from(status.backup_codes_left).unwrap_or(i32::MAX),
            checked_at: status.checked_at,
        })
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

    /// Checks a code (app or backup) for this session, for the next 10 minutes' sensitive
    /// changes.
    async fn confirm_second_factor(
        &self,
        ctx: &Context<'_>,
        input: SecondFactorCodeInput,
    ) -> GqlResult<SecondFactorCheckPayload> {
        let state = state(ctx)?;
        second_factor::check_session(
            state,
            viewer(ctx).tenant_user()?,
            &input.code,
            &client_address(ctx),
        )
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
        second_factor::remove(state(ctx)?, viewer(ctx).tenant_user()?).await?;
        Ok(RemoveSecondFactorPayload { removed: true })
    }

    /// Ten new backup codes in place of the old (needs a check in the last 10 minutes).
    async fn renew_backup_codes(&self, ctx: &Context<'_>) -> GqlResult<BackupCodesPayload> {
        let codes =
            second_factor::renew_backup_codes(state(ctx)?, viewer(ctx).tenant_user()?).await?;
        Ok(shown(codes))
    }

    /// Sets which roles of this CoC must use a second factor (Data Center, ROLE-1).
    async fn set_second_factor_roles(
        &self,
        ctx: &Context<'_>,
        input: SetSecondFactorRolesInput,
    ) -> GqlResult<SecondFactorRolesPayload> {
        let roles = RequiredRoles::of(input.roles.into_iter().map(Into::into));
        let set = second_factor::set_required_roles(state(ctx)?, viewer(ctx).tenant_user()?, roles)
            .await?;
        Ok(SecondFactorRolesPayload {
            roles: roles_of(&set),
        })
    }
}
