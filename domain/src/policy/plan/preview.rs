//! "What would this change?": the decisions a draft plan would flip, for each role, before it
//! is published. The question asked of every element is the one a sharing plan exists to
//! answer — may a person of this role read a record another agency entered (`PLAN-1`,
//! `DEM-1`) — decided by the same rule functions the server uses, under the plan in force and
//! under the draft.
use uuid::Uuid;

use super::PlanDocument;
use crate::policy::records::{self, Element, Plan, Provenance};
use crate::policy::roles::{Actor, Role};

/// One decision that publishing the draft would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flip {
    pub element: &'static str,
    pub role: Role,
    /// Always `read` today: reading a record another agency entered.
    pub action: &'static str,
    pub allowed_before: bool,
    pub allowed_after: bool,
    /// The rule that decides it, and why, under the draft.
    pub rule: &'static str,
    pub reason: String,
}

/// The flips from `current` to `draft`, element by element in the plan's order, roles in
/// order of reach (the Data Center first).
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
        for role in [Role::DataCenter, Role::AgencyAdmin, Role::User] {
            let viewer = Actor {
                user_id: Uuid::from_u128(1),
                role,
                agency_id: (role != Role::DataCenter).then(|| Uuid::from_u128(1)),
            };
            let before = records::read(&viewer, element, &other_agency, current);
            let decided = records::read(&viewer, element, &other_agency, after);
            if before.allowed != decided.allowed {
                flips.push(Flip {
                    element: element.key(),
                    role,
                    action: "read",
                    allowed_before: before.allowed,
                    allowed_after: decided.allowed,
                    rule: decided.rule,
                    reason: decided.reason,
                });
            }
        }
    }
    flips
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
