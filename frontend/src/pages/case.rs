//! One case (`/cases/:id`): the plan terms it runs under, what is due next with its deadline
//! counting down, its timeline and contact attempts with who took each step (`PROV-1`), and
//! the steps the viewer may take now (`DEM-4`, `ENR-3`). A step the plan refuses shows its
//! rule and sentence; a step taken on a stale read (`LOCK-1`) shows the case as it is now and
//! keeps what was typed.

use graphql_client::GraphQLQuery;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::{Api, GraphqlError};
use crate::components::{
    Choice, ErrorAlert, Field, Submission, enum_name, enum_value, pairs, reading, screen_of,
};
use crate::pages::cases::{due_sentence, kind_label};
use crate::queries::{
    AgreeOnCase, CaseDetail, EscalateCase, LogContactAttempt, WithdrawCase, agree_on_case,
    case_detail, escalate_case, log_contact_attempt, withdraw_case,
};
use crate::time::{Countdown, from_local_input, minute, now_iso};

type Detail = case_detail::CaseDetailCase;

/// The step forms' state. It lives beside the case, not in its view, so that reading the case
/// again (after each step, or a stale one) keeps what was typed.
#[derive(Clone, Copy)]
struct Steps {
    when: RwSignal<String>,
    method: RwSignal<String>,
    reached: RwSignal<bool>,
    note: RwSignal<String>,
    updater: RwSignal<String>,
    form: Submission,
    /// What the last step came to, in a sentence.
    outcome: RwSignal<Option<String>>,
}

impl Steps {
    fn new() -> Self {
        Self {
            when: RwSignal::new(String::new()),
            method: RwSignal::new("PHONE".to_owned()),
            reached: RwSignal::new(false),
            note: RwSignal::new(String::new()),
            updater: RwSignal::new(String::new()),
            form: Submission::new(),
            outcome: RwSignal::new(None),
        }
    }

    /// Sends step `Q`. The case is read again afterwards, and after a stale read too, so that
    /// the person sees where it stands now; `done` is said when the step was taken.
    fn take<Q>(self, api: Api, variables: Q::Variables, done: &'static str, reread: Callback<()>)
    where
        Q: GraphQLQuery + 'static,
        Q::Variables: Clone + 'static,
    {
        self.outcome.set(None);
        spawn_local(async move {
            let result = api.run::<Q>(variables).await;
            let stale = matches!(&result, Err(e) if e.code.as_deref() == Some("CONFLICT"));
            if self.form.finish(result).is_some() {
                // The note was the step's: the next attempt starts blank.
                self.note.set(String::new());
                self.outcome.set(Some(done.to_owned()));
                reread.run(());
            } else if stale {
                self.outcome.set(Some(
                    "Someone took a step on this case since you opened it: it is shown as it \
                     is now. What you typed is still here; take the step again if it still applies."
                        .to_owned(),
                ));
                reread.run(());
            }
        });
    }
}

const METHODS: [(&str, &str); 3] = [
    ("PHONE", "Phone"),
    ("EMAIL", "Email"),
    ("IN_PERSON", "In person"),
];

const SIDES: [(&str, &str); 2] = [
    ("REPORTER", "The reporting agency updates the record"),
    ("OWNER", "The entering agency updates the record"),
];

fn event_label(kind: &str) -> &str {
    match kind {
        "OPENED" => "Opened",
        "ATTEMPT_LOGGED" => "Contact attempt logged",
        "AGREED" => "Agreement recorded",
        "BECAME_ESCALABLE" => "Became escalable: the plan's attempts and days were met",
        "ESCALATED" => {
            "Escalated: the conflicting data went into a client note, and the entering agency was told"
        }
        "RESOLVED_BY_UPDATE" => "Resolved by an update of the record",
        "WITHDRAWN" => "Withdrawn",
        other => other,
    }
}

fn who(stamp: &case_detail::Who) -> String {
    crate::stamp_of!(stamp)
}

#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let case_id = move || params.read().get("id").unwrap_or_default();
    let (case, reread) =
        reading::<CaseDetail>(move || Some(case_detail::Variables { id: case_id() }));
    let steps = Steps::new();
    screen_of("case", "Case", case, move |data| {
        case_view(data.case, steps, reread).into_any()
    })
}

