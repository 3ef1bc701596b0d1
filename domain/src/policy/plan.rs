//! The sharing plan as a typed document (SPEC §3): the built-in templates, validation that
//! names the offending field, and a field-by-field diff between two versions.
use std::collections::{BTreeMap, BTreeSet};
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
}

pub const DURHAM_V1: &str = "durham-v1";
pub const PRIVATE: &str = "private";
/// The template name recorded for a plan a Data Center user edited by hand.
pub const CUSTOM: &str = "custom";

pub const CONTACT_ATTEMPTS_MIN: RangeInclusive<u32> = 1..=20;
pub const CONTACT_WINDOW_DAYS: RangeInclusive<u32> = 1..=365;
pub const ADMIN_REVIEW_DAYS: RangeInclusive<u32> = 1..=365;
/// Built-in elements and those added later (HUD's other data elements) together.
pub const MAX_ELEMENTS: usize = 64;

/// A built-in template by name: `durham-v1` shares every element, `private` none.
pub fn template(name: &str) -> Option<PlanDocument> {
    let shared = match name {
        DURHAM_V1 => true,
        PRIVATE => false,
        _ => return None,
    };
    Some(PlanDocument {
        elements: Element::ALL
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

/// Why a plan was refused: `field` is the dotted path of the offending value
/// (`parameters.contact_window_days`, `elements.services.strategy`, …).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PlanError {
    pub field: String,
    pub message: String,
}

impl PlanError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<PlanError> for DomainError {
    fn from(err: PlanError) -> Self {
        DomainError::validation(err.field, err.message)
    }
}

/// Whether `plan` may be published. The first offence found is reported.
pub fn validate(plan: &PlanDocument) -> Result<(), PlanError> {
    validate_elements(&plan.elements)?;
    let p = &plan.parameters;
    in_range(
        "contact_attempts_min",
        p.contact_attempts_min,
        CONTACT_ATTEMPTS_MIN,
        "attempts",
    )?;
    in_range(
        "contact_window_days",
        p.contact_window_days,
        CONTACT_WINDOW_DAYS,
        "days",
    )?;
    in_range(
        "admin_review_days",
        p.admin_review_days,
        ADMIN_REVIEW_DAYS,
        "days",
    )?;
    validate_project_types(&p.concurrent_project_types)?;
    let services_shared = plan
        .elements
        .get(Element::Services.key())
        .is_some_and(|e| e.shared);
    if p.service_notes_shared && !services_shared {
        return Err(PlanError::new(
            "parameters.service_notes_shared",
            "case-management notes cannot be shared while services stay inside the providing \
             agency: share the services element too, or keep the notes private",
        ));
    }
    Ok(())
}

fn validate_elements(elements: &BTreeMap<String, ElementPlan>) -> Result<(), PlanError> {
    for element in Element::ALL {
        let key = element.key();
        let Some(entry) = elements.get(key) else {
            return Err(PlanError::new(
                format!("elements.{key}"),
                format!("{key} is a built-in element: the plan must say whether it is shared"),
            ));
        };
        if entry.strategy != element.strategy() {
            return Err(PlanError::new(
                format!("elements.{key}.strategy"),
                format!(
                    "{key} is resolved by the {} strategy; a plan cannot change a built-in \
                     element's strategy",
                    element.strategy().as_str()
                ),
            ));
        }
    }
    if elements.len() > MAX_ELEMENTS {
        return Err(PlanError::new(
            "elements",
            format!("a plan holds at most {MAX_ELEMENTS} elements"),
        ));
    }
    match elements.keys().find(|key| !is_element_key(key)) {
        Some(key) => Err(PlanError::new(
            format!("elements.{key}"),
            "an element key is 3 to 41 lower-case letters, digits or underscores, starting \
             with a letter",
        )),
        None => Ok(()),
    }
}

/// `^[a-z][a-z0-9_]{2,40}$`
fn is_element_key(key: &str) -> bool {
    let mut chars = key.chars();
    (3..=41).contains(&key.len())
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn in_range(
    name: &str,
    value: u32,
    range: RangeInclusive<u32>,
    unit: &str,
) -> Result<(), PlanError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(PlanError::new(
            format!("parameters.{name}"),
            format!(
                "{name} must be between {} and {} {unit}",
                range.start(),
                range.end()
            ),
        ))
    }
}

fn validate_project_types(pairs: &[[i16; 2]]) -> Result<(), PlanError> {
    let mut seen = BTreeSet::new();
    for (i, pair) in pairs.iter().enumerate() {
        let field = format!("parameters.concurrent_project_types[{i}]");
        if let Some(code) = pair
            .iter()
            .find(|c| !HUD_PROJECT_TYPES.iter().any(|(hud, _)| hud == *c))
        {
            return Err(PlanError::new(
                field,
                format!("{code} is not a HUD project type code (0–4, 6–14)"),
            ));
        }
        let [a, b] = normalised(*pair);
        if !seen.insert((a, b)) {
            return Err(PlanError::new(
                field,
                format!("project types {a} and {b} are already listed as a pair"),
            ));
        }
    }
    Ok(())
}

/// A pair in either order is the same pair.
fn normalised([a, b]: [i16; 2]) -> [i16; 2] {
    [a.min(b), a.max(b)]
}

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

/// What changed from `a` to `b`, field by field: elements (built-in ones first), then
/// parameters, then each concurrent project-type pair added or removed.
pub fn diff(a: &PlanDocument, b: &PlanDocument) -> Vec<FieldChange> {
    let mut changes = Changes::default();
    let built_in: Vec<&str> = Element::ALL.iter().map(|e| e.key()).collect();
    let added: BTreeSet<&str> = a
        .elements
        .keys()
        .chain(b.elements.keys())
        .map(String::as_str)
        .filter(|k| !built_in.contains(k))
        .collect();
    for key in built_in.iter().copied().chain(added) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn durham() -> PlanDocument {
        template(DURHAM_V1).unwrap()
    }

    fn refusal(plan: &PlanDocument) -> String {
        validate(plan).unwrap_err().field
    }

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

    #[test]
    fn both_templates_are_valid() {
        assert_eq!(validate(&durham()), Ok(()));
        assert_eq!(validate(&template(PRIVATE).unwrap()), Ok(()));
    }

    #[test]
    fn plan_validation_names_the_offending_field() {
        let mut plan = durham();
        plan.parameters.contact_window_days = 0;
        let err = validate(&plan).unwrap_err();
        assert_eq!(err.field, "parameters.contact_window_days");
        assert!(err.message.contains("between 1 and 365"), "{}", err.message);

        for (set, field) in [
            ((0, 14, 30), "parameters.contact_attempts_min"),
            ((21, 14, 30), "parameters.contact_attempts_min"),
            ((3, 366, 30), "parameters.contact_window_days"),
            ((3, 14, 0), "parameters.admin_review_days"),
            ((3, 14, 366), "parameters.admin_review_days"),
        ] {
            let mut plan = durham();
            (
                plan.parameters.contact_attempts_min,
                plan.parameters.contact_window_days,
                plan.parameters.admin_review_days,
            ) = set;
            assert_eq!(refusal(&plan), field);
        }
        let mut edges = durham();
        (
            edges.parameters.contact_attempts_min,
            edges.parameters.contact_window_days,
            edges.parameters.admin_review_days,
        ) = (20, 365, 1);
        assert_eq!(validate(&edges), Ok(()));
    }

    #[test]
    fn plan_validation_keeps_every_built_in_element_and_its_strategy() {
        let mut missing = durham();
        missing.elements.remove("services");
        assert_eq!(refusal(&missing), "elements.services");

        let mut changed = durham();
        if let Some(e) = changed.elements.get_mut("client_notes") {
            e.strategy = Strategy::NeverDeleted;
        }
        assert_eq!(refusal(&changed), "elements.client_notes.strategy");
    }

    #[test]
    fn plan_validation_allows_added_elements_with_well_formed_keys() {
        let element = ElementPlan {
            shared: true,
            strategy: Strategy::MultiAnswer,
        };
        let mut added = durham();
        added
            .elements
            .insert("income_and_benefits".into(), element.clone());
        assert_eq!(validate(&added), Ok(()));

        for key in ["Income", "in", "9lives", "income-benefits", &"x".repeat(42)] {
            let mut bad = durham();
            bad.elements.insert(key.to_owned(), element.clone());
            assert_eq!(refusal(&bad), format!("elements.{key}"));
        }
        let mut many = durham();
        for n in 0..MAX_ELEMENTS {
            many.elements.insert(format!("extra_{n}"), element.clone());
        }
        assert_eq!(refusal(&many), "elements");
    }

    #[test]
    fn plan_validation_takes_only_hud_project_type_pairs_once() {
        let mut retired = durham();
        retired.parameters.concurrent_project_types.push([5, 13]);
        let at = retired.parameters.concurrent_project_types.len() - 1;
        assert_eq!(
            refusal(&retired),
            format!("parameters.concurrent_project_types[{at}]")
        );

        let mut unknown = durham();
        unknown.parameters.concurrent_project_types = vec![[0, 13], [15, 0]];
        assert_eq!(refusal(&unknown), "parameters.concurrent_project_types[1]");

        let mut twice = durham();
        twice.parameters.concurrent_project_types = vec![[2, 2], [0, 13], [2, 2]];
        assert_eq!(refusal(&twice), "parameters.concurrent_project_types[2]");

        let mut reversed = durham();
        reversed.parameters.concurrent_project_types = vec![[0, 13], [13, 0]];
        assert_eq!(refusal(&reversed), "parameters.concurrent_project_types[1]");
    }

    #[test]
    fn plan_validation_refuses_shared_service_notes_on_private_services() {
        let mut plan = template(PRIVATE).unwrap();
        plan.parameters.service_notes_shared = true;
        let err = validate(&plan).unwrap_err();
        assert_eq!(err.field, "parameters.service_notes_shared");
        assert!(err.message.contains("services"));

        let mut shared = durham();
        shared.parameters.service_notes_shared = true;
        assert_eq!(validate(&shared), Ok(()));
    }

    #[test]
    fn plan_error_becomes_a_validation_error_naming_the_field() {
        let mut plan = durham();
        plan.parameters.admin_review_days = 400;
        let err = DomainError::from(validate(&plan).unwrap_err());
        assert_eq!(err.code(), "VALIDATION");
        assert!(
            matches!(err, DomainError::Validation { ref field, .. } if field == "parameters.admin_review_days")
        );
    }

    #[test]
    fn plan_diff_lists_each_changed_field_by_its_path() {
        let durham = durham();
        let private = template(PRIVATE).unwrap();
        assert!(diff(&durham, &durham).is_empty());

        let changes = diff(&durham, &private);
        assert_eq!(changes.len(), 7);
        assert_eq!(
            changes[0],
            FieldChange {
                field: "elements.client_demographics.shared".into(),
                before: "true".into(),
                after: "false".into(),
            }
        );
        assert!(changes.iter().all(|c| c.field.ends_with(".shared")));
        assert!(
            changes
                .iter()
                .any(|c| c.field == "elements.services.shared")
        );
        // The reverse diff swaps the sides.
        assert_eq!(diff(&private, &durham)[0].before, "false");
    }

    #[test]
    fn plan_diff_covers_parameters_pairs_and_added_elements() {
        let before = durham();
        let mut after = durham();
        after.parameters.contact_window_days = 21;
        after.parameters.service_notes_shared = true;
        after
            .parameters
            .concurrent_project_types
            .retain(|p| *p != [0, 13]);
        // The same pair in the other order is no change.
        after
            .parameters
            .concurrent_project_types
            .retain(|p| *p != [4, 3]);
        after.parameters.concurrent_project_types.push([3, 4]);
        after.parameters.concurrent_project_types.push([2, 13]);
        after.elements.insert(
            "income_and_benefits".into(),
            ElementPlan {
                shared: false,
                strategy: Strategy::MultiAnswer,
            },
        );
        let fields: Vec<(String, String, String)> = diff(&before, &after)
            .into_iter()
            .map(|c| (c.field, c.before, c.after))
            .collect();
        let change = |f: &str, b: &str, a: &str| (f.to_owned(), b.to_owned(), a.to_owned());
        assert_eq!(
            fields,
            vec![
                change("elements.income_and_benefits.shared", ABSENT, "false"),
                change(
                    "elements.income_and_benefits.strategy",
                    ABSENT,
                    "multi_answer"
                ),
                change("parameters.contact_window_days", "14", "21"),
                change("parameters.service_notes_shared", "false", "true"),
                change("parameters.concurrent_project_types[0,13]", LISTED, ABSENT),
                change("parameters.concurrent_project_types[2,13]", ABSENT, LISTED),
            ]
        );
    }
}
