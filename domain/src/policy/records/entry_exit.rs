//! Entry/exit (`ENR-*`): owned by the project's agency; overlapping stays flagged.
use uuid::Uuid;

use super::*;

/// `ENR-1`: only users of the agency that owns the project change or delete its enrollments.
pub fn change_enrollment(viewer: &Actor, project_agency: Uuid) -> Decision {
    if viewer.agency_id == Some(project_agency) {
        Decision::allow("ENR-1")
    } else {
        Decision::refuse(
            "ENR-1",
            "never delete or modify another agency's entry/exit: report the error to that \
             agency instead (reportEnrollmentError, ENR-3)",
        )
    }
}

/// `ENR-2`: whether two overlapping enrollments' project types are a normal pair.
pub fn concurrent_enrollment_is_normal(plan: Plan<'_>, a: i16, b: i16) -> bool {
    plan.document
        .parameters
        .concurrent_project_types
        .iter()
        .any(|[x, y]| (*x == a && *y == b) || (*x == b && *y == a))
}

/// One stay, as the `ENR-4` scan sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StayFacts {
    pub id: Uuid,
    /// The agency that owns the project.
    pub agency: Uuid,
    pub project_type: i16,
    pub entry: chrono::NaiveDate,
    pub exit: Option<chrono::NaiveDate>,
    pub move_in: Option<chrono::NaiveDate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InconsistencyKind {
    /// A stay that ends before it begins.
    ExitBeforeEntry,
    /// A housing move-in while another agency still has the client in emergency shelter —
    /// the seed's example: moved in 7/1/2021, shelter exit 7/8/2021.
    MoveInDuringShelterStay,
    /// Two agencies' stays share nights, and the plan does not list their project types as a
    /// normal concurrent pair.
    UnexpectedOverlap,
}

impl InconsistencyKind {
    pub const ALL: [Self; 3] = [
        Self::ExitBeforeEntry,
        Self::MoveInDuringShelterStay,
        Self::UnexpectedOverlap,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExitBeforeEntry => "EXIT_BEFORE_ENTRY",
            Self::MoveInDuringShelterStay => "MOVE_IN_DURING_SHELTER_STAY",
            Self::UnexpectedOverlap => "UNEXPECTED_OVERLAP",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// An `ENR-4` finding: the stay in question and, for a pair, the other one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Inconsistency {
    pub kind: InconsistencyKind,
    pub stay: Uuid,
    pub other: Option<Uuid>,
}

/// HUD project types of emergency shelter (entry/exit, night-by-night).
const EMERGENCY_SHELTER: [i16; 2] = [0, 1];
/// HUD project types of permanent housing, where a move-in date means the client is housed.
const PERMANENT_HOUSING: [i16; 4] = [3, 9, 10, 13];

/// Whether two stays share a night. The exit day is not a night in the project, so leaving
/// shelter and moving in elsewhere on the same day is not an overlap.
pub fn stays_overlap(
    a: (chrono::NaiveDate, Option<chrono::NaiveDate>),
    b: (chrono::NaiveDate, Option<chrono::NaiveDate>),
) -> bool {
    a.1.is_none_or(|exit| exit > b.0) && b.1.is_none_or(|exit| exit > a.0)
}

/// `ENR-4`: the entry/exit inconsistencies among one client's stays. Overlaps inside one
/// agency are that agency's own `ENR-2` flags, not listed here.
pub fn inconsistencies(plan: Plan<'_>, stays: &[StayFacts]) -> Vec<Inconsistency> {
    let mut found = Vec::new();
    for stay in stays {
        if stay.exit.is_some_and(|exit| exit < stay.entry) {
            found.push(Inconsistency {
                kind: InconsistencyKind::ExitBeforeEntry,
                stay: stay.id,
                other: None,
            });
        }
    }
    for housed in stays
        .iter()
        .filter(|s| PERMANENT_HOUSING.contains(&s.project_type))
    {
        let Some(move_in) = housed.move_in else {
            continue;
        };
        for shelter in stays
            .iter()
            .filter(|s| EMERGENCY_SHELTER.contains(&s.project_type) && s.agency != housed.agency)
        {
            if shelter.entry < move_in && shelter.exit.is_none_or(|exit| exit > move_in) {
                found.push(Inconsistency {
                    kind: InconsistencyKind::MoveInDuringShelterStay,
                    stay: shelter.id,
                    other: Some(housed.id),
                });
            }
        }
    }
    for (i, a) in stays.iter().enumerate() {
        for b in stays.iter().skip(i + 1).filter(|b| b.agency != a.agency) {
            if stays_overlap((a.entry, a.exit), (b.entry, b.exit))
                && !concurrent_enrollment_is_normal(plan, a.project_type, b.project_type)
            {
                found.push(Inconsistency {
                    kind: InconsistencyKind::UnexpectedOverlap,
                    stay: a.id,
                    other: Some(b.id),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::policy::plan;

    fn day(text: &str) -> chrono::NaiveDate {
        text.parse().unwrap()
    }

    fn stay(agency: u128, project_type: i16, entry: &str, exit: Option<&str>) -> StayFacts {
        StayFacts {
            id: Uuid::now_v7(),
            agency: Uuid::from_u128(agency),
            project_type,
            entry: day(entry),
            exit: exit.map(day),
            move_in: None,
        }
    }

    fn found(stays: &[StayFacts]) -> Vec<Inconsistency> {
        let document = plan::template(plan::DURHAM_V1).unwrap();
        let plan = Plan {
            version: 1,
            document: &document,
        };
        inconsistencies(plan, stays)
    }

    #[test]
    fn enr_4_finds_the_seeds_move_in_during_another_agencys_shelter_stay() {
        let shelter = stay(1, 0, "2021-06-01", Some("2021-07-08"));
        let mut housing = stay(2, 13, "2021-06-15", None);
        housing.move_in = Some(day("2021-07-01"));
        assert_eq!(
            found(&[shelter, housing]),
            vec![Inconsistency {
                kind: InconsistencyKind::MoveInDuringShelterStay,
                stay: shelter.id,
                other: Some(housing.id),
            }],
            "shelter and rapid re-housing may overlap (ENR-2), but not after the move-in"
        );
        // Leaving shelter on the move-in day is consistent.
        let left = stay(1, 0, "2021-06-01", Some("2021-07-01"));
        assert!(found(&[left, housing]).is_empty());
    }

    #[test]
    fn enr_4_finds_an_exit_before_entry_and_an_abnormal_overlap_between_agencies() {
        let backwards = stay(1, 0, "2021-06-10", Some("2021-06-01"));
        assert_eq!(
            found(&[backwards])[0].kind,
            InconsistencyKind::ExitBeforeEntry
        );
        let a = stay(1, 0, "2021-01-01", Some("2021-03-01"));
        let b = stay(2, 0, "2021-02-01", Some("2021-04-01"));
        let listed = found(&[a, b]);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].kind, InconsistencyKind::UnexpectedOverlap);
        // Inside one agency, an overlap is its own ENR-2 flag.
        let c = stay(1, 0, "2021-02-01", Some("2021-04-01"));
        assert!(found(&[a, c]).is_empty());
    }
}
