//! "What would this change?": the decisions a draft plan would flip, for each role, before it
//! is published. The first question asked of every element is the one a sharing plan exists
//! to answer — may a person of this role read a record another agency entered (`PLAN-1`,
//! `DEM-1`); then every action on such a record (change, edit, delete, correct…), since a
//! plan's parameters decide some of them (`DEM-2`'s documentation, `SRV-2`'s notes). Each is
//! decided by the same rule functions the server uses, under the plan in force and under the
//! draft.
use uuid::Uuid;

use super::PlanDocument;
use crate::policy::actions::{self, RecordAction, RecordFacts};
use crate::policy::records::{self, Element, Plan, Provenance};
use crate::policy::roles::{Actor, Role};

/// One decision that publishing the draft would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flip {
    pub element: &'static str,
    pub role: Role,
    /// `read` (reading a record another agency entered), or the action on such a record, as
    /// `explain` names it (`changeDemographicWithDocumentation`, `editNote`, …).
    pub action: &'static str,
    /// What the role would, or would no longer, do, in words: "read another agency's client
    /// notes".
    pub what: String,
    pub allowed_before: bool,
    pub allowed_after: bool,
    /// The rule that decides it, and why, under the draft.
    pub rule: &'static str,
    pub reason: String,
}

/// The flips from `current` to `draft`, element by element in the plan's order — its read
/// first, then the actions on it — and roles in order of reach (the Data Center first).
pub fn flips(current: Plan<'_>, draft: &PlanDocument) -> Vec<Flip> {
    let after = Plan {
        version: current.version + 1,
        document: draft,
    };
    let other_agency = Provenance {
        user: Uuid::from_u128(2),
        agency: Some(Uuid::from_u128(2)),
    };
    let mut flips = Vec::new();
    for element in Element::ALL {
        if !current.includes(element) && !after.includes(element) {
            continue;
        }
        let whose = format!("another agency's {}", element.key().replace('_', " "));
        let record = another_agencys_record(element, other_agency);
        for role in [Role::DataCenter, Role::AgencyAdmin, Role::User] {
            let viewer = Actor {
                user_id: Uuid::from_u128(1),
                role,
                agency_id: (role != Role::DataCenter).then(|| Uuid::from_u128(1)),
            };
            let read = (
                records::read(&viewer, element, &other_agency, current),
                records::read(&viewer, element, &other_agency, after),
            );
            let actions = RecordAction::ALL
                .into_iter()
                .filter(|a| !matches!(a, RecordAction::ViewClient | RecordAction::ReadAttachment))
                .filter_map(|action| {
                    let before = actions::decide(action, &viewer, &record, current)?;
                    let decided = actions::decide(action, &viewer, &record, after)?;
                    Some((action.name(), action.words(), (before, decided)))
                });
            let asked = std::iter::once(("read", "read", read)).chain(actions);
            for (action, words, (before, decided)) in asked {
                if before.allowed != decided.allowed {
                    flips.push(Flip {
                        element: element.key(),
                        role,
                        action,
                        what: format!("{words} {whose}"),
                        allowed_before: before.allowed,
                        allowed_after: decided.allowed,
                        rule: decided.rule,
                        reason: decided.reason,
                    });
                }
            }
        }
    }
    flips
}

