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
fn plan_validation_takes_hud_elements_under_their_strategy_and_nothing_unknown() {
    for element in Element::ALL.into_iter().filter(|e| !e.is_built_in()) {
        let mut added = durham();
        added.elements.insert(
            element.key().to_owned(),
            ElementPlan {
                shared: false,
                strategy: Strategy::MultiAnswer,
            },
        );
        assert_eq!(validate(&added), Ok(()), "{}", element.key());

        let mut other_strategy = added.clone();
        if let Some(e) = other_strategy.elements.get_mut(element.key()) {
            e.strategy = Strategy::EntryExit;
        }
        assert_eq!(
            refusal(&other_strategy),
            format!("elements.{}.strategy", element.key())
        );
    }
    // A key with no table behind it would be stored and collect nothing.
    for key in ["income_and_benefit", "Income", "in", "household_size"] {
        let mut unknown = durham();
        unknown.elements.insert(
            key.to_owned(),
            ElementPlan {
                shared: true,
                strategy: Strategy::MultiAnswer,
            },
        );
        let err = validate(&unknown).unwrap_err();
        assert_eq!(err.field, format!("elements.{key}"));
        assert!(
            err.message.contains("income_and_benefits"),
            "{}",
            err.message
        );
    }
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

#[test]
fn att_2_no_plan_may_allow_ssn_card_uploads() {
    let mut plan = durham();
    plan.parameters.ssn_card_uploads_forbidden = false;
    let err = validate(&plan).unwrap_err();
    assert_eq!(err.field, "parameters.ssn_card_uploads_forbidden");
    assert!(err.message.contains("ATT-2"), "{}", err.message);
}