fn case_view(case: Detail, steps: Steps, reread: Callback<()>) -> impl IntoView {
    let terms = &case.terms;
    let terms_text = format!(
        "Plan version {}: at least {} unanswered contact attempts, and {} days from the first, \
         before escalating; {} days for an owning agency's review.",
        terms.plan_version,
        terms.contact_attempts_min,
        terms.contact_window_days,
        terms.admin_review_days
    );
    let due_kind = case.next_due.as_ref().map(|d| enum_name(&d.kind));
    let next = case.next_due.clone().map(|due| {
        let text = due_sentence(
            &enum_name(&due.kind),
            due.attempts_still_needed,
            due.updater.as_ref().map(enum_name).as_deref(),
        );
        view! {
            <p id="case-next" class="notice">
                <strong>"Next: "</strong>{text}
                {due.at.map(|at| view! { " — " <Countdown at /> })}
            </p>
        }
    });
    // Correcting the record is done on the client's profile, where its access blocks decide.
    let correct = matches!(
        due_kind.as_deref(),
        Some("AGREED_UPDATE" | "OWNER_REVIEW" | "DATA_CENTER_REVIEW")
    );
    let client_href = format!("/clients/{}", case.client_id);
    view! {
        <h2 id="case-title">"Case about client " <span id="case-hmis-number">{case.hmis_number.clone()}</span></h2>
        <dl id="case-facts">
            <dt>"Kind"</dt><dd>{kind_label(&enum_name(&case.kind))}</dd>
            {case.field.as_ref().map(|f| view! { <dt>"Field"</dt><dd>{enum_name(f)}</dd> })}
            {(!case.explanation.is_empty()).then(|| view! { <dt>"Explanation"</dt><dd>{case.explanation.clone()}</dd> })}
            <dt>"State"</dt><dd id="case-state">{enum_name(&case.state)}</dd>
            <dt>"Opened (UTC)"</dt><dd>{minute(&case.opened_at)}</dd>
            {case.closed_at.as_ref().map(|at| view! { <dt>"Closed (UTC)"</dt><dd>{minute(at)}</dd> })}
            <dt>"Terms"</dt><dd>{terms_text}</dd>
            <dt>"Client"</dt><dd><A href=client_href.clone() attr:id="case-client">"Open the profile"</A></dd>
        </dl>
        {next}

        <h3 id="case-actions-title">"What you may do now"</h3>
        <div id="case-actions">
            {step_controls(&case, steps, reread)}
            {correct.then(|| view! {
                <p><A href=client_href attr:id="case-correct">"Correct the record on the client's profile"</A></p>
            })}
            <ErrorAlert id="case-step-error" error=steps.form.error />
            {move || steps.outcome.get().map(|text| view! { <p id="case-outcome" class="notice" role="status">{text}</p> })}
        </div>

        <h3 id="case-timeline-title">"Timeline"</h3>
        <ol id="case-timeline" aria-labelledby="case-timeline-title">
            {case.timeline.iter().map(|event| {
                let by = event.by.as_ref().map_or_else(|| "Concord, by itself".to_owned(), who);
                view! {
                    <li class="case-event" data-kind=event.kind.clone()>
                        <strong>{event_label(&event.kind).to_owned()}</strong>
                        <br /><small class="hint">{format!("{} UTC — {by}", minute(&event.at))}</small>
                    </li>
                }
            }).collect_view()}
        </ol>

        <h3 id="case-attempts-title">"Contact attempts"</h3>
        {if case.attempts.is_empty() {
            view! { <p id="case-attempts-empty" class="empty">"None logged yet."</p> }.into_any()
        } else {
            view! {
                <table id="case-attempts" aria-labelledby="case-attempts-title">
                    <thead><tr>
                        <th scope="col">"When (UTC)"</th><th scope="col">"How"</th>
                        <th scope="col">"Reached"</th><th scope="col">"Note"</th><th scope="col">"Logged by"</th>
                    </tr></thead>
                    <tbody>
                        {case.attempts.iter().map(|a| view! {
                            <tr class="case-attempt">
                                <td>{minute(&a.attempted_at)}</td>
                                <td>{enum_name(&a.method)}</td>
                                <td>{if a.reached { "Yes" } else { "No" }}</td>
                                <td>{a.note.clone()}</td>
                                <td>{who(&a.by)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// One control per step the case has: the form where its `access` entry allows it, otherwise
/// the rule that refuses it and why.
fn step_controls(case: &Detail, steps: Steps, reread: Callback<()>) -> impl IntoView + use<> {
    let api = expect_context::<Api>();
    let (case_id, version) = (case.id.clone(), case.version);
    let form = steps.form;
    let access = case.access.clone();
    let allowed = move |action: &str| access.iter().any(|p| p.action == action && p.allowed);
    let refusals: Vec<String> = case
        .access
        .iter()
        .filter(|p| !p.allowed)
        .map(|p| format!("{}: {} — {}", step_name(&p.action), p.rule, p.reason))
        .collect();

    let log_attempt = {
        let case_id = case_id.clone();
        move |ev: SubmitEvent| {
            if !form.start(&ev) {
                return;
            }
            let typed = steps.when.get_untracked();
            let attempted_at = if typed.trim().is_empty() {
                Some(now_iso())
            } else {
                from_local_input(&typed)
            };
            let (Some(attempted_at), Some(method)) = (
                attempted_at,
                enum_value::<log_contact_attempt::ContactMethod>(&steps.method.get_untracked()),
            ) else {
                form.finish::<()>(Err(GraphqlError::input(
                    "Give when and how the attempt was made.",
                )));
                return;
            };
            let input = log_contact_attempt::LogContactAttemptInput {
                case_id: case_id.clone(),
                expected_version: version,
                attempted_at,
                method,
                reached: steps.reached.get_untracked(),
                note: steps.note.get_untracked().trim().to_owned(),
            };
            steps.take::<LogContactAttempt>(
                api,
                log_contact_attempt::Variables { input },
                "The attempt is logged.",
                reread,
            );
        }
    };
    let agree = {
        let case_id = case_id.clone();
        move |ev: SubmitEvent| {
            if !form.start(&ev) {
                return;
            }
            let Some(updater) =
                enum_value::<agree_on_case::CaseSide>(&steps.updater.get_untracked())
            else {
                form.finish::<()>(Err(GraphqlError::input(
                    "Choose which side updates the record.",
                )));
                return;
            };
            let input = agree_on_case::AgreeOnCaseInput {
                case_id: case_id.clone(),
                expected_version: version,
                updater,
            };
            steps.take::<AgreeOnCase>(
                api,
                agree_on_case::Variables { input },
                "The agreement is recorded.",
                reread,
            );
        }
    };
    let escalate = {
        let case_id = case_id.clone();
        move |_| {
            if !form.begin() {
                return;
            }
            let input = escalate_case::CaseStepInput {
                case_id: case_id.clone(),
                expected_version: version,
            };
            steps.take::<EscalateCase>(
                api,
                escalate_case::Variables { input },
                "Escalated: the conflicting data is in a client note, and the entering agency is told.",
                reread,
            );
        }
    };
    let withdraw = move |_| {
        if !form.begin() {
            return;
        }
        let input = withdraw_case::CaseStepInput {
            case_id: case_id.clone(),
            expected_version: version,
        };
        steps.take::<WithdrawCase>(
            api,
            withdraw_case::Variables { input },
            "The case is withdrawn.",
            reread,
        );
    };
    let pending = move || form.pending.get();

    view! {
        {allowed("logAttempt").then(|| view! {
            <form id="attempt-form" class="inline" on:submit=log_attempt>
                <h4>"Log a contact attempt"</h4>
                <Field id="attempt-when" label="When (empty for now)" kind="datetime-local" value=steps.when required=false />
                <Choice id="attempt-method" label="How" value=steps.method options=pairs(&METHODS) />
                <div class="check">
                    <input type="checkbox" id="attempt-reached" bind:checked=steps.reached />
                    <label for="attempt-reached">"The other side was reached"</label>
                </div>
                <Field id="attempt-note" label="Note (optional, up to 500 characters)" value=steps.note required=false />
                <button id="attempt-log" type="submit" disabled=pending>"Log the attempt"</button>
            </form>
        })}
        {allowed("agree").then(|| view! {
            <form id="agree-form" class="inline" on:submit=agree>
                <h4>"Record an agreement"</h4>
                <Choice id="agree-updater" label="Who updates the record" value=steps.updater options=pairs(&SIDES) />
                <button id="agree-record" type="submit" disabled=pending>"Record the agreement"</button>
            </form>
        })}
        {allowed("escalate").then(|| view! {
            <p>
                <button id="case-escalate" type="button" on:click=escalate disabled=pending>"Escalate"</button>
                <small class="hint">" The conflicting data goes into a client note, and the entering agency is told (DEM-4)."</small>
            </p>
        })}
        {allowed("withdraw").then(|| view! {
            <p><button id="case-withdraw" type="button" class="secondary" on:click=withdraw disabled=pending>"Withdraw the case"</button></p>
        })}
        {(!refusals.is_empty()).then(|| view! {
            <ul id="case-refusals" class="hint">
                {refusals.into_iter().map(|r| view! { <li class="case-refusal">{r}</li> }).collect_view()}
            </ul>
        })}
    }
}

fn step_name(action: &str) -> &str {
    match action {
        "logAttempt" => "Log an attempt",
        "agree" => "Record an agreement",
        "escalate" => "Escalate",
        "withdraw" => "Withdraw",
        other => other,
    }
}
