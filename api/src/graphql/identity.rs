//! Signing up, in and out; the current user.
use actix_web::http::header::SET_COOKIE;
use async_graphql::{Context, Enum, InputObject, Json, Object, SimpleObject};
use uuid::Uuid;

use super::types::{AuthPayload, SignUpPayload, User};
use super::{client_address, signed_in_caller, state, take_password_work, viewer};
use crate::error::GqlResult;
use crate::http::session_cookie::{self, RefreshCookie};
use domain::auth::second_factor::Proof;
use domain::auth::sessions::AuthTokens;
use domain::auth::{credentials, login, onboarding, sessions};
use domain::error::DomainError;
use domain::state::AppState;
use domain::tenancy;

/// Where a new refresh token goes.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RefreshTokenDelivery {
    /// In the answer (`AuthPayload.refreshToken`): for API clients.
    #[default]
    Body,
    /// In an `HttpOnly`, `SameSite=Strict` cookie for `/graphql`, out of scripts' reach, and
    /// not in the answer: for the console, which then refreshes without naming the token.
    Cookie,
}

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
    #[graphql(default)]
    pub refresh_token_in: RefreshTokenDelivery,
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
    #[graphql(default)]
    pub refresh_token_in: RefreshTokenDelivery,
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
    /// Empty: the one in the console's cookie, and the new one goes back into it.
    pub refresh_token: Option<String>,
}

#[derive(InputObject)]
pub struct AcceptInvitationInput {
    pub tenant_slug: String,
    pub token: String,
    pub display_name: String,
    pub password: String,
    #[graphql(default)]
    pub refresh_token_in: RefreshTokenDelivery,
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
        let auth = match signed_up.tokens {
            Some(tokens) => Some(deliver(ctx, state, tokens, input.refresh_token_in)?),
            None => None,
        };
        Ok(SignUpPayload {
            tenant: signed_up.tenant.try_into()?,
            auth,
        })
    }

    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> GqlResult<AuthPayload> {
        take_password_work(ctx)?;
        let state = state(ctx)?;
        let tokens = login::login(
            state,
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
        Ok(deliver(ctx, state, tokens, input.refresh_token_in)?)
    }

    /// Trades a refresh token for a new access token and a new refresh token; the one given
    /// is spent. The new one goes where the old one came from: the answer, or the cookie.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> GqlResult<AuthPayload> {
        let state = state(ctx)?;
        let (token, to) = match input.refresh_token {
            Some(token) => (token, RefreshTokenDelivery::Body),
            None => {
                let cookie = ctx.data_opt::<RefreshCookie>().and_then(|c| c.0.clone());
                let token = cookie.ok_or(DomainError::Unauthenticated(
                    "no session to refresh: sign in",
                ))?;
                (token, RefreshTokenDelivery::Cookie)
            }
        };
        let tokens = sessions::refresh(state, &token).await?;
        Ok(deliver(ctx, state, tokens, to)?)
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
            viewer(ctx).acting()?,
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
        let state = state(ctx)?;
        sessions::logout(state, viewer(ctx).signed_in()?).await?;
        if ctx
            .data_opt::<RefreshCookie>()
            .is_some_and(|c| c.0.is_some())
        {
            ctx.append_http_header(SET_COOKIE.as_str(), session_cookie::clear(secure(state)));
        }
        Ok(true)
    }

    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> GqlResult<AuthPayload> {
        take_password_work(ctx)?;
        let state = state(ctx)?;
        let tokens = onboarding::accept(
            state,
            &client_address(ctx),
            onboarding::Accept {
                tenant_slug: &input.tenant_slug,
                token: &input.token,
                display_name: &input.display_name,
                password: &input.password,
            },
        )
        .await?;
        Ok(deliver(ctx, state, tokens, input.refresh_token_in)?)
    }
}

/// The answer for new tokens, with the refresh token where `to` says.
fn deliver(
    ctx: &Context<'_>,
    state: &AppState,
    tokens: AuthTokens,
    to: RefreshTokenDelivery,
) -> Result<AuthPayload, DomainError> {
    let mut payload = AuthPayload::try_from(tokens)?;
    if to == RefreshTokenDelivery::Cookie
        && let Some(token) = payload.refresh_token.take()
    {
        let cookie = session_cookie::set(&token, secure(state));
        ctx.append_http_header(SET_COOKIE.as_str(), cookie);
    }
    Ok(payload)
}

/// Whether the console is served over HTTPS, where its cookie must say `Secure`.
fn secure(state: &AppState) -> bool {
    state.settings.public_url.starts_with("https://")
}
