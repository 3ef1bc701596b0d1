//! The conflicts and escalations board (`/cases`): the cases the viewer sees (`DEM-4`,
//! `ENR-3`), grouped by where they stand, the one whose next deadline comes first, first, each
//! with that deadline counting down. The Data Center's queue is one of the groups.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::Api;
use crate::components::{Paged, ShowMore, enum_name, error_view, loading};
use crate::queries::{Cases, cases};
use crate::time::Countdown;

type Row = cases::CasesCasesNodes;
use cases::CaseState as State;

/// The board's groups: what a person asks for, and the states it covers.
const GROUPS: [(&str, &str, &[State]); 5] = [
    (
        "open",
        "Open: contacting, agreed or escalable",
        &[
            State::OPENED,
            State::CONTACTING,
            State::ESCALABLE,
            State::AGREED,
        ],
    ),
    (
        "escalated",
        "Escalated or in the owning agency's review",
        &[State::ESCALATED, State::IN_ADMIN_REVIEW],
    ),
    (
        "queue",
        "The Data Center's queue (ENR-3)",
        &[State::IN_DATA_CENTER_QUEUE],
    ),
    (
        "closed",
        "Closed: resolved or withdrawn",
        &[State::RESOLVED, State::WITHDRAWN],
    ),
    ("all", "All", &[]),
];

fn states_of(group: &str) -> Option<Vec<State>> {
    GROUPS
        .iter()
        .find(|(name, _, _)| *name == group)
        .filter(|(_, _, states)| !states.is_empty())
        .map(|(_, _, states)| states.to_vec())
}

/// A case's kind as people read it, with the rules it follows.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "DATA_CONFLICT" => "Data conflict (DEM-3, DEM-4)",
        "ENROLLMENT_ERROR" => "Enrollment reported wrong (ENR-3)",
        _ => "Case",
    }
}

/// What is due next, in a sentence without its time.
pub fn due_sentence(
    kind: &str,
    attempts_still_needed: Option<i64>,
    updater: Option<&str>,
) -> String {
    match kind {
        "CONTACT_ATTEMPTS" => format!(
            "The reporting agency tries to reach the other side: {} more unanswered attempt(s) needed",
            attempts_still_needed.unwrap_or(1)
        ),
        "ESCALABLE" => "Escalation becomes possible".to_owned(),
        "ESCALATE_NOW" => "The reporting agency may escalate now".to_owned(),
        "AGREED_UPDATE" => format!(
            "Agreed: the {} updates the record, which closes the case",
            if updater == Some("OWNER") { "entering agency" } else { "reporting agency" }
        ),
        "OWNER_REVIEW" => "Escalated: the entering agency reviews the note".to_owned(),
        "DATA_CENTER_HAND_OVER" => {
            "The owning agency's administrators review the enrollment; then it goes to the Data Center".to_owned()
        }
        "DATA_CENTER_REVIEW" => "In the Data Center's queue".to_owned(),
        other => other.to_owned(),
    }
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let group = RwSignal::new("open".to_owned());
    let newest_first = RwSignal::new(false);
    let list = Paged::<Row>::new();
    let load = move |after: Option<String>| {
        let variables = cases::Variables {
            states: states_of(&group.get_untracked()),
            order: if newest_first.get_untracked() {
                cases::CaseOrder::NEWEST
            } else {
                cases::CaseOrder::NEXT_DUE
            },
            after,
        };
        list.fetch::<Cases>(api, variables, |data| crate::counted_page!(data.cases));
    };
    // Read again whenever the group or the order changes (and first of all).
    Effect::new(move |_| {
        group.track();
        newest_first.track();
        list.clear();
        load(None);
    });
    view! {
        <section aria-labelledby="cases-title">
            <h2 id="cases-title">"Conflicts and escalations"</h2>
            <p class="hint">
                "A data conflict (DEM-3) or an enrollment reported wrong (ENR-3) is followed up here, \
                 deadline by deadline, under the plan version in force when it opened."
            </p>
            <div class="filters">
                <div class="field">
                    <label for="cases-group">"Show"</label>
                    <select id="cases-group" bind:value=group>
                        {GROUPS.iter().map(|(name, label, _)| view! { <option value=*name>{*label}</option> }).collect_view()}
                    </select>
                </div>
                <div class="check">
                    <input type="checkbox" id="cases-newest" bind:checked=newest_first />
                    <label for="cases-newest">"Newest first (otherwise the next deadline first)"</label>
                </div>
            </div>
            {move || list.error.get().map(|e| error_view("cases-error", e))}
            {move || match list.total.get() {
                None => loading("cases-loading").into_any(),
                Some(0) => view! {
                    <p id="cases-empty" class="empty">
                        "No cases here. A case opens when an agency gives a different value without \
                         documentation on a client's profile, or reports another agency's enrollment as wrong."
                    </p>
                }.into_any(),
                Some(total) => view! {
                    <table id="case-list">
                        <caption>{format!("{} of {total}", list.rows.with(Vec::len))}</caption>
                        <thead><tr>
                            <th scope="col">"Client"</th><th scope="col">"Kind"</th>
                            <th scope="col">"State"</th><th scope="col">"Next"</th>
                            <th scope="col">"Due"</th><th scope="col">"Opened (UTC)"</th>
                        </tr></thead>
                        <tbody>
                            {list.rows.get().into_iter().map(case_row).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ShowMore id="cases-more" label="Show more" list load=Callback::new(load) />
        </section>
    }
}

fn case_row(case: Row) -> impl IntoView {
    let (next, due_at) = match case.next_due {
        Some(due) => (
            due_sentence(
                &enum_name(&due.kind),
                due.attempts_still_needed,
                due.updater.as_ref().map(enum_name).as_deref(),
            ),
            due.at,
        ),
        None => ("Nothing: closed".to_owned(), None),
    };
    let field = case.field.as_ref().map(enum_name);
    view! {
        <tr class="case" data-case=case.id.clone()>
            <td><A href=format!("/cases/{}", case.id)>{case.hmis_number.clone()}</A></td>
            <td>{kind_label(&enum_name(&case.kind))}{field.map(|f| format!(": {f}"))}</td>
            <td class="case-state">{enum_name(&case.state)}</td>
            <td>{next}</td>
            <td>{due_at.map(|at| view! { <Countdown at /> })}</td>
            <td>{crate::time::minute(&case.opened_at)}</td>
        </tr>
    }
}
