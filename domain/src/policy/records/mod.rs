//! The Durham v1 rules over the shared records (SPEC §4), one module per resolution strategy;
//! what every strategy shares (elements, provenance, the read rule) is here. Every function
//! is pure: who asks, the record's provenance, the plan version in force.
//! Rule ids (`DEM-2`, `ATT-3`, …) are the plan's own; `PLAN-1` is the sharing rule itself:
//! an element the plan does not share is visible only inside the entering agency.
mod attachments;
mod author_only;
mod entry_exit;
mod multi_answer;
mod never_deleted;
mod owner_only;
mod single_answer;

pub use attachments::*;
pub use author_only::*;
pub use entry_exit::*;
pub use multi_answer::*;
pub use never_deleted::*;
pub use owner_only::*;
pub use single_answer::*;

use uuid::Uuid;

use super::plan::{PlanDocument, Strategy};
use super::roles::{Actor, Role};
use super::{Condition, Decision};

/// The seven built-in elements (plan keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    ClientDemographics,
    ProfileAssessment,
    EntryExit,
    FileAttachments,
    CaseManager,
    Services,
    ClientNotes,
}

impl Element {
    pub const ALL: [Element; 7] = [
        Self::ClientDemographics,
        Self::ProfileAssessment,
        Self::EntryExit,
        Self::FileAttachments,
        Self::CaseManager,
        Self::Services,
        Self::ClientNotes,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::ClientDemographics => "client_demographics",
            Self::ProfileAssessment => "profile_assessment",
            Self::EntryExit => "entry_exit",
            Self::FileAttachments => "file_attachments",
            Self::CaseManager => "case_manager",
            Self::Services => "services",
            Self::ClientNotes => "client_notes",
        }
    }

    /// What one record of the element is called when it is not found.
    pub fn record_noun(self) -> &'static str {
        match self {
            Self::ClientDemographics => "client",
            Self::ProfileAssessment => "profile row",
            Self::EntryExit => "enrollment",
            Self::FileAttachments => "attachment",
            Self::CaseManager => "case-manager assignment",
            Self::Services => "service",
            Self::ClientNotes => "note",
        }
    }

    pub fn strategy(self) -> Strategy {
        match self {
            Self::ClientDemographics => Strategy::SingleAnswer,
            Self::ProfileAssessment => Strategy::MultiAnswer,
            Self::EntryExit => Strategy::EntryExit,
            Self::FileAttachments => Strategy::Attachments,
            Self::CaseManager => Strategy::OwnerOnly,
            Self::Services => Strategy::NeverDeleted,
            Self::ClientNotes => Strategy::AuthorOnlyDeletion,
        }
    }
}

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

/// `PLAN-1` (and `DEM-1` for demographics): reading a record of `element`. The Data Center,
/// the CoC's HMIS lead, reads every record of its CoC whatever the plan shares between
/// agencies (except what ATT-3 and SRV-2 keep inside one agency).
pub fn read(viewer: &Actor, element: Element, entered: &Provenance, plan: Plan<'_>) -> Decision {
    let rule = if element == Element::ClientDemographics {
        "DEM-1"
    } else {
        "PLAN-1"
    };
    if viewer.role == Role::DataCenter || same_party(viewer, entered) || plan.shares(element) {
        Decision::allow(rule)
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
