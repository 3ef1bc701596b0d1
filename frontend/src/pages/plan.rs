//! The sharing plan (`/plan`, the Data Center's): every element shared or not with its
//! strategy, the plan's parameters with their rule ids, publishing a new version with a
//! summary of what changes, and the version history with what changed between two versions.

use leptos::prelude::*;

use crate::api::{Api, GraphqlError};
use crate::components::role_label;
use crate::components::{
    ErrorAlert, Submission, enum_name, enum_value, error_view, loading, reading,
};
use crate::queries::{
    PublishSharingPlan, SharingPlan, SharingPlanDiff, SharingPlanPreview, publish_sharing_plan,
    sharing_plan, sharing_plan_diff, sharing_plan_preview,
};

/// A number the plan bounds (`DEM-4`, `ENR-3`), as typed.
#[derive(Clone, Copy)]
struct Bounded {
    name: &'static str,
    label: &'static str,
    min: i64,
    max: i64,
    was: i64,
    typed: RwSignal<String>,
}

impl Bounded {
    fn new(name: &'static str, label: &'static str, range: (i64, i64), was: i64) -> Self {
        Self {
            name,
            label,
            min: range.0,
            max: range.1,
            was,
            typed: RwSignal::new(was.to_string()),
        }
    }

    /// The value, or what is wrong with what was typed.
    fn value(&self) -> Result<i64, String> {
        match self.typed.get().trim().parse::<i64>() {
            Ok(n) if (self.min..=self.max).contains(&n) => Ok(n),
            _ => Err(format!("A whole number from {} to {}.", self.min, self.max)),
        }
    }
}

/// A yes/no parameter, with its rule.
#[derive(Clone, Copy)]
struct Switch {
    name: &'static str,
    label: &'static str,
    was: bool,
    on: RwSignal<bool>,
}

impl Switch {
    fn new(name: &'static str, label: &'static str, was: bool) -> Self {
        Self {
            name,
            label,
            was,
            on: RwSignal::new(was),
        }
    }
}

/// An element of the plan: shared with the community, or kept inside the entering agency.
#[derive(Clone)]
struct Element {
    key: String,
    strategy: String,
    was: bool,
    shared: RwSignal<bool>,
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let (plan, reread) = reading::<SharingPlan>(|| Some(sharing_plan::Variables));
    let compare = RwSignal::new(None::<(i64, i64)>);
    view! {
        <section aria-labelledby="plan-title">
            <h2 id="plan-title">"Sharing plan"</h2>
            {move || match plan.get() {
                None => loading("plan-loading").into_any(),
                Some(Err(e)) => error_view("plan-error", e).into_any(),
                Some(Ok(data)) => plan_view(data, compare, reread).into_any(),
            }}
            {move || compare.get().map(|(from, to)| view! { <Diff from to /> })}
        </section>
    }
}