/// A record of `element` that another agency entered, as the rules see it.
fn another_agencys_record(element: Element, other: Provenance) -> RecordFacts {
    let agency = other.agency.unwrap_or_default();
    if element == Element::CLIENT_DEMOGRAPHICS {
        RecordFacts::Client {
            creator: other,
            entered: other,
        }
    } else if element == Element::ENTRY_EXIT {
        RecordFacts::Enrollment {
            owner: other,
            project_agency: agency,
        }
    } else if element == Element::CASE_MANAGER {
        RecordFacts::CaseManager {
            owner: other,
            assigning_agency: agency,
        }
    } else if element == Element::SERVICES {
        RecordFacts::Service {
            provider: other,
            provider_agency: agency,
        }
    } else if element == Element::CLIENT_NOTES {
        RecordFacts::Note { author: other }
    } else if element == Element::FILE_ATTACHMENTS {
        RecordFacts::Attachment {
            uploaded: other,
            medical: false,
        }
    } else {
        // The profile and HUD's further elements: answers over time.
        RecordFacts::ProfileRow {
            element,
            entered: other,
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::policy::plan::{DURHAM_V1, template};

    fn durham() -> PlanDocument {
        template(DURHAM_V1).expect("the Durham template")
    }

    #[test]
    fn plan_1_unsharing_notes_hides_them_from_other_agencies_but_not_the_data_center() {
        let current = durham();
        let mut draft = current.clone();
        let notes = draft
            .elements
            .get_mut("client_notes")
            .expect("notes are in the plan");
        assert!(notes.shared, "Durham v1 shares notes");
        notes.shared = false;
        let found = flips(
            Plan {
                version: 1,
                document: &current,
            },
            &draft,
        );
        let roles: Vec<Role> = found.iter().map(|f| f.role).collect();
        assert_eq!(roles, [Role::AgencyAdmin, Role::User], "{found:?}");
        assert!(found.iter().all(|f| f.element == "client_notes"
            && f.rule == "PLAN-1"
            && f.allowed_before
            && !f.allowed_after));
        assert!(found[0].reason.contains("version 2"), "{}", found[0].reason);
    }

    #[test]
    fn dem_2_dropping_the_documentation_requirement_flips_undocumented_changes_only() {
        let current = durham();
        assert!(
            current.parameters.override_requires_documentation,
            "Durham v1 asks for it"
        );
        let mut draft = current.clone();
        draft.parameters.override_requires_documentation = false;
        let found = flips(
            Plan {
                version: 1,
                document: &current,
            },
            &draft,
        );
        assert!(
            !found.is_empty(),
            "agency people may now change without documentation"
        );
        assert!(
            found.iter().all(|f| f.element == "client_demographics"
                && f.action == "changeDemographicWithoutDocumentation"
                && !f.allowed_before
                && f.allowed_after
                && f.what == "change, without documentation, another agency's client demographics"),
            "{found:?}"
        );
        assert!(
            !found.iter().any(|f| f.action == "read"),
            "who reads what is unchanged: {found:?}"
        );
    }

    #[test]
    fn plan_1_unsharing_demographics_flips_their_reading_and_changing_for_agency_people() {
        let current = durham();
        let mut draft = current.clone();
        draft
            .elements
            .get_mut("client_demographics")
            .expect("demographics are in the plan")
            .shared = false;
        let found = flips(
            Plan {
                version: 1,
                document: &current,
            },
            &draft,
        );
        let admin: Vec<&str> = found
            .iter()
            .filter(|f| f.role == Role::AgencyAdmin)
            .map(|f| f.action)
            .collect();
        assert_eq!(
            admin,
            ["read", "changeDemographicWithDocumentation"],
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .all(|f| f.role != Role::DataCenter && !f.allowed_after)
        );
    }

    #[test]
    fn plan_1_an_unchanged_plan_flips_nothing() {
        let current = durham();
        let plan = Plan {
            version: 1,
            document: &current,
        };
        assert!(flips(plan, &current).is_empty());
    }

    #[test]
    fn plan_1_the_data_center_loses_unshared_records_when_its_parameter_is_turned_off() {
        let mut current = durham();
        current
            .elements
            .get_mut("client_notes")
            .expect("notes are in the plan")
            .shared = false;
        current.parameters.data_center_reads_unshared = true;
        let mut draft = current.clone();
        draft.parameters.data_center_reads_unshared = false;
        let found = flips(
            Plan {
                version: 3,
                document: &current,
            },
            &draft,
        );
        assert!(
            found.iter().any(|f| f.element == "client_notes"
                && f.role == Role::DataCenter
                && !f.allowed_after),
            "{found:?}"
        );
        assert!(
            found.iter().all(|f| f.role == Role::DataCenter),
            "{found:?}"
        );
    }
}
