//! The platform administrator: lists, approves and suspends tenants; reads no client data.
use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::connection::{CountedConnection, try_connection, window};
use super::second_factor::{SecondFactorCodeInput, TotpEnrolmentPayload};
use super::types::{PlatformSession, Tenant};
use super::{client_address, state, take_password_work, viewer};
use crate::error::GqlResult;
use domain::auth::{login, onboarding, second_factor, sessions};
use domain::clock::OffsetClock;
use domain::error::DomainError;
use domain::manual_clock;
use domain::values::TenantStatus;

/// The handle on a manual clock (`CONCORD_CLOCK=manual`), given to the schema only then.
pub struct ClockControl(pub Arc<OffsetClock>);

fn clock_is_manual(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<ClockControl>().is_some()
}

#[derive(Default)]
pub struct PlatformQuery;

#[Object]
impl PlatformQuery {
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn platform_tenants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<Tenant>> {
        viewer(ctx).platform_admin()?;
        let window = window(ctx, first, after, last, before)?;
        let page = onboarding::tenants_page(state(ctx)?, window).await?;
        Ok(try_connection(page, |t| t.id, Tenant::try_from)?)
    }
}

#[derive(InputObject)]
pub struct PlatformLoginInput {
    pub email: String,
    pub password: String,
    pub second_factor_code: Option<String>,
}

#[derive(InputObject)]
pub struct AdvanceClockInput {
    pub hours: i32,
}

#[derive(SimpleObject)]
pub struct AdvanceClockPayload {
    /// The time it is now, after the move.
    pub now: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct ApproveTenantInput {
    pub tenant_id: Uuid,
}

#[derive(SimpleObject)]
pub struct ApproveTenantPayload {
    pub tenant: Tenant,
}

#[derive(InputObject)]
pub struct SuspendTenantInput {
    pub tenant_id: Uuid,
}

#[derive(SimpleObject)]
pub struct SuspendTenantPayload {
    pub tenant: Tenant,
}

#[derive(Default)]
pub struct PlatformMutation;

#[Object]
impl PlatformMutation {
    /// Platform administrators always use a second factor: once it is enrolled, sign-in
    /// answers `SECOND_FACTOR_REQUIRED` without `secondFactorCode`; before, the session can
    /// only enrol it (`beginPlatformTotpEnrolment`).
    async fn platform_login(
        &self,
        ctx: &Context<'_>,
        input: PlatformLoginInput,
    ) -> GqlResult<PlatformSession> {
        take_password_work(ctx)?;
        let signed_in = login::platform_login(
            state(ctx)?,
            &input.email,
            &input.password,
            input.second_factor_code.as_deref(),
            &client_address(ctx),
        )
        .await?;
        Ok(PlatformSession {
            access_token: signed_in.access.token,
            expires_at: signed_in.access.expires_at,
            second_factor_enrolment_due: signed_in.second_factor_enrolment_due,
        })
    }

    /// Begins enrolling the platform administrator's authenticator app.
    async fn begin_platform_totp_enrolment(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<TotpEnrolmentPayload> {
        let admin = viewer(ctx).platform_admin_signed_in()?;
        let enrolment = second_factor::begin_platform_totp(state(ctx)?, admin).await?;
        Ok(enrolment.into())
    }

    /// Confirms the platform administrator's app with its first code; the session then
    /// reaches everything a platform administrator may do.
    async fn confirm_platform_totp_enrolment(
        &self,
        ctx: &Context<'_>,
        input: SecondFactorCodeInput,
    ) -> GqlResult<bool> {
        let admin = viewer(ctx).platform_admin_signed_in()?;
        second_factor::confirm_platform_totp(state(ctx)?, admin, &input.code, &client_address(ctx))
            .await?;
        Ok(true)
    }

    /// Moves the server's and the workers' time forward by `hours` and answers the time it
    /// is now. Only with `CONCORD_CLOCK=manual` (end-to-end and manual testing of deadlines;
    /// refused in production): otherwise introspection does not show it and a call finds
    /// nothing (`NOT_FOUND`).
    #[graphql(visible = "clock_is_manual")]
    async fn advance_clock(
        &self,
        ctx: &Context<'_>,
        input: AdvanceClockInput,
    ) -> GqlResult<AdvanceClockPayload> {
        viewer(ctx).platform_admin()?;
        let ClockControl(clock) = ctx
            .data_opt::<ClockControl>()
            .ok_or(DomainError::NotFound("manual clock"))?;
        let hours = input.hours;
        let now = manual_clock::advance(state(ctx)?, clock, hours).await?;
        tracing::info!(hours, %now, "clock advanced");
        Ok(AdvanceClockPayload { now })
    }

    /// Ends the platform administrator's session: its access token stops working at once.
    async fn platform_logout(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let session_id = viewer(ctx).platform_session()?;
        sessions::logout_platform(state(ctx)?, session_id).await?;
        Ok(true)
    }

    async fn approve_tenant(
        &self,
        ctx: &Context<'_>,
        input: ApproveTenantInput,
    ) -> GqlResult<ApproveTenantPayload> {
        let tenant = set_status(ctx, input.tenant_id, TenantStatus::Active).await?;
        Ok(ApproveTenantPayload { tenant })
    }

    /// A suspended tenant's users are signed out at their next request and cannot sign in.
    async fn suspend_tenant(
        &self,
        ctx: &Context<'_>,
        input: SuspendTenantInput,
    ) -> GqlResult<SuspendTenantPayload> {
        let tenant = set_status(ctx, input.tenant_id, TenantStatus::Suspended).await?;
        Ok(SuspendTenantPayload { tenant })
    }
}

async fn set_status(ctx: &Context<'_>, tenant_id: Uuid, status: TenantStatus) -> GqlResult<Tenant> {
    let admin_id = viewer(ctx).platform_admin()?;
    let tenant = onboarding::set_tenant_status(state(ctx)?, admin_id, tenant_id, status).await?;
    Ok(tenant.try_into()?)
}
