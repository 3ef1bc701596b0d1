//! The plan's resolution workflows as state machines (SPEC §4), decided without a database.
//!
//! A **data conflict** (`DEM-3` → `DEM-4`): opened when a different value is given without
//! documentation; the reporting side logs its attempts to reach the entering side; the two
//! agree (naming which side updates, and that side's update closes the case), or — after
//! `contact_attempts_min` attempts that did not reach the entering side, over at least
//! `contact_window_days` days from the first — it becomes escalable, and escalating writes the
//! conflicting data into a client note and tells the entering agency's administrators.
//!
//! An **entry/exit error report** (`ENR-3`) runs the same way up to escalation, which here
//! leaves the enrollment as it is and asks the owning agency's administrators to review it;
//! if it is still uncorrected `admin_review_days` later, the case goes to the Data Center's
//! queue. The owning agency's correction closes it.
//!
//! Deadlines are computed from the case's *terms*: the plan parameters in force when the case
//! opened. A later plan change does not move an open case's deadlines.
use chrono::{DateTime, Duration, Utc};

use super::Decision;
use super::records::Provenance;
use super::roles::{Actor, Role};
use super::service_accounts::Scope;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseKind {
    /// `DEM-3` → `DEM-4`.
    DataConflict,
    /// `ENR-3`.
    EnrollmentError,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DataConflict => "DATA_CONFLICT",
            Self::EnrollmentError => "ENROLLMENT_ERROR",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::DataConflict, Self::EnrollmentError]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }

    /// The rule whose workflow a case of this kind follows.
    pub fn rule(self) -> &'static str {
        match self {
            Self::DataConflict => "DEM-4",
            Self::EnrollmentError => "ENR-3",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseState {
    /// Reported; nobody has tried to reach the other side yet.
    Opened,
    /// At least one contact attempt is logged.
    Contacting,
    /// The two sides agreed; the named side's update closes the case.
    Agreed,
    /// Enough unanswered attempts over enough days: the reporting side may escalate.
    Escalable,
    /// `DEM-4` escalation done: the note is written and the entering agency told.
    Escalated,
    /// `ENR-3`: the owning agency's administrators were asked to review the enrollment.
    InAdminReview,
    /// `ENR-3`: still uncorrected after the review period; the Data Center's to follow up.
    InDataCenterQueue,
    Resolved,
    Withdrawn,
}

impl CaseState {
    pub const CLOSED: [Self; 2] = [Self::Resolved, Self::Withdrawn];
    pub const ALL: [Self; 9] = [
        Self::Opened,
        Self::Contacting,
        Self::Agreed,
        Self::Escalable,
        Self::Escalated,
        Self::InAdminReview,
        Self::InDataCenterQueue,
        Self::Resolved,
        Self::Withdrawn,
    ];

    pub fn is_closed(self) -> bool {
        Self::CLOSED.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "OPENED",
            Self::Contacting => "CONTACTING",
            Self::Agreed => "AGREED",
            Self::Escalable => "ESCALABLE",
            Self::Escalated => "ESCALATED",
            Self::InAdminReview => "IN_ADMIN_REVIEW",
            Self::InDataCenterQueue => "IN_DATA_CENTER_QUEUE",
            Self::Resolved => "RESOLVED",
            Self::Withdrawn => "WITHDRAWN",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Which side updates the record once they agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The side that reported the case (it updates the record to the value it gave).
    Reporter,
    /// The side that entered the record (it keeps or corrects its own value).
    Owner,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reporter => "REPORTER",
            Self::Owner => "OWNER",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Reporter, Self::Owner]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactMethod {
    Phone,
    Email,
    InPerson,
}

impl ContactMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "PHONE",
            Self::Email => "EMAIL",
            Self::InPerson => "IN_PERSON",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Phone, Self::Email, Self::InPerson]
            .into_iter()
            .find(|m| m.as_str() == raw)
    }
}

/// The plan parameters a case runs under, fixed when it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub plan_version: i32,
    pub contact_attempts_min: u32,
    pub contact_window_days: u32,
    pub admin_review_days: u32,
}

/// One logged attempt to reach the other side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub reached: bool,
}

