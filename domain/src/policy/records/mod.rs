//! The Durham v1 rules over the shared records (SPEC §4), one module per resolution strategy;
//! what every strategy shares (elements, provenance, the read rule) is here. Every function
//! is pure: who asks, the record's provenance, the plan version in force.
//! Rule ids (`DEM-2`, `ATT-3`, …) are the plan's own; `PLAN-1` is the sharing rule itself:
//! an element the plan does not share is visible only inside the entering agency.
mod attachments;
mod author_only;
mod elements;
mod entry_exit;
mod multi_answer;
mod never_deleted;
mod owner_only;
mod single_answer;

pub use attachments::*;
pub use author_only::*;
pub use elements::*;
pub use entry_exit::*;
pub use multi_answer::*;
pub use never_deleted::*;
pub use owner_only::*;
pub use single_answer::*;

use uuid::Uuid;

use super::plan::{PlanDocument, Strategy};
use super::roles::{Actor, Role};
use super::{Condition, Decision};

/// The plan version a decision is made under.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    pub version: i32,
    pub document: &'a PlanDocument,
}

impl Plan<'_> {
    pub fn shares(&self, element: Element) -> bool {
        self.document
            .elements
            .get(element.key())
            .is_some_and(|e| e.shared)
    }

    /// The plan names the element: always for a built-in one; for another, only while the
    /// tenant collects it.
    pub fn includes(&self, element: Element) -> bool {
        self.document.elements.contains_key(element.key())
    }
}

/// Who entered a record (PROV-1). `agency` is `None` for the Data Center, which belongs to
/// no agency and counts as one party of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub user: Uuid,
    pub agency: Option<Uuid>,
}

/// The viewer and the record's entering party are the same agency (or both the Data Center).
pub fn same_party(viewer: &Actor, entered: &Provenance) -> bool {
    match viewer.role {
        Role::DataCenter => entered.agency.is_none(),
        Role::AgencyAdmin | Role::User => {
            viewer.agency_id.is_some() && viewer.agency_id == entered.agency
        }
    }
}

/// The viewer reads every agency's records of `element`: it is shared, or the viewer is the
/// Data Center (the CoC's HMIS lead) and the plan lets it read what is not shared.
pub fn reads_every_agencys(viewer: &Actor, element: Element, plan: Plan<'_>) -> bool {
    plan.shares(element)
        || (viewer.role == Role::DataCenter && plan.document.parameters.data_center_reads_unshared)
}

/// `PLAN-1` (`DEM-1` for a single-answer element): reading a record of `element`. The Data
/// Center reads every record of its CoC where the plan says so (except what ATT-3 and SRV-2
/// keep inside one agency), and the decision names that parameter.
pub fn read(viewer: &Actor, element: Element, entered: &Provenance, plan: Plan<'_>) -> Decision {
    let rule = if element.strategy() == Strategy::SingleAnswer {
        "DEM-1"
    } else {
        "PLAN-1"
    };
    if plan.shares(element) || same_party(viewer, entered) {
        Decision::allow(rule)
    } else if reads_every_agencys(viewer, element, plan) {
        Decision {
            reason: format!(
                "the sharing plan (version {}) keeps {} inside the agency that entered them, \
                 and lets the Data Center read them (data_center_reads_unshared)",
                plan.version,
                element.key().replace('_', " ")
            ),
            ..Decision::allow(rule)
        }
    } else {
        Decision::unseen(
            rule,
            element.record_noun(),
            format!(
                "the sharing plan (version {}) keeps {} inside the agency that entered them",
                plan.version,
                element.key().replace('_', " ")
            ),
        )
    }
}

/// `PLAN-1`: new answers to an element are taken only while the plan names it; a Data Center
/// turns a HUD element on or off per tenant by adding it to, or removing it from, the plan.
pub fn collect(element: Element, plan: Plan<'_>) -> Decision {
    if plan.includes(element) {
        Decision::allow("PLAN-1")
    } else {
        Decision::refuse(
            "PLAN-1",
            format!(
                "the sharing plan (version {}) does not collect {}: a Data Center user adds \
                 it to the plan first",
                plan.version,
                element.key().replace('_', " ")
            ),
        )
    }
}

/// `LOCK-1`: a write names the version it read.
pub fn check_version(expected: i32, current: i32) -> Decision {
    if expected == current {
        Decision::allow("LOCK-1")
    } else {
        Decision::refuse(
            "LOCK-1",
            format!(
                "someone changed this record since you read it (version {expected}, now {current})"
            ),
        )
    }
}
