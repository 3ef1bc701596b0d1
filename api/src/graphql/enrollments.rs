//! Enrollments (entry/exit): ENR-1 ownership, ENR-2 flags, PLAN-1 visibility, LOCK-1.
use async_graphql::ID;
use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::NaiveDate;
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, permissions, provenance};
use super::connection::{CountedConnection, connection, window};
use super::{caller, state};
use crate::error::GqlResult;
use domain::records::enrollments::{self, EnrollmentChange, EnrollmentView, Flag, NewEnrollment};

/// A client's stay in a project (HUD 3.10–3.20), owned by the project's agency.
#[derive(SimpleObject, Clone)]
pub struct Enrollment {
    pub id: ID,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    /// HUD project type code.
    pub project_type: i32,
    /// The agency that owns the project, and so this entry/exit (ENR-1).
    pub agency_id: Uuid,
    pub household_id: Uuid,
    /// HUD 3.15: 1 head of household, 2 child, 3 spouse/partner, 4 other relative,
    /// 5 other non-relative, 99 not collected.
    pub relationship_to_hoh: i32,
    pub entry_date: NaiveDate,
    pub exit_date: Option<NaiveDate>,
    /// HUD 3.20, permanent housing projects only.
    pub move_in_date: Option<NaiveDate>,
    /// HUD 3.12 destination code.
    pub destination: Option<i32>,
    /// HUD 3.08.
    pub disabling_condition: i32,
    /// ENR-2: overlaps with other enrollments the plan does not call normal. Flagged for
    /// review, never refused.
    pub flags: Vec<EnrollmentFlag>,
    pub version: i32,
    pub provenance: ProvenanceInfo,
    /// `edit`, `delete`.
    pub access: Vec<Permission>,
}

#[derive(SimpleObject, Clone)]
pub struct EnrollmentFlag {
    pub rule: String,
    pub message: String,
    pub other_enrollment_id: Uuid,
}

impl From<Flag> for EnrollmentFlag {
    fn from(f: Flag) -> Self {
        Self {
            rule: f.rule.to_owned(),
            message: f.message,
            other_enrollment_id: f.other_enrollment_id,
        }
    }
}

impl From<EnrollmentView> for Enrollment {
    fn from(v: EnrollmentView) -> Self {
        let e = v.enrollment;
        Self {
            id: e.id.into(),
            client_id: e.client_id,
            project_id: e.project_id,
            project_name: v.project.name,
            project_type: v.project.project_type.into(),
            agency_id: v.project.agency_id,
            household_id: e.household_id,
            relationship_to_hoh: e.relationship_to_hoh.into(),
            entry_date: e.entry_date,
            exit_date: e.exit_date,
            move_in_date: e.move_in_date,
            destination: e.destination.map(i32::from),
            disabling_condition: e.disabling_condition.into(),
            flags: v.flags.into_iter().map(EnrollmentFlag::from).collect(),
            version: e.version,
            provenance: provenance(
                (e.created_by_user, e.created_by_agency, e.created_at),
                (e.updated_by_user, e.updated_by_agency, e.updated_at),
            ),
            access: permissions(v.plan_version, v.access),
        }
    }
}

#[derive(InputObject)]
pub struct EnrollClientInput {
    pub client_id: Uuid,
    /// A project of the viewer's agency (ENR-1).
    pub project_id: Uuid,
    /// An existing household of this project; empty to start a new one.
    pub household_id: Option<Uuid>,
    pub relationship_to_hoh: i32,
    pub entry_date: NaiveDate,
    pub move_in_date: Option<NaiveDate>,
    /// HUD 3.08; 99 (not collected) when empty.
    pub disabling_condition: Option<i32>,
}

/// Omitted fields stay as they are; `null` clears `exitDate`, `moveInDate`, `destination`.
#[derive(InputObject)]
pub struct UpdateEnrollmentInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
    pub entry_date: Option<NaiveDate>,
    pub exit_date: MaybeUndefined<NaiveDate>,
    pub move_in_date: MaybeUndefined<NaiveDate>,
    pub destination: MaybeUndefined<i32>,
    pub relationship_to_hoh: Option<i32>,
}

#[derive(Default)]
pub struct EnrollmentsQuery;

#[Object]
impl EnrollmentsQuery {
    /// The client's enrollments the viewer may see, oldest first.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_enrollments(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<Enrollment>> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let window = window(ctx, first, after, last, before)?;
        let page = enrollments::of_client(state, user, client_id, window).await?;
        Ok(connection(page, |v| v.enrollment.id, Enrollment::from))
    }

    /// A project's enrollments open at some time from `activeFrom` to `activeUntil` (either
    /// may be left out), oldest first; for a viewer who reads that project's enrollments
    /// (PLAN-1).
    // Relay's four paging arguments beside the list's own filters.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn project_enrollments(
        &self,
        ctx: &Context<'_>,
        project_id: Uuid,
        active_from: Option<NaiveDate>,
        active_until: Option<NaiveDate>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<Enrollment>> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let window = window(ctx, first, after, last, before)?;
        let range = (active_from, active_until);
        let page = enrollments::of_project(state, user, project_id, range, window).await?;
        Ok(connection(page, |v| v.enrollment.id, Enrollment::from))
    }
}

#[derive(InputObject)]
pub struct DeleteEnrollmentInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
}

#[derive(SimpleObject)]
pub struct EnrollClientPayload {
    pub enrollment: Enrollment,
}

#[derive(SimpleObject)]
pub struct UpdateEnrollmentPayload {
    pub enrollment: Enrollment,
}

#[derive(SimpleObject)]
pub struct DeleteEnrollmentPayload {
    pub deleted_id: Uuid,
}

#[derive(Default)]
pub struct EnrollmentsMutation;

#[Object]
impl EnrollmentsMutation {
    /// Enrolls a client in one of the viewer's agency's projects (ENR-1). An unusual
    /// concurrent enrollment is written and flagged (ENR-2).
    async fn enroll_client(
        &self,
        ctx: &Context<'_>,
        input: EnrollClientInput,
    ) -> GqlResult<EnrollClientPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let new = NewEnrollment {
            client_id: input.client_id,
            project_id: input.project_id,
            household_id: input.household_id,
            relationship_to_hoh: input.relationship_to_hoh,
            entry_date: input.entry_date,
            move_in_date: input.move_in_date,
            disabling_condition: input.disabling_condition,
        };
        let enrollment = enrollments::enroll(state, user, new).await?.into();
        Ok(EnrollClientPayload { enrollment })
    }

    /// Changes an enrollment of the viewer's agency (ENR-1, LOCK-1).
    async fn update_enrollment(
        &self,
        ctx: &Context<'_>,
        input: UpdateEnrollmentInput,
    ) -> GqlResult<UpdateEnrollmentPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let change = EnrollmentChange {
            id: input.id,
            expected_version: input.expected_version,
            entry_date: input.entry_date,
            exit_date: input.exit_date.into(),
            move_in_date: input.move_in_date.into(),
            destination: input.destination.into(),
            relationship_to_hoh: input.relationship_to_hoh,
        };
        let enrollment = enrollments::update(state, user, change).await?.into();
        Ok(UpdateEnrollmentPayload { enrollment })
    }

    /// Deletes an enrollment of the viewer's agency (ENR-1, LOCK-1); returns its id.
    async fn delete_enrollment(
        &self,
        ctx: &Context<'_>,
        input: DeleteEnrollmentInput,
    ) -> GqlResult<DeleteEnrollmentPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let deleted_id = enrollments::delete(state, user, input.id, input.expected_version).await?;
        Ok(DeleteEnrollmentPayload { deleted_id })
    }
}
