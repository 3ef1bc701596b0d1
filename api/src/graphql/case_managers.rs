//! Case managers: CM-2 (only the assigning agency changes its assignment) and the CM-1
//! compliance list.
use async_graphql::ID;
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, ProvenanceUser, permissions, person, provenance};
use super::connection::{CountedConnection, connection, window};
use super::{caller, state};
use crate::error::GqlResult;
use domain::records::case_managers::{self, AssignmentView, Gap, NewAssignment};

/// A user of the assigning agency named as a client's case manager for one of its projects.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CaseManagerAssignment {
    pub id: ID,
    pub client_id: Uuid,
    pub project_id: Uuid,
    /// The assigning agency: the project's (CM-2).
    pub agency_id: Uuid,
    pub case_manager_user_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// Started, and not ended before today.
    pub active: bool,
    pub version: i32,
    pub provenance: ProvenanceInfo,
    /// `endDate`, `delete`.
    pub access: Vec<Permission>,
}

#[ComplexObject]
impl CaseManagerAssignment {
    /// The case manager, by name.
    async fn case_manager(&self, ctx: &Context<'_>) -> GqlResult<ProvenanceUser> {
        person(ctx, self.case_manager_user_id).await
    }
}

impl From<AssignmentView> for CaseManagerAssignment {
    fn from(v: AssignmentView) -> Self {
        let a = v.assignment;
        Self {
            id: a.id.into(),
            client_id: a.client_id,
            project_id: a.project_id,
            agency_id: a.agency_id,
            case_manager_user_id: a.case_manager_user_id,
            start_date: a.start_date,
            end_date: a.end_date,
            active: v.active,
            version: a.version,
            provenance: provenance(
                (a.created_by_user, a.created_by_agency, a.created_at),
                (a.updated_by_user, a.updated_by_agency, a.updated_at),
            ),
            access: permissions(v.plan_version, v.access),
        }
    }
}

/// CM-1: a head of household enrolled in a project without a case manager from its agency.
#[derive(SimpleObject)]
pub struct CaseManagerGap {
    pub client_id: Uuid,
    /// How to name the client in any message (COM-1).
    pub hmis_number: String,
    pub enrollment_id: Uuid,
    pub household_id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub agency_id: Uuid,
    pub entry_date: NaiveDate,
    pub rule: String,
}

impl From<Gap> for CaseManagerGap {
    fn from(g: Gap) -> Self {
        Self {
            client_id: g.enrollment.client_id,
            hmis_number: g.hmis_number,
            enrollment_id: g.enrollment.id,
            household_id: g.enrollment.household_id,
            project_id: g.project.id,
            project_name: g.project.name,
            agency_id: g.project.agency_id,
            entry_date: g.enrollment.entry_date,
            rule: "CM-1".into(),
        }
    }
}

#[derive(InputObject)]
pub struct AssignCaseManagerInput {
    pub client_id: Uuid,
    /// A project of the viewer's agency, which becomes the assigning agency.
    pub project_id: Uuid,
    /// An active user of that agency.
    pub case_manager_user_id: Uuid,
    pub start_date: NaiveDate,
}

#[derive(Default)]
pub struct CaseManagersQuery;

#[Object]
impl CaseManagersQuery {
    /// The client's case-manager assignments the viewer may see, oldest first.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_case_managers(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<CaseManagerAssignment>> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let window = window(ctx, first, after, last, before)?;
        let page = case_managers::of_client(state, user, client_id, window).await?;
        Ok(connection(
            page,
            |v| v.assignment.id,
            CaseManagerAssignment::from,
        ))
    }

    /// CM-1: heads of household with an open enrollment and no active case manager from the
    /// project's agency. The Data Center sees the whole CoC; others their agency's projects.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn case_manager_gaps(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<CaseManagerGap>> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let window = window(ctx, first, after, last, before)?;
        let page = case_managers::gaps(state, user, window).await?;
        Ok(connection(page, |g| g.enrollment.id, CaseManagerGap::from))
    }
}

#[derive(SimpleObject)]
pub struct AssignCaseManagerPayload {
    pub assignment: CaseManagerAssignment,
}

#[derive(InputObject)]
pub struct EndCaseManagerAssignmentInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
    pub end_date: NaiveDate,
}

#[derive(SimpleObject)]
pub struct EndCaseManagerAssignmentPayload {
    pub assignment: CaseManagerAssignment,
}

#[derive(InputObject)]
pub struct RemoveCaseManagerAssignmentInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
}

#[derive(SimpleObject)]
pub struct RemoveCaseManagerAssignmentPayload {
    pub deleted_id: Uuid,
}

#[derive(Default)]
pub struct CaseManagersMutation;

#[Object]
impl CaseManagersMutation {
    /// Names a case manager for a client in one of the viewer's agency's projects (CM-2).
    async fn assign_case_manager(
        &self,
        ctx: &Context<'_>,
        input: AssignCaseManagerInput,
    ) -> GqlResult<AssignCaseManagerPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let new = NewAssignment {
            client_id: input.client_id,
            project_id: input.project_id,
            case_manager_user_id: input.case_manager_user_id,
            start_date: input.start_date,
        };
        let assignment = case_managers::assign(state, user, new).await?.into();
        Ok(AssignCaseManagerPayload { assignment })
    }

    /// Ends an assignment of the viewer's agency (CM-2, LOCK-1); it stays on record.
    async fn end_case_manager_assignment(
        &self,
        ctx: &Context<'_>,
        input: EndCaseManagerAssignmentInput,
    ) -> GqlResult<EndCaseManagerAssignmentPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let (id, version) = (input.id, input.expected_version);
        let ended = case_managers::end(state, user, id, version, input.end_date).await?;
        Ok(EndCaseManagerAssignmentPayload {
            assignment: ended.into(),
        })
    }

    /// Removes an assignment of the viewer's agency made in error (CM-2, LOCK-1); returns
    /// its id.
    async fn remove_case_manager_assignment(
        &self,
        ctx: &Context<'_>,
        input: RemoveCaseManagerAssignmentInput,
    ) -> GqlResult<RemoveCaseManagerAssignmentPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let deleted_id =
            case_managers::remove(state, user, input.id, input.expected_version).await?;
        Ok(RemoveCaseManagerAssignmentPayload { deleted_id })
    }
}
