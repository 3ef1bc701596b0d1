//! The tenant, its agencies and projects.
use async_graphql::{Context, InputObject, Object, SimpleObject};
use uuid::Uuid;

use super::connection::{CountedConnection, ListOrder, connection, window};
use super::enums::{AgencyOrderField, ProjectOrderField};
use super::types::{Agency, Project, Tenant};
use super::{caller, state};
use crate::error::GqlResult;
use domain::error::DomainResult;
use domain::page::{ContainsText, Listing, Sort};
use domain::tenancy;
use domain::values::HUD_PROJECT_TYPES;

#[derive(Default)]
pub struct TenancyQuery;

#[Object]
impl TenancyQuery {
    /// The signed-in user's tenant (CoC).
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<Tenant> {
        let user = caller(ctx)?;
        Ok(tenancy::tenant_of(state(ctx)?, user).await?.try_into()?)
    }

    /// The HUD project types a project may have (HMIS Data Standards 2.02.6), by code: a
    /// fixed list of 14, for choosing one by name.
    async fn hud_project_types(&self) -> Vec<HudProjectType> {
        HUD_PROJECT_TYPES
            .iter()
            .map(|(code, name)| HudProjectType {
                code: i32::from(*code),
                name: (*name).to_owned(),
            })
            .collect()
    }

    /// The tenant's agencies: oldest first unless `orderBy` says otherwise.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    #[allow(clippy::too_many_arguments)]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<RegistryFilter>,
        order_by: Option<ListOrder<AgencyOrderField>>,
    ) -> GqlResult<CountedConnection<Agency>> {
        let user = caller(ctx)?;
        let window = window(ctx, first, after, last, before)?;
        let (name_contains, active) = RegistryFilter::parse(filter)?;
        let listing = Listing {
            filter: tenancy::AgencyFilter {
                name_contains,
                active,
            },
            sort: ListOrder::sort(order_by, Sort::default()),
        };
        let page = tenancy::agencies(state(ctx)?, user, listing, window).await?;
        Ok(connection(page, |a| a.id, Agency::from))
    }

    /// The tenant's projects, or one agency's: oldest first unless `orderBy` says otherwise.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    #[allow(clippy::too_many_arguments)]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        agency_id: Option<Uuid>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<RegistryFilter>,
        order_by: Option<ListOrder<ProjectOrderField>>,
    ) -> GqlResult<CountedConnection<Project>> {
        let user = caller(ctx)?;
        let window = window(ctx, first, after, last, before)?;
        let (name_contains, active) = RegistryFilter::parse(filter)?;
        let listing = Listing {
            filter: tenancy::ProjectFilter {
                agency_id,
                name_contains,
                active,
            },
            sort: ListOrder::sort(order_by, Sort::default()),
        };
        let page = tenancy::projects(state(ctx)?, user, listing, window).await?;
        Ok(connection(page, |p| p.id, Project::from))
    }
}

/// Which agencies or projects a list holds; every filter given must hold.
#[derive(InputObject, Default)]
pub struct RegistryFilter {
    /// Part of the name, in any case.
    pub name_contains: Option<String>,
    /// Only active ones (`true`) or only deactivated ones (`false`).
    pub active: Option<bool>,
}

impl RegistryFilter {
    /// The name's part, checked once, and the status asked for; nothing when no filter.
    fn parse(given: Option<Self>) -> DomainResult<(Option<ContainsText>, Option<bool>)> {
        let given = given.unwrap_or_default();
        let name_contains = ContainsText::parse("nameContains", given.name_contains.as_deref())?;
        Ok((name_contains, given.active))
    }
}

/// A HUD project type: its code (what `Project.projectType` holds) and its name.
#[derive(SimpleObject)]
pub struct HudProjectType {
    pub code: i32,
    pub name: String,
}

#[derive(InputObject)]
pub struct CreateAgencyInput {
    pub name: String,
}

#[derive(InputObject)]
pub struct CreateProjectInput {
    pub agency_id: Uuid,
    pub name: String,
    /// A HUD project type code: 0–4, 6–14.
    pub project_type: i32,
}

#[derive(InputObject)]
pub struct RenameInput {
    /// The agency's or project's id.
    pub id: Uuid,
    pub name: String,
}

#[derive(InputObject)]
pub struct DeactivateInput {
    /// The agency's or project's id.
    pub id: Uuid,
}

/// The agency as it is after the change.
#[derive(SimpleObject)]
pub struct AgencyPayload {
    pub agency: Agency,
}

/// The project as it is after the change (or as created).
#[derive(SimpleObject)]
pub struct ProjectPayload {
    pub project: Project,
}

#[derive(Default)]
pub struct TenancyMutation;

#[Object]
impl TenancyMutation {
    async fn create_agency(
        &self,
        ctx: &Context<'_>,
        input: CreateAgencyInput,
    ) -> GqlResult<AgencyPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let agency = tenancy::create_agency(state, user, &input.name).await?;
        Ok(AgencyPayload {
            agency: agency.into(),
        })
    }

    async fn create_project(
        &self,
        ctx: &Context<'_>,
        input: CreateProjectInput,
    ) -> GqlResult<ProjectPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let project = tenancy::NewProject {
            agency_id: input.agency_id,
            name: &input.name,
            project_type: input.project_type,
        };
        let project = tenancy::create_project(state, user, project).await?;
        Ok(ProjectPayload {
            project: project.into(),
        })
    }

    /// ROLE-1: the Data Center renames an agency.
    async fn rename_agency(
        &self,
        ctx: &Context<'_>,
        input: RenameInput,
    ) -> GqlResult<AgencyPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let agency = tenancy::rename_agency(state, user, input.id, &input.name).await?;
        Ok(AgencyPayload {
            agency: agency.into(),
        })
    }

    /// ROLE-1: the Data Center deactivates an agency; its people are deactivated and signed
    /// out, its pending invitations revoked. What it entered stays.
    async fn deactivate_agency(
        &self,
        ctx: &Context<'_>,
        input: DeactivateInput,
    ) -> GqlResult<AgencyPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let agency = tenancy::deactivate_agency(state, user, input.id).await?;
        Ok(AgencyPayload {
            agency: agency.into(),
        })
    }

    /// ROLE-1, ROLE-2: the Data Center or the project's agency administrator renames it.
    async fn rename_project(
        &self,
        ctx: &Context<'_>,
        input: RenameInput,
    ) -> GqlResult<ProjectPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let project = tenancy::rename_project(state, user, input.id, &input.name).await?;
        Ok(ProjectPayload {
            project: project.into(),
        })
    }

    /// ROLE-1, ROLE-2: a deactivated project takes no new enrollments; those it has stay.
    async fn deactivate_project(
        &self,
        ctx: &Context<'_>,
        input: DeactivateInput,
    ) -> GqlResult<ProjectPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let project = tenancy::deactivate_project(state, user, input.id).await?;
        Ok(ProjectPayload {
            project: project.into(),
        })
    }
}
