//! The resolution workflows (`DEM-4`, `ENR-3`): cases, their contact attempts, timelines, what
//! is due next, and the steps people take. Resolvers parse, call `domain::cases`, and map.
use async_graphql::ID;
use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{Permission, ProvenanceStamp, permissions, stamp};
use super::connection::{CountedConnection, connection, window};
use super::enums::{
    CaseKind, CaseOrder, CaseState, ContactMethod, DemographicField, InconsistencyKind, Side,
};
use super::{caller, state};
use crate::error::GqlResult;
use domain::cases::scan::{self, Finding};
use domain::cases::steps::NewAttempt;
use domain::cases::{self, CaseQuery, CaseView};
use domain::policy::cases::{CaseAction, Due};
use domain::policy::records::InconsistencyKind as DomainInconsistency;

/// The plan parameters a case runs under. They are those of the plan version in force when
/// the case opened: publishing a later plan does not move an open case's deadlines.
#[derive(Clone, SimpleObject)]
pub struct CaseTerms {
    pub plan_version: i32,
    pub contact_attempts_min: i32,
    pub contact_window_days: i32,
    pub admin_review_days: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum DueKind {
    /// More contact attempts are needed; they are the reporting agency's to make.
    ContactAttempts,
    /// The case becomes escalable at `at`.
    Escalable,
    /// The reporting agency may escalate now.
    EscalateNow,
    /// The side named in the agreement updates the record; its update closes the case.
    AgreedUpdate,
    /// Escalated: the entering agency reviews the note.
    OwnerReview,
    /// `ENR-3`: the owning agency's administrators review the enrollment until `at`, when the
    /// case goes to the Data Center's queue.
    DataCenterHandOver,
    /// `ENR-3`: in the Data Center's queue.
    DataCenterReview,
}

/// What is due next on an open case.
#[derive(Clone, SimpleObject)]
pub struct NextDue {
    pub kind: DueKind,
    /// When, where the plan's terms set a time.
    pub at: Option<DateTime<Utc>>,
    /// For `CONTACT_ATTEMPTS`: how many more the plan asks for.
    pub attempts_still_needed: Option<i32>,
    /// For `AGREED_UPDATE`: which side updates.
    pub updater: Option<Side>,
}

impl From<Due> for NextDue {
    fn from(due: Due) -> Self {
        let blank = |kind| Self {
            kind,
            at: None,
            attempts_still_needed: None,
            updater: None,
        };
        match due {
            Due::ContactAttempts { still_needed } => Self {
                attempts_still_needed: Some(i32::try_from(still_needed).unwrap_or(i32::MAX)),
                ..blank(DueKind::ContactAttempts)
            },
            Due::Escalable { at } => Self {
                at: Some(at),
                ..blank(DueKind::Escalable)
            },
            Due::EscalateNow => blank(DueKind::EscalateNow),
            Due::AgreedUpdate { by } => Self {
                updater: Some(by.into()),
                ..blank(DueKind::AgreedUpdate)
            },
            Due::OwnerReview => blank(DueKind::OwnerReview),
            Due::DataCenterHandOver { at } => Self {
                at: Some(at),
                ..blank(DueKind::DataCenterHandOver)
            },
            Due::DataCenterReview => blank(DueKind::DataCenterReview),
        }
    }
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct ContactAttempt {
    pub id: ID,
    pub attempted_at: DateTime<Utc>,
    pub method: ContactMethod,
    /// Whether the other side was reached.
    pub reached: bool,
    pub note: String,
    pub by_user_id: Uuid,
    pub by_agency_id: Option<Uuid>,
    pub logged_at: DateTime<Utc>,
}

impl ContactAttempt {
    /// The attempt as logged; `None` for a method this version of Concord does not know.
    pub fn of(a: entities::case_attempts::Model) -> Option<Self> {
        Some(Self {
            id: a.id.into(),
            attempted_at: a.attempted_at,
            method: domain::policy::cases::ContactMethod::parse(&a.method)?.into(),
            reached: a.reached,
            note: a.note,
            by_user_id: a.by_user,
            by_agency_id: a.by_agency,
            logged_at: a.logged_at,
        })
    }
}

#[ComplexObject]
impl ContactAttempt {
    /// Who logged it, by name, from which agency, and when it was logged (PROV-1).
    async fn by(&self, ctx: &Context<'_>) -> GqlResult<ProvenanceStamp> {
        stamp(ctx, self.by_user_id, self.by_agency_id, self.logged_at).await
    }
}

/// One step of a case's timeline.
#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    /// `OPENED`, `ATTEMPT_LOGGED`, `AGREED`, `BECAME_ESCALABLE`, `ESCALATED`,
    /// `RESOLVED_BY_UPDATE`, `WITHDRAWN`.
    pub kind: String,
    /// Empty when Concord took the step by itself (a deadline falling due).
    pub by_user_id: Option<Uuid>,
    pub by_agency_id: Option<Uuid>,
}

#[ComplexObject]
impl CaseEvent {
    /// Who took the step, by name, from which agency; empty for a step Concord took by itself.
    async fn by(&self, ctx: &Context<'_>) -> GqlResult<Option<ProvenanceStamp>> {
        match self.by_user_id {
            Some(user) => Ok(Some(stamp(ctx, user, self.by_agency_id, self.at).await?)),
            None => Ok(None),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct Case {
    pub id: ID,
    pub kind: CaseKind,
    pub state: CaseState,
    pub client_id: Uuid,
    /// The client, by HMIS number only (COM-1).
    pub hmis_number: String,
    /// The data conflict the case is about (`DATA_CONFLICT`).
    pub conflict_id: Option<Uuid>,
    /// The enrollment reported as wrong (`ENROLLMENT_ERROR`); it may since have been deleted
    /// by its owning agency.
    pub enrollment_id: Option<Uuid>,
    /// What the reporting agency believes is wrong (`ENROLLMENT_ERROR`).
    pub explanation: String,
    /// The demographic field in question.
    pub field: Option<DemographicField>,
    pub reported_by_user_id: Uuid,
    /// Empty when the Data Center reported it.
    pub reported_by_agency_id: Option<Uuid>,
    /// Who entered the value or enrollment in question.
    pub owner_user_id: Uuid,
    pub owner_agency_id: Option<Uuid>,
    pub terms: CaseTerms,
    /// Once agreed: the side whose update closes the case.
    pub agreed_updater: Option<Side>,
    pub opened_at: DateTime<Utc>,
    /// `ENR-3`: when the owning agency's administrators were asked to review the enrollment.
    pub review_requested_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// Every attempt, oldest first (bounded by the case's life).
    pub attempts: Vec<ContactAttempt>,
    /// What happened, oldest first (bounded by the case's life).
    pub timeline: Vec<CaseEvent>,
    /// What is due next and when; empty once closed.
    pub next_due: Option<NextDue>,
    /// Which steps the viewer may take now: `logAttempt`, `agree`, `escalate`, `withdraw`.
    pub access: Vec<Permission>,
}

fn action_name(action: CaseAction) -> &'static str {
    match action {
        CaseAction::View => "view",
        CaseAction::LogAttempt => "logAttempt",
        CaseAction::Agree => "agree",
        CaseAction::Escalate => "escalate",
        CaseAction::Withdraw => "withdraw",
    }
}

impl From<CaseView> for Case {
    fn from(view: CaseView) -> Self {
        let access = permissions(
            view.case.plan_version,
            view.access()
                .into_iter()
                .map(|(action, decision)| (action_name(action), decision)),
        );
        let next_due = view.next_due().map(NextDue::from);
        let terms = view.terms();
        let term = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        let (kind, state, field) = (view.kind(), view.state(), view.field());
        let agreed_updater = view.facts.agreed_updater.map(Side::from);
        let attempts = view
            .attempts
            .into_iter()
            .filter_map(ContactAttempt::of)
            .collect();
        let timeline = view
            .events
            .into_iter()
            .map(|e| CaseEvent {
                at: e.at,
                kind: e.kind,
                by_user_id: e.by_user,
                by_agency_id: e.by_agency,
            })
            .collect();
        let case = view.case;
        Self {
            id: case.id.into(),
            kind: kind.into(),
            state: state.into(),
            client_id: case.client_id,
            hmis_number: view.hmis_number,
            conflict_id: case.conflict_id,
            enrollment_id: case.enrollment_id,
            explanation: case.explanation,
            field: field.map(Into::into),
            reported_by_user_id: case.reported_by_user,
            reported_by_agency_id: case.reported_by_agency,
            owner_user_id: case.owner_user,
            owner_agency_id: case.owner_agency,
            terms: CaseTerms {
                plan_version: terms.plan_version,
                contact_attempts_min: term(terms.contact_attempts_min),
                contact_window_days: term(terms.contact_window_days),
                admin_review_days: term(terms.admin_review_days),
            },
            agreed_updater,
            opened_at: case.opened_at,
            review_requested_at: case.review_requested_at,
            closed_at: case.closed_at,
            version: case.version,
            attempts,
            timeline,
            next_due,
            access,
        }
    }
}

/// `ENR-4`: an entry/exit inconsistency Concord found by itself.
#[derive(SimpleObject)]
pub struct EnrollmentInconsistency {
    pub id: ID,
    pub kind: InconsistencyKind,
    /// Always `ENR-4`.
    pub rule: String,
    pub client_id: Uuid,
    /// The client, by HMIS number only (COM-1).
    pub hmis_number: String,
    pub enrollment_id: Uuid,
    pub enrollment_agency_id: Uuid,
    pub other_enrollment_id: Option<Uuid>,
    pub other_agency_id: Option<Uuid>,
    pub found_at: DateTime<Utc>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Another agency's stay the viewer may report as wrong (`reportEnrollmentError`, ENR-3);
    /// empty when the stays are the viewer's agency's own, to correct itself.
    pub report_enrollment_id: Option<Uuid>,
}

impl From<Finding> for EnrollmentInconsistency {
    fn from(finding: Finding) -> Self {
        let message = match finding.kind {
            DomainInconsistency::ExitBeforeEntry => {
                "this stay's exit date is before its entry date"
            }
            DomainInconsistency::MoveInDuringShelterStay => {
                "the client moved into permanent housing while another agency's emergency-shelter \
                 stay was still open: one of the two entry/exit records is likely wrong"
            }
            DomainInconsistency::UnexpectedOverlap => {
                "two agencies' stays share nights, and the sharing plan does not list their \
                 project types as a normal concurrent pair"
            }
        };
        let row = finding.row;
        Self {
            id: row.id.into(),
            kind: finding.kind.into(),
            rule: "ENR-4".into(),
            client_id: row.client_id,
            hmis_number: finding.hmis_number,
            enrollment_id: row.enrollment_id,
            enrollment_agency_id: row.enrollment_agency,
            other_enrollment_id: row.other_enrollment_id,
            other_agency_id: row.other_agency,
            found_at: row.found_at,
            message: message.into(),
            report_enrollment_id: finding.reportable,
        }
    }
}

#[derive(Default)]
pub struct CasesQuery;

#[Object]
impl CasesQuery {
    /// The cases the viewer sees: all of the tenant's for the Data Center, the ones an agency
    /// reported or whose record is in question otherwise; by default the case whose next
    /// deadline comes first, first (cases with no deadline pending last). The Data Center's
    /// queue is `states: [IN_DATA_CENTER_QUEUE]`.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        kinds: Option<Vec<CaseKind>>,
        states: Option<Vec<CaseState>>,
        client_id: Option<Uuid>,
        #[graphql(desc = "Cases one of whose two sides (reporting, owning) is this agency.")]
        agency_id: Option<Uuid>,
        #[graphql(desc = "Cases with a deadline pending before this time.")] due_before: Option<
            DateTime<Utc>,
        >,
        #[graphql(default)] order: CaseOrder,
    ) -> GqlResult<CountedConnection<Case>> {
        let window = window(ctx, first, after, last, before)?;
        let query = CaseQuery {
            kinds: kinds.map(|k| k.into_iter().map(Into::into).collect()),
            states: states.map(|s| s.into_iter().map(Into::into).collect()),
            client_id,
            agency: agency_id,
            due_before,
            order: order.into(),
        };
        let page = cases::page(state(ctx)?, caller(ctx)?, query, window).await?;
        Ok(connection(page, |c| c.case.id, Case::from))
    }

    /// `ENR-4`: the open entry/exit inconsistencies the viewer's agency is concerned by (all of
    /// them for the Data Center), newest first. Kept current after every enrollment change and
    /// by a daily scan.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn enrollment_inconsistencies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<EnrollmentInconsistency>> {
        let window = window(ctx, first, after, last, before)?;
        let page = scan::page(state(ctx)?, caller(ctx)?, window).await?;
        Ok(connection(
            page,
            |f| f.row.id,
            EnrollmentInconsistency::from,
        ))
    }

