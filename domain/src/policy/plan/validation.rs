//! Whether a plan may be published; a refusal names the offending field.
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use super::*;

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
    if !p.ssn_card_uploads_forbidden {
        return Err(PlanError::new(
            "parameters.ssn_card_uploads_forbidden",
            "copies of Social Security cards should never be uploaded (ATT-2): no plan may \
             allow them; record that the agency holds the card with an \"SSN on file\" disclosure",
        ));
    }
    let services_shared = plan
        .elements
        .get(Element::SERVICES.key())
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
    for element in Element::BUILT_IN {
        let key = element.key();
        if !elements.contains_key(key) {
            return Err(PlanError::new(
                format!("elements.{key}"),
                format!("{key} is a built-in element: the plan must say whether it is shared"),
            ));
        }
    }
    for (key, entry) in elements {
        // An element is a table and its fields as well as a plan entry: a key Concord has no
        // table for would be stored and shown, and collect nothing.
        let Some(element) = Element::by_key(key) else {
            let known: Vec<&str> = Element::ALL.iter().map(|e| e.key()).collect();
            return Err(PlanError::new(
                format!("elements.{key}"),
                format!(
                    "Concord does not collect an element called {key}; the elements it can \
                     collect are {}",
                    known.join(", ")
                ),
            ));
        };
        if entry.strategy != element.strategy() {
            return Err(PlanError::new(
                format!("elements.{key}.strategy"),
                format!(
                    "{key} is resolved by the {} strategy, which its records are kept for; a \
                     plan cannot change an element's strategy",
                    element.strategy().as_str()
                ),
            ));
        }
    }
    Ok(())
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
