//! Signing up, in and out; the current user.
use async_graphql::{Context, InputObject, Json, Object, SimpleObject};
use uuid::Uuid;

use super::types::{AuthPayload, SignUpPayload, User};
use super::{client_address, signed_in_caller, state, take_password_work, viewer};
use crate::error::GqlResult;
use domain::auth::second_factor::Proof;
use domain::auth::{credentials, login, onboarding, sessions};
use domain::tenancy;

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<User> {
        // Also while a second factor must still be enrolled: the console shows who is asked.
        let user = signed_in_caller(ctx)?;
        Ok(tenancy::me(state(ctx)?, user).await?.try_into()?)
    }
}

#[derive(InputObject)]
pub struct SignUpTenantInput {
    pub coc_name: String,
    /// The HUD CoC code, e.g. `NC-502`.
    pub coc_code: String,
    pub slug: String,
    pub admin_email: String,
    pub admin_name: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub tenant_slug: String,
    pub email: String,
    pub password: String,
    /// Needed when the account has a second factor (`SECOND_FACTOR_REQUIRED` says so): a
    /// six-digit code from the authenticator app, or a backup code.
    pub second_factor_code: Option<String>,
    /// Or a security key's answer to the ceremony that `SECOND_FACTOR_REQUIRED` carried in
    /// `extensions.webauthn`.
    pub webauthn: Option<WebauthnAssertionInput>,
}

#[derive(InputObject)]
pub struct WebauthnAssertionInput {
    pub challenge_id: Uuid,
    /// The browser's `PublicKeyCredential` from `navigator.credentials.get()`, as W3C WebAuthn
    /// JSON.
    pub credential: Json<serde_json::Value>,
}

#[derive(InputObject)]
pub struct RefreshSessionInput {
    pub refresh_token: String,
}

#[derive(InputObject)]
pub struct AcceptInvitationInput {
    pub tenant_slug: String,
    pub token: String,
    pub display_name: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
    /// Needed when a second factor is enrolled and this session has not passed a check in
    /// the last 10 minutes.
    pub second_factor_code: Option<String>,
}

#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// The user's other sessions, ended by the change (this one stays).
    pub sessions_ended: i32,
}

#[derive(InputObject)]
pub struct RequestPasswordResetInput {
    pub tenant_slug: String,
    pub email: String,
}

#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// Always true: the answer does not say whether the account exists. If it does (and is
    /// active), a code is e-mailed to it.
    pub accepted: bool,
}

#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The code from the reset e-mail.
    pub token: String,
    pub new_password: String,
}

#[derive(SimpleObject)]
pub struct ResetPasswordPayload {
    /// The password was set; every session of the account ended. Sign in with it.
    pub reset: bool,
}

#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// A CoC onboards itself: the tenant, its first Data Center user and the `durham-v1` plan.
    async fn sign_up_tenant(
        &self,
        ctx: &Context<'_>,
        input: SignUpTenantInput,
    ) -> GqlResult<SignUpPayload> {
        let state = state(ctx)?;
        take_password_work(ctx)?;
        let signed_up = onboarding::sign_up(
            state,
            &client_address(ctx),
            onboarding::SignUp {
                coc_name: &input.coc_name,
                coc_code: &input.coc_code,
                slug: &input.slug,
                admin_email: &input.admin_email,
                admin_name: &input.admin_name,
                password: &input.password,
            },
        )
        .await?;
        Ok(SignUpPayload {
            tenant: signed_up.tenant.try_into()?,
            auth: signed_up.tokens.map(AuthPayload::try_from).transpose()?,
        })
    }

    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> GqlResult<AuthPayload> {
        take_password_work(ctx)?;
        let tokens = login::login(
            state(ctx)?,
            &input.tenant_slug,
            &input.email,
            &input.password,
            Proof {
                code: input.second_factor_code.as_deref(),
                webauthn: input
                    .webauthn
                    .as_ref()
                    .map(|answer| (answer.challenge_id, &answer.credential.0)),
            },
            &client_address(ctx),
        )
        .await?;
        Ok(tokens.try_into()?)
    }

    /// Trades a refresh token for a new access token and a new refresh token; the one given
    /// is spent.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::refresh(state(ctx)?, &input.refresh_token)
            .await?
            .try_into()?)
    }

    /// Changes the signed-in user's password (the current one is needed); their other
    /// sessions end.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> GqlResult<ChangePasswordPayload> {
        take_password_work(ctx)?;
        let ended = credentials::change_password(
            state(ctx)?,
            viewer(ctx).tenant_user()?,
            &input.current_password,
            &input.new_password,
            input.second_factor_code.as_deref(),
            &client_address(ctx),
        )
        .await?;
        Ok(ChangePasswordPayload {
            sessions_ended: i32::try_from(ended).unwrap_or(i32::MAX),
        })
    }

    /// E-mails a single-use reset code (valid 30 minutes) to the account, if it exists.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        input: RequestPasswordResetInput,
    ) -> GqlResult<RequestPasswordResetPayload> {
        credentials::request_reset(
            state(ctx)?,
            &input.tenant_slug,
            &input.email,
            &client_address(ctx),
        )
        .await?;
        Ok(RequestPasswordResetPayload { accepted: true })
    }

    /// Sets a new password with the code of a reset e-mail, once.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> GqlResult<ResetPasswordPayload> {
        take_password_work(ctx)?;
        credentials::reset(
            state(ctx)?,
            &input.token,
            &input.new_password,
            &client_address(ctx),
        )
        .await?;
        Ok(ResetPasswordPayload { reset: true })
    }

    /// Ends the current session: its access and refresh tokens stop working at once.
    async fn logout(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        sessions::logout(state(ctx)?, viewer(ctx).signed_in()?).await?;
        Ok(true)
    }

    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> GqlResult<AuthPayload> {
        take_password_work(ctx)?;
        let tokens = onboarding::accept(
            state(ctx)?,
            &client_address(ctx),
            onboarding::Accept {
                tenant_slug: &input.tenant_slug,
                token: &input.token,
                display_name: &input.display_name,
                password: &input.password,
            },
        )
        .await?;
        Ok(tokens.try_into()?)
    }
}
