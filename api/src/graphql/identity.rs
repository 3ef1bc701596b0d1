//! Signing up, in and out; the current user.
use async_graphql::{Context, InputObject, Object};

use super::types::{AuthPayload, SignUpPayload, User};
use super::{caller, client_address, state, take_password_work, viewer};
use crate::error::GqlResult;
use domain::auth::{login, onboarding, sessions};
use domain::tenancy;

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let user = caller(ctx)?;
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
}

#[derive(InputObject)]
pub struct AcceptInvitationInput {
    pub tenant_slug: String,
    pub token: String,
    pub display_name: String,
    pub password: String,
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
        refresh_token: String,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::refresh(state(ctx)?, &refresh_token)
            .await?
            .try_into()?)
    }

    /// Ends the current session: its access and refresh tokens stop working at once.
    async fn logout(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        sessions::logout(state(ctx)?, viewer(ctx).tenant_user()?).await?;
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
