//! The profile's forms for adding to a client's record: a note (`NOTE-1`: only its author
//! edits it), an enrollment in a project of the viewer's agency (`ENR-1`), a need, service or
//! referral, a profile row (a phone number, an address…), and a case manager from the
//! viewer's agency (`CM-2`). Each reads the profile again once saved; a refusal shows its
//! rule.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::{Api, GraphqlError};
use crate::components::{Choice, ErrorAlert, Field, Submission, enum_value, pairs, reading};
use crate::queries::{
    AddClientNote, AddProfileRow, AssignCaseManager, CaseManagerChoices, EnrollClient,
    RecordChoices, RecordService, add_client_note, add_profile_row, assign_case_manager,
    case_manager_choices, enroll_client, record_choices, record_service,
};

/// HUD 3.15, relationship to the head of household.
const RELATIONSHIPS: [(&str, &str); 5] = [
    ("1", "Self (head of household)"),
    ("2", "Child"),
    ("3", "Spouse or partner"),
    ("4", "Other relative"),
    ("5", "Unrelated household member"),
];

const SERVICE_KINDS: [(&str, &str); 3] = [
    ("SERVICE", "Service"),
    ("NEED", "Need"),
    ("REFERRAL", "Referral"),
];

const PROFILE_ROW_KINDS: [(&str, &str); 5] = [
    ("PHONE", "Phone"),
    ("EMAIL", "Email"),
    ("ADDRESS", "Address"),
    ("EMERGENCY_CONTACT", "Emergency contact"),
    ("OTHER", "Other"),
];

/// Empty text as `None`, the rest trimmed.
fn given(value: RwSignal<String>) -> Option<String> {
    let typed = value.get_untracked().trim().to_owned();
    (!typed.is_empty()).then_some(typed)
}

#[component]
pub fn NewNote(client_id: String, reread: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let body = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let input = add_client_note::AddClientNoteInput {
            client_id: client_id.clone(),
            body: body.get_untracked().trim().to_owned(),
        };
        form.send::<AddClientNote>(api, add_client_note::Variables { input }, move |_| {
            body.set(String::new());
            reread.run(());
        });
    };
    view! {
        <form id="note-form" class="inline" on:submit=on_submit>
            <Field id="note-body" label="New note (only you may edit it later)" value=body />
            <button id="note-submit" type="submit" disabled=move || form.pending.get()>"Add note"</button>
            <ErrorAlert id="note-error" error=form.error />
        </form>
    }
}

/// The active projects of the viewer's agency, by id and name: the only ones it enrolls
/// into (ENR-1) and assigns case managers for (CM-2).
fn own_projects() -> Signal<Vec<(String, String)>> {
    let (choices, _) = reading::<RecordChoices>(|| Some(record_choices::Variables));
    Signal::derive(move || match choices.get() {
        Some(Ok(data)) => data
            .projects
            .nodes
            .into_iter()
            .filter(|p| {
                p.deactivated_at.is_none() && Some(&p.agency_id) == data.me.agency_id.as_ref()
            })
            .map(|p| (p.id, p.name))
            .collect(),
        _ => Vec::new(),
    })
}

#[component]
pub fn NewEnrollment(client_id: String, reread: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let projects = own_projects();
    let project = RwSignal::new(String::new());
    let relationship = RwSignal::new("1".to_owned());
    let entry = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let (Some(project_id), Ok(relationship_to_hoh), Some(entry_date)) = (
            given(project),
            relationship.get_untracked().parse::<i64>(),
            given(entry),
        ) else {
            form.finish::<()>(Err(GraphqlError::input(
                "Choose the project, the relationship and the entry date.",
            )));
            return;
        };
        let input = enroll_client::EnrollClientInput {
            client_id: client_id.clone(),
            project_id,
            household_id: None,
            relationship_to_hoh,
            entry_date,
            move_in_date: None,
            disabling_condition: None,
        };
        form.send::<EnrollClient>(api, enroll_client::Variables { input }, move |_| {
            entry.set(String::new());
            reread.run(());
        });
    };
    move || {
        if projects.with(Vec::is_empty) {
            return view! { <p class="hint" id="enroll-none">"No project of your agency to enroll this client in: enrollments are an agency's own (ENR-1)."</p> }.into_any();
        }
        view! {
            <form id="enroll-form" class="inline" on:submit=on_submit.clone()>
                <Choice id="enroll-project" label="Enroll in" value=project options=projects />
                <Choice id="enroll-relationship" label="Relationship to head of household" value=relationship options=pairs(&RELATIONSHIPS) />
                <Field id="enroll-entry" label="Entry date" kind="date" value=entry />
                <button id="enroll-submit" type="submit" disabled=move || form.pending.get()>"Enroll"</button>
                <ErrorAlert id="enroll-error" error=form.error />
            </form>
        }.into_any()
    }
}