    /// One case; another tenant's, or one the viewer may not see, is `NOT_FOUND`.
    async fn case(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Case> {
        Ok(cases::get(state(ctx)?, caller(ctx)?, id).await?.into())
    }
}

#[derive(InputObject)]
pub struct LogContactAttemptInput {
    pub case_id: Uuid,
    /// The case's version as read (LOCK-1).
    pub expected_version: i32,
    pub attempted_at: DateTime<Utc>,
    pub method: ContactMethod,
    pub reached: bool,
    /// Up to 500 characters.
    #[graphql(default)]
    pub note: String,
}

#[derive(InputObject)]
pub struct ReportEnrollmentErrorInput {
    pub enrollment_id: Uuid,
    /// What you believe is wrong (up to 1,000 characters).
    pub explanation: String,
}

#[derive(InputObject)]
pub struct AgreeOnCaseInput {
    pub case_id: Uuid,
    pub expected_version: i32,
    /// The side whose update of the record closes the case.
    pub updater: Side,
}

#[derive(InputObject)]
pub struct CaseStepInput {
    pub case_id: Uuid,
    pub expected_version: i32,
}

#[derive(SimpleObject)]
pub struct ReportEnrollmentErrorPayload {
    pub case: Case,
}

#[derive(SimpleObject)]
pub struct LogContactAttemptPayload {
    pub case: Case,
}

#[derive(SimpleObject)]
pub struct AgreeOnCasePayload {
    pub case: Case,
}

#[derive(SimpleObject)]
pub struct EscalateCasePayload {
    pub case: Case,
}

#[derive(SimpleObject)]
pub struct WithdrawCasePayload {
    pub case: Case,
}

#[derive(Default)]
pub struct CasesMutation;

#[Object]
impl CasesMutation {
    /// ENR-3: reports another agency's enrollment as wrong (the `ENR-1` refusal points here).
    /// The enrollment stays as it is; the report is a case like a data conflict.
    async fn report_enrollment_error(
        &self,
        ctx: &Context<'_>,
        input: ReportEnrollmentErrorInput,
    ) -> GqlResult<ReportEnrollmentErrorPayload> {
        let user = caller(ctx)?;
        let view = cases::lifecycle::report_enrollment_error(
            state(ctx)?,
            user,
            input.enrollment_id,
            &input.explanation,
        )
        .await?;
        Ok(ReportEnrollmentErrorPayload { case: view.into() })
    }