/// What the rules need to know about a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub kind: CaseKind,
    pub state: CaseState,
    pub reporter: Provenance,
    /// The side that entered the record in question.
    pub owner: Provenance,
    pub terms: Terms,
    pub attempts: Vec<Attempt>,
    /// Once agreed: the side whose update closes the case.
    pub agreed_updater: Option<Side>,
    /// `ENR-3`: when the owning agency's administrators were asked to review the record.
    pub review_requested_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseAction {
    View,
    LogAttempt,
    Agree,
    Escalate,
    Withdraw,
}

impl CaseAction {
    pub const ALL: [Self; 5] = [
        Self::View,
        Self::LogAttempt,
        Self::Agree,
        Self::Escalate,
        Self::Withdraw,
    ];

    /// The scope a service account needs for it (`SVC-2`): reading a case, or acting on it.
    pub fn scope(self) -> Scope {
        match self {
            Self::View => Scope::CasesRead,
            Self::LogAttempt | Self::Agree | Self::Escalate | Self::Withdraw => Scope::CasesWrite,
        }
    }
}

/// The attempts that count towards escalation: those that did not reach the other side since
/// it was last reached (once reached, the sides are to agree, and counting starts again).
fn unanswered(attempts: &[Attempt]) -> Vec<DateTime<Utc>> {
    let mut sorted: Vec<Attempt> = attempts.to_vec();
    sorted.sort_by_key(|a| a.at);
    let since = sorted.iter().rposition(|a| a.reached).map_or(0, |i| i + 1);
    sorted[since..].iter().map(|a| a.at).collect()
}

/// When the case becomes escalable under its terms, once enough unanswered attempts are
/// logged: the later of the last attempt needed and the end of the contact window that the
/// first of them opened. `None` while attempts are missing.
pub fn escalable_at(terms: &Terms, attempts: &[Attempt]) -> Option<DateTime<Utc>> {
    let counted = unanswered(attempts);
    let needed = usize::try_from(terms.contact_attempts_min).unwrap_or(usize::MAX);
    let first = *counted.first()?;
    let last_needed = *counted.get(needed.checked_sub(1)?)?;
    let window_ends = first + Duration::days(i64::from(terms.contact_window_days));
    Some(last_needed.max(window_ends))
}

fn side_of(actor: &Actor, party: &Provenance) -> bool {
    actor.role != Role::DataCenter && actor.agency_id.is_some() && actor.agency_id == party.agency
        || actor.role == Role::DataCenter && party.agency.is_none()
}

/// The one decision of `action` on a case, for the action, its `access` entry and the case's
/// timeline alike.
pub fn decide(action: CaseAction, actor: &Actor, case: &CaseFacts, now: DateTime<Utc>) -> Decision {
    let rule = case.kind.rule();
    let reporter = side_of(actor, &case.reporter);
    let owner = side_of(actor, &case.owner);
    let data_center = actor.role == Role::DataCenter;
    if !(reporter || owner || data_center) {
        return Decision::refuse(
            rule,
            "only the two agencies concerned and the Data Center see this case",
        );
    }
    if action == CaseAction::View {
        return Decision::allow(rule);
    }
    if case.state.is_closed() {
        return Decision::refuse(rule, "this case is closed");
    }
    match action {
        CaseAction::View => Decision::allow(rule),
        CaseAction::LogAttempt => match case.state {
            CaseState::Opened | CaseState::Contacting | CaseState::Escalable if reporter => {
                Decision::allow(rule)
            }
            CaseState::Opened | CaseState::Contacting | CaseState::Escalable => Decision::refuse(
                rule,
                "contact attempts are logged by the agency that reported the case",
            ),
            _ => Decision::refuse(
                rule,
                "contact attempts are logged while the sides are still trying to reach each other",
            ),
        },
        CaseAction::Agree => match case.state {
            CaseState::Opened | CaseState::Contacting | CaseState::Escalable
                if reporter || owner =>
            {
                Decision::allow(rule)
            }
            CaseState::Opened | CaseState::Contacting | CaseState::Escalable => Decision::refuse(
                rule,
                "an agreement is recorded by one of the two agencies concerned",
            ),
            _ => Decision::refuse(rule, "this case is past agreement"),
        },
        CaseAction::Escalate => may_escalate(rule, reporter, case, now),
        CaseAction::Withdraw => {
            if reporter || data_center {
                Decision::allow(rule)
            } else {
                Decision::refuse(
                    rule,
                    "a case is withdrawn by the agency that reported it, or by the Data Center",
                )
            }
        }
    }
}