fn plan_view(
    data: sharing_plan::ResponseData,
    compare: RwSignal<Option<(i64, i64)>>,
    reread: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let current = data.sharing_plan;
    let version = current.version;
    let document = current.document;
    let p = document.parameters;
    let elements: Vec<Element> = document
        .elements
        .into_iter()
        .map(|e| Element {
            key: e.key,
            strategy: enum_name(&e.strategy),
            was: e.shared,
            shared: RwSignal::new(e.shared),
        })
        .collect();
    let numbers = [
        Bounded::new(
            "contactAttemptsMin",
            "DEM-4, ENR-3: contact attempts before escalation",
            (1, 20),
            p.contact_attempts_min,
        ),
        Bounded::new(
            "contactWindowDays",
            "DEM-4, ENR-3: days the attempts must span",
            (1, 365),
            p.contact_window_days,
        ),
        Bounded::new(
            "adminReviewDays",
            "ENR-3: days an agency administrator has to review",
            (1, 365),
            p.admin_review_days,
        ),
    ];
    let switches = [
        Switch::new(
            "overrideRequiresDocumentation",
            "DEM-2: changing another agency's value needs documentation",
            p.override_requires_documentation,
        ),
        Switch::new(
            "correctionNoteRequired",
            "PRO-3: a profile correction needs a client note",
            p.correction_note_required,
        ),
        Switch::new(
            "ssnCardUploadsForbidden",
            "ATT-2: uploads of Social Security cards are refused",
            p.ssn_card_uploads_forbidden,
        ),
        Switch::new(
            "serviceNotesShared",
            "SRV-2: case-management notes are shared",
            p.service_notes_shared,
        ),
        Switch::new(
            "dataCenterReadsUnshared",
            "PLAN-1: the Data Center reads what the plan does not share",
            p.data_center_reads_unshared,
        ),
    ];
    let end_dates = enum_name(&p.correction_end_dates);
    let pairs: Vec<(i64, i64)> = p
        .concurrent_project_types
        .iter()
        .map(|pair| (pair.first, pair.second))
        .collect();

    // What publishing would change, field by field, as the diff names fields.
    let changes = {
        let elements = elements.clone();
        Memo::new(move |_| {
            let mut changed: Vec<(String, String, String)> = elements
                .iter()
                .filter(|e| e.shared.get() != e.was)
                .map(|e| {
                    (
                        format!("elements.{}.shared", e.key),
                        e.was.to_string(),
                        e.shared.get().to_string(),
                    )
                })
                .collect();
            for n in numbers {
                if let Ok(value) = n.value()
                    && value != n.was
                {
                    changed.push((parameter(n.name), n.was.to_string(), value.to_string()));
                }
            }
            for s in switches {
                if s.on.get() != s.was {
                    changed.push((parameter(s.name), s.was.to_string(), s.on.get().to_string()));
                }
            }
            changed
        })
    };
    let invalid = Memo::new(move |_| numbers.iter().any(|n| n.value().is_err()));
    // Which decisions the draft would flip, asked of the server (the same rules it decides by)
    // each time the draft changes.
    let (flips, _) = {
        let elements = elements.clone();
        let pairs = pairs.clone();
        let end_dates = end_dates.clone();
        reading::<SharingPlanPreview>(move || {
            if changes.with(Vec::is_empty) || invalid.get() {
                return None;
            }
            let input = preview_input(&elements, &numbers, &switches, &end_dates, &pairs).ok()?;
            Some(sharing_plan_preview::Variables { input })
        })
    };
    let form = Submission::new();
    let publish = {
        let elements = elements.clone();
        let pairs = pairs.clone();
        let end_dates = end_dates.clone();
        move |_| {
            if !form.begin() {
                return;
            }
            let plan = match publish_input(&elements, &numbers, &switches, &end_dates, &pairs) {
                Ok(plan) => plan,
                Err(message) => {
                    form.finish::<()>(Err(GraphqlError::input(message)));
                    return;
                }
            };
            let variables = publish_sharing_plan::Variables { plan };
            form.send::<PublishSharingPlan>(api, variables, move |data| {
                let published = data.publish_sharing_plan.version.version;
                compare.set(Some((published - 1, published)));
                reread.run(());
            });
        }
    };

    let mut versions = data.sharing_plan_versions.nodes;
    versions.reverse();
    view! {
        <p id="plan-version">{format!("Version {version} is in force, published {}.", day(&current.published_at))}</p>
        <h3 id="elements-title">"Elements"</h3>
        <table id="plan-elements" aria-labelledby="elements-title">
            <thead><tr><th scope="col">"Element"</th><th scope="col">"Strategy"</th><th scope="col">"Shared with the community"</th></tr></thead>
            <tbody>
                {elements.iter().map(|e| {
                    let id = format!("shared-{}", e.key);
                    view! {
                        <tr>
                            <th scope="row"><label for=id.clone()>{e.key.clone()}</label></th>
                            <td>{e.strategy.clone()}</td>
                            <td><input type="checkbox" id=id bind:checked=e.shared /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h3>"Parameters"</h3>
        {numbers.into_iter().map(|n| {
            let id = format!("param-{}", n.name);
            let error_id = format!("{id}-error");
            view! {
                <div class="field">
                    <label for=id.clone()>{n.label}</label>
                    <input id=id type="text" inputmode="numeric" bind:value=n.typed
                        aria-describedby=error_id.clone() aria-invalid=move || n.value().is_err().to_string() />
                    <small id=error_id class="field-error">{move || n.value().err()}</small>
                </div>
            }
        }).collect_view()}
        {switches.into_iter().map(|s| {
            let id = format!("param-{}", s.name);
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() bind:checked=s.on />
                    <label for=id>{s.label}</label>
                </div>
            }
        }).collect_view()}
        <h3 id="changes-title">"What publishing changes"</h3>
        {move || {
            let changed = changes.get();
            if changed.is_empty() {
                view! { <p id="plan-changes-none" class="empty">"Nothing yet: change an element or a parameter above."</p> }.into_any()
            } else {
                view! {
                    <ul id="plan-changes">
                        {changed.into_iter().map(|(field, before, after)| view! {
                            <li><code>{field}</code>": "{before}" → "{after}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
        <h4 id="flips-title">"Who could do what"</h4>
        {move || match flips.get() {
            None => view! { <p class="empty" id="plan-flips-none">"No change to preview yet."</p> }.into_any(),
            Some(Err(e)) => error_view("plan-flips-error", e).into_any(),
            Some(Ok(data)) if data.sharing_plan_preview.is_empty() => view! {
                <p class="empty" id="plan-flips-none">"No one could read or do more or less with another agency's records."</p>
            }.into_any(),
            Some(Ok(data)) => view! {
                <ul id="plan-flips" aria-labelledby="flips-title">
                    {data.sharing_plan_preview.into_iter().map(|f| {
                        let turn = if f.allowed_after { "would now" } else { "would no longer" };
                        view! {
                            <li>
                                {format!("{}: {turn} {}", role_label(&enum_name(&f.role)), f.what)}
                                " " <code class="error-rule">{f.rule}</code>
                                <br /><small class="hint">{f.reason}</small>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <ErrorAlert id="plan-publish-error" error=form.error />
        <button id="plan-publish" type="button" on:click=publish
            disabled=move || form.pending.get() || invalid.get() || changes.with(Vec::is_empty)>
            {format!("Publish version {}", version + 1)}
        </button>

        <h3 id="history-title">"Versions"</h3>
        <table id="plan-versions" aria-labelledby="history-title">
            <thead><tr><th scope="col">"Version"</th><th scope="col">"Published"</th><th scope="col">"From"</th><th scope="col">"Changes"</th></tr></thead>
            <tbody>
                {versions.into_iter().map(|v| {
                    let number = v.version;
                    view! {
                        <tr>
                            <td>{number}</td>
                            <td>{day(&v.published_at)}</td>
                            <td>{v.template.as_ref().map(enum_name).unwrap_or_else(|| "edited".to_owned())}</td>
                            <td>{(number > 1).then(|| view! {
                                <button type="button" class="secondary" id=format!("compare-{number}")
                                    on:click=move |_| compare.set(Some((number - 1, number)))>
                                    {format!("Compare with {}", number - 1)}
                                </button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The plan as operation `$op` takes it (each operation has its own generated input types),
/// from what the form holds: `publish_input` to publish it, `preview_input` to preview it.
macro_rules! plan_input {
    ($name:ident, $op:ident) => {
        fn $name(
            elements: &[Element],
            numbers: &[Bounded; 3],
            switches: &[Switch; 5],
            end_dates: &str,
            pairs: &[(i64, i64)],
        ) -> Result<$op::SharingPlanInput, String> {
            let number = |i: usize| {
                numbers[i]
                    .value()
                    .map_err(|e| format!("{}: {e}", numbers[i].label))
            };
            let on = |i: usize| switches[i].on.get_untracked();
            let elements = elements
                .iter()
                .map(|e| {
                    Ok($op::SharingPlanElementInput {
                        key: e.key.clone(),
                        shared: e.shared.get_untracked(),
                        strategy: enum_value(&e.strategy).ok_or("an unknown strategy")?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok($op::SharingPlanInput {
                elements,
                parameters: $op::SharingPlanParametersInput {
                    contact_attempts_min: number(0)?,
                    contact_window_days: number(1)?,
                    admin_review_days: number(2)?,
                    override_requires_documentation: on(0),
                    correction_note_required: on(1),
                    ssn_card_uploads_forbidden: on(2),
                    service_notes_shared: on(3),
                    data_center_reads_unshared: on(4),
                    correction_end_dates: enum_value(end_dates)
                        .ok_or("an unknown correction rule")?,
                    concurrent_project_types: pairs
                        .iter()
                        .map(|&(first, second)| $op::PlanProjectTypePairInput { first, second })
                        .collect(),
                },
            })
        }
    };
}

plan_input!(publish_input, publish_sharing_plan);
plan_input!(preview_input, sharing_plan_preview);

/// What changed between two versions, as the server compares them: before and after.
#[component]
fn Diff(from: i64, to: i64) -> impl IntoView {
    let (diff, _) =
        reading::<SharingPlanDiff>(move || Some(sharing_plan_diff::Variables { from, to }));
    view! {
        <h3 id="diff-title">{format!("Version {from} → version {to}")}</h3>
        {move || match diff.get() {
            None => loading("plan-diff-loading").into_any(),
            Some(Err(e)) => error_view("plan-diff-error", e).into_any(),
            Some(Ok(data)) => view! {
                <table id="plan-diff" aria-labelledby="diff-title">
                    <thead><tr>
                        <th scope="col">"Field"</th>
                        <th scope="col">{format!("Version {from}")}</th>
                        <th scope="col">{format!("Version {to}")}</th>
                    </tr></thead>
                    <tbody>
                        {data.sharing_plan_diff.into_iter().map(|change| view! {
                            <tr><td><code>{change.field}</code></td><td>{change.before}</td><td>{change.after}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}

/// A parameter as the server's diff names it: `contactWindowDays` is
/// `parameters.contact_window_days`.
fn parameter(name: &str) -> String {
    let snake: String = name
        .chars()
        .flat_map(|c| {
            let lower = c.to_ascii_lowercase();
            if c.is_ascii_uppercase() {
                vec!['_', lower]
            } else {
                vec![c]
            }
        })
        .collect();
    format!("parameters.{snake}")
}

/// The day of a timestamp (`2026-12-06`).
fn day(at: &str) -> String {
    at.chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::parameter;

    #[test]
    fn a_parameter_is_named_as_the_diff_names_it() {
        assert_eq!(
            parameter("contactWindowDays"),
            "parameters.contact_window_days"
        );
        assert_eq!(
            parameter("ssnCardUploadsForbidden"),
            "parameters.ssn_card_uploads_forbidden"
        );
    }
}