    /// DEM-4, ENR-3: logs an attempt to reach the entering or owning agency.
    async fn log_contact_attempt(
        &self,
        ctx: &Context<'_>,
        input: LogContactAttemptInput,
    ) -> GqlResult<LogContactAttemptPayload> {
        let attempt = NewAttempt {
            case_id: input.case_id,
            expected_version: input.expected_version,
            attempted_at: input.attempted_at,
            method: input.method.into(),
            reached: input.reached,
            note: input.note,
        };
        let user = caller(ctx)?;
        let view = cases::steps::log_attempt(state(ctx)?, user, attempt).await?;
        Ok(LogContactAttemptPayload { case: view.into() })
    }

    /// Records that the two sides agree, naming the side that updates the record (for an
    /// enrollment, always its owning agency).
    async fn agree_on_case(
        &self,
        ctx: &Context<'_>,
        input: AgreeOnCaseInput,
    ) -> GqlResult<AgreeOnCasePayload> {
        let user = caller(ctx)?;
        let view = cases::steps::agree(
            state(ctx)?,
            user,
            input.case_id,
            input.expected_version,
            input.updater.into(),
        )
        .await?;
        Ok(AgreeOnCasePayload { case: view.into() })
    }

    /// Escalates a case whose other side was not reached — DEM-4: the conflicting data goes into
    /// a client note and the entering agency is told; ENR-3: the owning agency's administrators
    /// are asked to review the enrollment. Refused, with what is still missing, until the
    /// plan's attempts and days are met.
    async fn escalate_case(
        &self,
        ctx: &Context<'_>,
        input: CaseStepInput,
    ) -> GqlResult<EscalateCasePayload> {
        let user = caller(ctx)?;
        let (id, version) = (input.case_id, input.expected_version);
        let view = cases::steps::escalate(state(ctx)?, user, id, version).await?;
        Ok(EscalateCasePayload { case: view.into() })
    }

    /// Withdraws a case (the reporting agency or the Data Center).
    async fn withdraw_case(
        &self,
        ctx: &Context<'_>,
        input: CaseStepInput,
    ) -> GqlResult<WithdrawCasePayload> {
        let user = caller(ctx)?;
        let (id, version) = (input.case_id, input.expected_version);
        let view = cases::steps::withdraw(state(ctx)?, user, id, version).await?;
        Ok(WithdrawCasePayload { case: view.into() })
    }
}
