//! The sharing plan as a typed document (SPEC §3). This issue seeds every new tenant with
//! `durham-v1`; editing, validation and the rules that read it arrive with the records.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    SingleAnswer,
    MultiAnswer,
    EntryExit,
    Attachments,
    OwnerOnly,
    NeverDeleted,
    AuthorOnlyDeletion,
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
}

pub const DURHAM_V1: &str = "durham-v1";
pub const PRIVATE: &str = "private";

/// The seven elements of SPEC §2 with the strategy each resolves conflicts by.
const ELEMENTS: [(&str, Strategy); 7] = [
    ("client_demographics", Strategy::SingleAnswer),
    ("profile_assessment", Strategy::MultiAnswer),
    ("entry_exit", Strategy::EntryExit),
    ("file_attachments", Strategy::Attachments),
    ("case_manager", Strategy::OwnerOnly),
    ("services", Strategy::NeverDeleted),
    ("client_notes", Strategy::AuthorOnlyDeletion),
];

/// A built-in template by name: `durham-v1` shares every element, `private` none.
pub fn template(name: &str) -> Option<PlanDocument> {
    let shared = match name {
        DURHAM_V1 => true,
        PRIVATE => false,
        _ => return None,
    };
    Some(PlanDocument {
        elements: ELEMENTS
            .iter()
            .map(|(key, strategy)| {
                (
                    (*key).to_owned(),
                    ElementPlan {
                        shared,
                        strategy: *strategy,
                    },
                )
            })
            .collect(),
        parameters: Parameters {
            contact_attempts_min: 3,
            contact_window_days: 14,
            admin_review_days: 30,
            override_requires_documentation: true,
            correction_note_required: true,
            ssn_card_uploads_forbidden: true,
            service_notes_shared: false,
            // Shelter or outreach while a housing or prevention project works with the client,
            // and coordinated entry beside anything.
            concurrent_project_types: vec![
                [0, 13], [1, 13], [0, 3], [1, 3], [0, 9], [0, 10], [1, 9], [1, 10],
                [4, 13], [4, 3], [4, 0], [4, 1], [11, 0], [11, 1], [11, 13], [6, 0], [6, 13],
                [14, 0], [14, 1], [14, 2], [14, 3], [14, 4], [14, 6], [14, 8], [14, 9],
                [14, 10], [14, 11], [14, 12], [14, 13],
            ],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durham_v1_shares_all_seven_elements_with_its_deadlines() {
        let plan = template(DURHAM_V1);
        assert!(
            plan.as_ref()
                .is_some_and(|p| p.elements.len() == 7 && p.elements.values().all(|e| e.shared))
        );
        assert!(plan.is_some_and(|p| p.parameters.contact_attempts_min == 3
            && p.parameters.contact_window_days == 14
            && p.parameters.admin_review_days == 30));
        assert!(template(PRIVATE).is_some_and(|p| p.elements.values().all(|e| !e.shared)));
        assert!(template("nope").is_none());
    }
}