fn may_escalate(
    rule: &'static str,
    reporter: bool,
    case: &CaseFacts,
    now: DateTime<Utc>,
) -> Decision {
    let (step, side) = match case.kind {
        CaseKind::DataConflict => ("escalation", "the entering agency"),
        CaseKind::EnrollmentError => (
            "a review request to the owning agency's administrators",
            "the owning agency",
        ),
    };
    if !reporter {
        return Decision::refuse(rule, "a case is escalated by the agency that reported it");
    }
    match case.state {
        CaseState::Opened | CaseState::Contacting | CaseState::Escalable => {}
        CaseState::Agreed => {
            return Decision::refuse(
                rule,
                "the two sides agreed: the side named in the agreement updates the record",
            );
        }
        _ => return Decision::refuse(rule, "this case is already escalated"),
    }
    let terms = &case.terms;
    let counted = unanswered(&case.attempts).len();
    let needed = usize::try_from(terms.contact_attempts_min).unwrap_or(usize::MAX);
    match escalable_at(terms, &case.attempts) {
        None => Decision::refuse(
            rule,
            format!(
                "{counted} unanswered contact attempt(s) logged; the plan asks for at least \
                 {needed} attempts to reach {side} over {days} days before {step}",
                days = terms.contact_window_days
            ),
        ),
        Some(at) if now < at => Decision::refuse(
            rule,
            format!(
                "{counted} attempts logged, but the plan asks that they span {days} days: \
                 {step} becomes possible on {when}",
                days = terms.contact_window_days,
                when = at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        Some(_) => Decision::allow(rule),
    }
}

/// `ENR-3`: when an enrollment under the owning agency's review goes to the Data Center.
pub fn data_center_hand_over_at(case: &CaseFacts) -> Option<DateTime<Utc>> {
    let requested = case.review_requested_at?;
    Some(requested + Duration::days(i64::from(case.terms.admin_review_days)))
}

/// `DEM-4`: once the two sides agreed, the named side's update of the record is the one the
/// agreement asked for — written, not recorded as another conflict — and it closes the case.
pub fn agreed_update(actor: &Actor, case: &CaseFacts) -> bool {
    case.state == CaseState::Agreed
        && match case.agreed_updater {
            Some(Side::Reporter) => side_of(actor, &case.reporter),
            Some(Side::Owner) => side_of(actor, &case.owner),
            None => false,
        }
}

/// What is due next on an open case, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// More contact attempts are needed (no date: they are the reporting side's to make).
    ContactAttempts { still_needed: u32 },
    /// The case becomes escalable at this time.
    Escalable { at: DateTime<Utc> },
    /// The reporting side may escalate now.
    EscalateNow,
    /// The side named in the agreement updates the record.
    AgreedUpdate { by: Side },
    /// Escalated: the entering agency reviews the note.
    OwnerReview,
    /// `ENR-3`: the owning agency's administrators review the record until `at`, when the case
    /// goes to the Data Center.
    DataCenterHandOver { at: DateTime<Utc> },
    /// `ENR-3`: in the Data Center's queue.
    DataCenterReview,
}

pub fn next_due(case: &CaseFacts, now: DateTime<Utc>) -> Option<Due> {
    match case.state {
        CaseState::Resolved | CaseState::Withdrawn => None,
        CaseState::Escalated => Some(Due::OwnerReview),
        CaseState::InAdminReview => {
            data_center_hand_over_at(case).map(|at| Due::DataCenterHandOver { at })
        }
        CaseState::InDataCenterQueue => Some(Due::DataCenterReview),
        CaseState::Agreed => case.agreed_updater.map(|by| Due::AgreedUpdate { by }),
        CaseState::Opened | CaseState::Contacting | CaseState::Escalable => {
            match escalable_at(&case.terms, &case.attempts) {
                Some(at) if at <= now => Some(Due::EscalateNow),
                Some(at) => Some(Due::Escalable { at }),
                None => {
                    let counted =
                        u32::try_from(unanswered(&case.attempts).len()).unwrap_or(u32::MAX);
                    Some(Due::ContactAttempts {
                        still_needed: case.terms.contact_attempts_min.saturating_sub(counted),
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use uuid::Uuid;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 3, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc()
    }

    const REPORTING: Uuid = Uuid::from_u128(1);
    const ENTERING: Uuid = Uuid::from_u128(2);
    const ELSEWHERE: Uuid = Uuid::from_u128(3);

    fn person(agency: Uuid, role: Role) -> Actor {
        Actor {
            user_id: Uuid::now_v7(),
            role,
            agency_id: Some(agency),
        }
    }

    fn data_center() -> Actor {
        Actor {
            user_id: Uuid::now_v7(),
            role: Role::DataCenter,
            agency_id: None,
        }
    }

    fn conflict(attempts: &[(u32, bool)]) -> CaseFacts {
        CaseFacts {
            kind: CaseKind::DataConflict,
            state: if attempts.is_empty() {
                CaseState::Opened
            } else {
                CaseState::Contacting
            },
            reporter: Provenance {
                user: Uuid::from_u128(10),
                agency: Some(REPORTING),
            },
            owner: Provenance {
                user: Uuid::from_u128(20),
                agency: Some(ENTERING),
            },
            terms: Terms {
                plan_version: 1,
                contact_attempts_min: 3,
                contact_window_days: 14,
                admin_review_days: 30,
            },
            attempts: attempts
                .iter()
                .map(|&(day, reached)| Attempt {
                    at: at(day, 9),
                    reached,
                })
                .collect(),
            agreed_updater: None,
            review_requested_at: None,
        }
    }

    #[test]
    fn dem_4_escalation_needs_the_plans_number_of_attempts() {
        let case = conflict(&[(1, false), (3, false)]);
        let refused = decide(
            CaseAction::Escalate,
            &person(REPORTING, Role::User),
            &case,
            at(28, 9),
        );
        assert!(!refused.allowed);
        assert_eq!(refused.rule, "DEM-4");
        assert!(
            refused.reason.contains("2 unanswered"),
            "{}",
            refused.reason
        );
        assert!(refused.reason.contains("at least 3"), "{}", refused.reason);
    }

    #[test]
    fn dem_4_escalation_waits_until_the_attempts_span_the_window() {
        // Three attempts within ten days: not yet.
        let case = conflict(&[(1, false), (5, false), (10, false)]);
        let reporter = person(REPORTING, Role::User);
        let early = decide(CaseAction::Escalate, &reporter, &case, at(10, 10));
        assert!(!early.allowed);
        assert_eq!(early.rule, "DEM-4");
        assert!(
            early.reason.contains("2026-03-15 09:00 UTC"),
            "{}",
            early.reason
        );
        assert_eq!(escalable_at(&case.terms, &case.attempts), Some(at(15, 9)));
        assert!(!decide(CaseAction::Escalate, &reporter, &case, at(15, 8)).allowed);
        assert!(decide(CaseAction::Escalate, &reporter, &case, at(15, 9)).allowed);
    }

    #[test]
    fn dem_4_a_reached_attempt_starts_the_count_again() {
        let case = conflict(&[(1, false), (2, false), (3, true), (4, false), (20, false)]);
        assert_eq!(escalable_at(&case.terms, &case.attempts), None);
        let reporter = person(REPORTING, Role::User);
        assert!(!decide(CaseAction::Escalate, &reporter, &case, at(30, 9)).allowed);
        let more = conflict(&[(1, false), (3, true), (4, false), (20, false), (21, false)]);
        // Counting from day 4: three attempts, and day 18 ends the window; day 21 is later.
        assert_eq!(escalable_at(&more.terms, &more.attempts), Some(at(21, 9)));
    }

    #[test]
    fn dem_4_only_the_reporting_agency_escalates() {
        let case = conflict(&[(1, false), (2, false), (3, false)]);
        let now = at(20, 9);
        assert!(
            decide(
                CaseAction::Escalate,
                &person(REPORTING, Role::AgencyAdmin),
                &case,
                now
            )
            .allowed
        );
        for actor in [person(ENTERING, Role::AgencyAdmin), data_center()] {
            assert!(!decide(CaseAction::Escalate, &actor, &case, now).allowed);
        }
    }

    #[test]
    fn dem_4_a_case_is_seen_only_by_the_two_agencies_and_the_data_center() {
        let case = conflict(&[]);
        let now = at(1, 9);
        for actor in [
            person(REPORTING, Role::User),
            person(ENTERING, Role::User),
            data_center(),
        ] {
            assert!(decide(CaseAction::View, &actor, &case, now).allowed);
        }
        let outsider = decide(
            CaseAction::View,
            &person(ELSEWHERE, Role::AgencyAdmin),
            &case,
            now,
        );
        assert!(!outsider.allowed);
        assert_eq!(outsider.rule, "DEM-4");
        for action in CaseAction::ALL {
            assert!(!decide(action, &person(ELSEWHERE, Role::User), &case, now).allowed);
        }
    }

    #[test]
    fn dem_4_attempts_are_the_reporting_sides_and_agreement_either_sides() {
        let case = conflict(&[(1, false)]);
        let now = at(2, 9);
        assert!(
            decide(
                CaseAction::LogAttempt,
                &person(REPORTING, Role::User),
                &case,
                now
            )
            .allowed
        );
        assert!(
            !decide(
                CaseAction::LogAttempt,
                &person(ENTERING, Role::User),
                &case,
                now
            )
            .allowed
        );
        assert!(decide(CaseAction::Agree, &person(ENTERING, Role::User), &case, now).allowed);
        assert!(!decide(CaseAction::Agree, &data_center(), &case, now).allowed);
    }

    #[test]
    fn dem_4_a_closed_case_takes_no_step() {
        let mut case = conflict(&[(1, false), (2, false), (3, false)]);
        case.state = CaseState::Withdrawn;
        let reporter = person(REPORTING, Role::User);
        assert!(decide(CaseAction::View, &reporter, &case, at(30, 9)).allowed);
        for action in [
            CaseAction::LogAttempt,
            CaseAction::Agree,
            CaseAction::Escalate,
            CaseAction::Withdraw,
        ] {
            let refused = decide(action, &reporter, &case, at(30, 9));
            assert!(!refused.allowed, "{action:?}");
            assert!(refused.reason.contains("closed"));
        }
    }

    #[test]
    fn dem_4_the_timeline_says_what_is_due() {
        let now = at(6, 9);
        assert_eq!(
            next_due(&conflict(&[(1, false)]), now),
            Some(Due::ContactAttempts { still_needed: 2 })
        );
        assert_eq!(
            next_due(&conflict(&[(1, false), (2, false), (5, false)]), now),
            Some(Due::Escalable { at: at(15, 9) })
        );
        assert_eq!(
            next_due(&conflict(&[(1, false), (2, false), (5, false)]), at(16, 0)),
            Some(Due::EscalateNow)
        );
    }

    #[test]
    fn enr_3_a_report_goes_to_the_data_center_after_the_review_period() {
        let mut case = conflict(&[(1, false), (2, false), (3, false)]);
        case.kind = CaseKind::EnrollmentError;
        let reporter = person(REPORTING, Role::User);
        let early = decide(CaseAction::Escalate, &reporter, &case, at(10, 9));
        assert_eq!((early.allowed, early.rule), (false, "ENR-3"));
        assert!(early.reason.contains("review request"), "{}", early.reason);
        assert!(decide(CaseAction::Escalate, &reporter, &case, at(15, 9)).allowed);
        case.state = CaseState::InAdminReview;
        case.review_requested_at = Some(at(15, 9));
        assert_eq!(
            next_due(&case, at(16, 9)),
            Some(Due::DataCenterHandOver {
                at: at(15, 9) + Duration::days(30)
            })
        );
        let again = decide(CaseAction::Escalate, &reporter, &case, at(16, 9));
        assert!(!again.allowed);
        assert!(again.reason.contains("already escalated"));
    }
}
