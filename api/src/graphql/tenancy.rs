//! The tenant, its agencies and projects.
use async_graphql::connection::Connection;
use async_graphql::{Context, InputObject, Object};
use uuid::Uuid;

use super::connection::{Cursor, connection, window};
use super::types::{Agency, Project, Tenant};
use super::{state, viewer};
use crate::auth::onboarding::guard;
use crate::domain::{DisplayName, parse_project_type};
use crate::error::{ApiError, GqlResult};
use crate::policy::roles;
use crate::store;

#[derive(Default)]
pub struct TenancyQuery;

#[Object]
impl TenancyQuery {
    /// The signed-in user's tenant (CoC).
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<Tenant> {
        let user = viewer(ctx).tenant_user()?;
        let tx = store::tenant_tx(&state(ctx)?.db, user.tenant_id).await?;
        let tenant = store::tenants::by_id(&tx, user.tenant_id).await?;
        tx.commit().await?;
        Ok(tenant
            .map(Tenant::from)
            .ok_or(ApiError::NotFound("tenant"))?)
    }

    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first)")]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<Cursor, Agency>> {
        let user = viewer(ctx).tenant_user()?;
        let (limit, after) = window(first, after)?;
        let tx = store::tenant_tx(&state(ctx)?.db, user.tenant_id).await?;
        let page = store::agencies::page(&tx, user.tenant_id, after, limit).await?;
        tx.commit().await?;
        Ok(connection(page, after, |a| a.id, Agency::from))
    }

    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        agency_id: Option<Uuid>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<Cursor, Project>> {
        let user = viewer(ctx).tenant_user()?;
        let (limit, after) = window(first, after)?;
        let tx = store::tenant_tx(&state(ctx)?.db, user.tenant_id).await?;
        let page = store::projects::page(&tx, user.tenant_id, agency_id, after, limit).await?;
        tx.commit().await?;
        Ok(connection(page, after, |p| p.id, Project::from))
    }
}

#[derive(InputObject)]
pub struct CreateProjectInput {
    pub agency_id: Uuid,
    pub name: String,
    /// A HUD project type code: 0–4, 6–14.
    pub project_type: i32,
}

#[derive(Default)]
pub struct TenancyMutation;

#[Object]
impl TenancyMutation {
    async fn create_agency(&self, ctx: &Context<'_>, name: String) -> GqlResult<Agency> {
        let (state, user) = (state(ctx)?, viewer(ctx).tenant_user()?);
        guard(
            state,
            user,
            "agency.create",
            roles::create_agency(&user.actor()),
        )
        .await?;
        let name = DisplayName::parse("name", &name)?;
        let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
        let agency = store::agencies::insert(&tx, user.tenant_id, &name).await?;
        tx.commit().await?;
        Ok(agency.into())
    }

    async fn create_project(
        &self,
        ctx: &Context<'_>,
        input: CreateProjectInput,
    ) -> GqlResult<Project> {
        let (state, user) = (state(ctx)?, viewer(ctx).tenant_user()?);
        guard(
            state,
            user,
            "project.create",
            roles::create_project(&user.actor(), input.agency_id),
        )
        .await?;
        let name = DisplayName::parse("name", &input.name)?;
        let project_type = parse_project_type(input.project_type)?;
        let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
        store::agencies::get(&tx, user.tenant_id, input.agency_id)
            .await?
            .ok_or(ApiError::NotFound("agency"))?;
        let project =
            store::projects::insert(&tx, user.tenant_id, input.agency_id, &name, project_type)
                .await?;
        tx.commit().await?;
        Ok(project.into())
    }
}
