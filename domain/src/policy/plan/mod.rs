//! The sharing plan as a typed document (SPEC §3): the document itself here, the built-in
//! templates (`templates`), validation that names the offending field (`validation`), and a
//! field-by-field diff between two versions (`diff`).
mod diff;
pub mod preview;
mod templates;
mod validation;

pub use diff::{ABSENT, FieldChange, LISTED, diff};
pub use templates::template;
pub use validation::{PlanError, validate};

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::records::Element;
use crate::error::DomainError;
use crate::values::HUD_PROJECT_TYPES;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    pub elements: BTreeMap<String, ElementPlan>,
    pub parameters: Parameters,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementPlan {
    /// Shared with the whole community, or visible only inside the entering agency.
    pub shared: bool,
    /// How conflicts on this element are resolved (SPEC §3: rules are organised by strategy).
    pub strategy: Strategy,
}

/// How conflicts on an element are resolved; the rules of each strategy apply to every
/// element that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// One answer per field, changed only with documentation (`DEM-*`).
    SingleAnswer,
    /// Several answers over time, effective-dated (`PRO-*`).
    MultiAnswer,
    /// Entry/exit records owned by the project's agency (`ENR-*`).
    EntryExit,
    /// Files, deleted or replaced only by their uploader (`ATT-*`).
    Attachments,
    /// Changed only by the owning agency (`CM-*`).
    OwnerOnly,
    /// Never deleted, edited only by the providing agency (`SRV-*`).
    NeverDeleted,
    /// Deleted or edited only by the author (`NOTE-*`).
    AuthorOnlyDeletion,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleAnswer => "single_answer",
            Self::MultiAnswer => "multi_answer",
            Self::EntryExit => "entry_exit",
            Self::Attachments => "attachments",
            Self::OwnerOnly => "owner_only",
            Self::NeverDeleted => "never_deleted",
            Self::AuthorOnlyDeletion => "author_only_deletion",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    pub contact_attempts_min: u32,
    pub contact_window_days: u32,
    pub admin_review_days: u32,
    pub override_requires_documentation: bool,
    pub correction_note_required: bool,
    pub ssn_card_uploads_forbidden: bool,
    pub service_notes_shared: bool,
    /// ENR-2: pairs of HUD project types a client may normally be enrolled in at once.
    /// Other overlaps are flagged for review, never refused.
    pub concurrent_project_types: Vec<[i16; 2]>,
    /// `PLAN-1`: the Data Center reads records of elements the plan keeps inside one agency.
    /// The seed is silent (it sends users to the Data Center "for additional assistance"),
    /// so `durham-v1` keeps what the HMIS lead needs to give that assistance. Plans stored
    /// before the parameter existed had that behaviour, hence the default.
    #[serde(default = "reads_unshared")]
    pub data_center_reads_unshared: bool,
    /// `PRO-2`: whose old rows a correction end-dates.
    #[serde(default)]
    pub correction_end_dates: CorrectionEndDates,
}

fn reads_unshared() -> bool {
    true
}

/// `PRO-2` "end-dates the old one where the plan allows the correcting user to".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionEndDates {
    /// Only the corrector's own agency's row; another agency's is left for it to end-date
    /// (`PRO-4`). Durham v1.
    #[default]
    OwnRows,
    /// Any agency's row, when the correction is made at the client's direction.
    AnyAtClientDirection,
}

impl CorrectionEndDates {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OwnRows => "own_rows",
            Self::AnyAtClientDirection => "any_at_client_direction",
        }
    }
}

pub const DURHAM_V1: &str = "durham-v1";
pub const PRIVATE: &str = "private";
/// The template name recorded for a plan a Data Center user edited by hand.
pub const CUSTOM: &str = "custom";

pub const CONTACT_ATTEMPTS_MIN: RangeInclusive<u32> = 1..=20;
pub const CONTACT_WINDOW_DAYS: RangeInclusive<u32> = 1..=365;
pub const ADMIN_REVIEW_DAYS: RangeInclusive<u32> = 1..=365;

/// A pair in either order is the same pair.
fn normalised([a, b]: [i16; 2]) -> [i16; 2] {
    [a.min(b), a.max(b)]
}

#[cfg(test)]
mod tests;
