//! The built-in plans: `durham-v1` (the seed) and `private`.
use super::*;

/// A built-in template by name: `durham-v1` shares every element of the seed, `private` none.
/// Neither collects HUD's further elements: a Data Center adds those it collects to its plan.
pub fn template(name: &str) -> Option<PlanDocument> {
    let shared = match name {
        DURHAM_V1 => true,
        PRIVATE => false,
        _ => return None,
    };
    Some(PlanDocument {
        elements: Element::BUILT_IN
            .iter()
            .map(|element| {
                (
                    element.key().to_owned(),
                    ElementPlan {
                        shared,
                        strategy: element.strategy(),
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
            data_center_reads_unshared: true,
            correction_end_dates: CorrectionEndDates::OwnRows,
            // Shelter or outreach while a housing or prevention project works with the client,
            // and coordinated entry beside anything.
            concurrent_project_types: vec![
                [0, 13],
                [1, 13],
                [0, 3],
                [1, 3],
                [0, 9],
                [0, 10],
                [1, 9],
                [1, 10],
                [4, 13],
                [4, 3],
                [4, 0],
                [4, 1],
                [11, 0],
                [11, 1],
                [11, 13],
                [6, 0],
                [6, 13],
                [14, 0],
                [14, 1],
                [14, 2],
                [14, 3],
                [14, 4],
                [14, 6],
                [14, 8],
                [14, 9],
                [14, 10],
                [14, 11],
                [14, 12],
                [14, 13],
            ],
        },
    })
}