#[component]
pub fn NewService(client_id: String, reread: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let kind = RwSignal::new("SERVICE".to_owned());
    let what = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let (Some(kind_value), Some(service_type), Some(service_date)) = (
            enum_value::<record_service::ServiceKind>(&kind.get_untracked()),
            given(what),
            given(date),
        ) else {
            form.finish::<()>(Err(GraphqlError::input(
                "Give what was provided and on which date.",
            )));
            return;
        };
        let input = record_service::RecordServiceInput {
            client_id: client_id.clone(),
            enrollment_id: None,
            kind: kind_value,
            service_type,
            service_date,
            cm_minutes: None,
            cm_note: None,
        };
        form.send::<RecordService>(api, record_service::Variables { input }, move |_| {
            what.set(String::new());
            reread.run(());
        });
    };
    view! {
        <form id="service-form" class="inline" on:submit=on_submit>
            <Choice id="service-kind" label="Kind" value=kind options=pairs(&SERVICE_KINDS) />
            <Field id="service-type" label="What (e.g. meal, bed night, housing referral)" value=what />
            <Field id="service-date" label="Date" kind="date" value=date />
            <button id="service-submit" type="submit" disabled=move || form.pending.get()>"Record"</button>
            <ErrorAlert id="service-error" error=form.error />
        </form>
    }
}

#[component]
pub fn NewProfileRow(client_id: String, reread: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let kind = RwSignal::new("PHONE".to_owned());
    let value = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let (Some(kind_value), Some(value_given), Some(start_date)) = (
            enum_value::<add_profile_row::ProfileRowKind>(&kind.get_untracked()),
            given(value),
            given(start),
        ) else {
            form.finish::<()>(Err(GraphqlError::input(
                "Give the kind, the value and the date it holds from.",
            )));
            return;
        };
        let input = add_profile_row::AddProfileRowInput {
            client_id: client_id.clone(),
            kind: kind_value,
            value: value_given,
            start_date,
        };
        form.send::<AddProfileRow>(api, add_profile_row::Variables { input }, move |_| {
            value.set(String::new());
            reread.run(());
        });
    };
    view! {
        <form id="profile-row-form" class="inline" on:submit=on_submit>
            <Choice id="profile-row-kind" label="Kind" value=kind options=pairs(&PROFILE_ROW_KINDS) />
            <Field id="profile-row-value" label="Value" value />
            <Field id="profile-row-start" label="From" kind="date" value=start />
            <button id="profile-row-submit" type="submit" disabled=move || form.pending.get()>"Add"</button>
            <ErrorAlert id="profile-row-error" error=form.error />
        </form>
    }
}

/// Names a person of the viewer's agency case manager for one of its projects (CM-2). Shown
/// to those who may read their agency's people; others are told whom to ask.
#[component]
pub fn NewCaseManager(client_id: String, reread: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let projects = own_projects();
    let (people, _) = reading::<CaseManagerChoices>(|| Some(case_manager_choices::Variables));
    let people_choices = Signal::derive(move || match people.get() {
        Some(Ok(data)) => data
            .users
            .nodes
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect(),
        _ => Vec::new(),
    });
    let project = RwSignal::new(String::new());
    let person = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let (Some(project_id), Some(case_manager_user_id), Some(start_date)) =
            (given(project), given(person), given(start))
        else {
            form.finish::<()>(Err(GraphqlError::input(
                "Choose the project, the case manager and the start date.",
            )));
            return;
        };
        let input = assign_case_manager::AssignCaseManagerInput {
            client_id: client_id.clone(),
            project_id,
            case_manager_user_id,
            start_date,
        };
        form.send::<AssignCaseManager>(api, assign_case_manager::Variables { input }, move |_| {
            start.set(String::new());
            reread.run(());
        });
    };
    move || {
        if projects.with(Vec::is_empty) || people_choices.with(Vec::is_empty) {
            return view! {
                <p class="hint" id="case-manager-none">
                    "Case managers are named by an agency for its own projects (CM-2), by those who manage its people."
                </p>
            }
            .into_any();
        }
        view! {
            <form id="case-manager-form" class="inline" on:submit=on_submit.clone()>
                <Choice id="case-manager-project" label="For project" value=project options=projects />
                <Choice id="case-manager-person" label="Case manager" value=person options=people_choices />
                <Field id="case-manager-start" label="From" kind="date" value=start />
                <button id="case-manager-submit" type="submit" disabled=move || form.pending.get()>"Assign"</button>
                <ErrorAlert id="case-manager-error" error=form.error />
            </form>
        }
        .into_any()
    }
}
