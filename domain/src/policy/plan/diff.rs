//! What changed between two plan versions, field by field.
use std::collections::BTreeSet;

use super::*;

/// One value that differs between two plan versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// Dotted path: `elements.services.shared`, `parameters.contact_window_days`,
    /// `parameters.concurrent_project_types[0,13]`.
    pub field: String,
    /// `absent` where the value did not exist on that side.
    pub before: String,
    pub after: String,
}

pub const ABSENT: &str = "absent";
pub const LISTED: &str = "listed";

#[derive(Default)]
struct Changes(Vec<FieldChange>);

impl Changes {
    fn compare(&mut self, field: impl Into<String>, before: impl ToString, after: impl ToString) {
        let (before, after) = (before.to_string(), after.to_string());
        if before != after {
            self.0.push(FieldChange {
                field: field.into(),
                before,
                after,
            });
        }
    }
}

/// What changed from `a` to `b`, field by field: elements (in Concord's order), then
/// parameters, then each concurrent project-type pair added or removed.
pub fn diff(a: &PlanDocument, b: &PlanDocument) -> Vec<FieldChange> {
    let mut changes = Changes::default();
    let known: Vec<&str> = Element::ALL.iter().map(|e| e.key()).collect();
    // A stored plan only ever names known elements; any other key is still diffed, last.
    let others: BTreeSet<&str> = a
        .elements
        .keys()
        .chain(b.elements.keys())
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    for key in known.iter().copied().chain(others) {
        let (before, after) = (a.elements.get(key), b.elements.get(key));
        let shared =
            |e: Option<&ElementPlan>| e.map_or(ABSENT.to_owned(), |e| e.shared.to_string());
        let strategy = |e: Option<&ElementPlan>| e.map_or(ABSENT, |e| e.strategy.as_str());
        changes.compare(
            format!("elements.{key}.shared"),
            shared(before),
            shared(after),
        );
        changes.compare(
            format!("elements.{key}.strategy"),
            strategy(before),
            strategy(after),
        );
    }
    // Destructured without `..`: a new parameter does not compile until it is diffed too.
    let Parameters {
        contact_attempts_min,
        contact_window_days,
        admin_review_days,
        override_requires_documentation,
        correction_note_required,
        ssn_card_uploads_forbidden,
        service_notes_shared,
        concurrent_project_types,
        data_center_reads_unshared,
        correction_end_dates,
    } = &a.parameters;
    let q = &b.parameters;
    changes.compare(
        "parameters.contact_attempts_min",
        contact_attempts_min,
        q.contact_attempts_min,
    );
    changes.compare(
        "parameters.contact_window_days",
        contact_window_days,
        q.contact_window_days,
    );
    changes.compare(
        "parameters.admin_review_days",
        admin_review_days,
        q.admin_review_days,
    );
    changes.compare(
        "parameters.override_requires_documentation",
        override_requires_documentation,
        q.override_requires_documentation,
    );
    changes.compare(
        "parameters.correction_note_required",
        correction_note_required,
        q.correction_note_required,
    );
    changes.compare(
        "parameters.ssn_card_uploads_forbidden",
        ssn_card_uploads_forbidden,
        q.ssn_card_uploads_forbidden,
    );
    changes.compare(
        "parameters.service_notes_shared",
        service_notes_shared,
        q.service_notes_shared,
    );
    changes.compare(
        "parameters.data_center_reads_unshared",
        data_center_reads_unshared,
        q.data_center_reads_unshared,
    );
    changes.compare(
        "parameters.correction_end_dates",
        correction_end_dates.as_str(),
        q.correction_end_dates.as_str(),
    );
    let pairs = |list: &[[i16; 2]]| {
        list.iter()
            .copied()
            .map(normalised)
            .collect::<BTreeSet<_>>()
    };
    let (before, after) = (
        pairs(concurrent_project_types),
        pairs(&q.concurrent_project_types),
    );
    for [x, y] in before.union(&after) {
        let listed = |set: &BTreeSet<[i16; 2]>| {
            if set.contains(&[*x, *y]) {
                LISTED
            } else {
                ABSENT
            }
        };
        changes.compare(
            format!("parameters.concurrent_project_types[{x},{y}]"),
            listed(&before),
            listed(&after),
        );
    }
    changes.0
}
