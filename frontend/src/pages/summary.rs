//! A client's printable summary (`/clients/:id/summary`): what the viewer may see of the
//! client on one page, for a paper file or a referral. It names the client only where the plan
//! lets the viewer see the name; otherwise by HMIS number alone (`COM-1`). Printing leaves out
//! the console's navigation and buttons.

use leptos::prelude::*;

use crate::components::{enum_name, screen_of};
use crate::pages::client::addressed_profile;
use crate::queries::client_profile;

const NAME_FIELDS: [&str; 3] = ["FIRST_NAME", "MIDDLE_NAME", "LAST_NAME"];

#[component]
pub fn SummaryPage() -> impl IntoView {
    let (profile, _) = addressed_profile();
    screen_of("summary", "Client summary", profile, |data| {
        summary_view(data).into_any()
    })
}

/// The name as the viewer may see it: the name fields the API gave a value for, in order.
fn visible_name(
    demographics: &[client_profile::ClientProfileClientDemographics],
) -> Option<String> {
    let parts: Vec<String> = NAME_FIELDS
        .iter()
        .filter_map(|field| {
            demographics
                .iter()
                .find(|d| enum_name(&d.field) == *field)
                .and_then(|d| d.value.clone())
                .filter(|v| !v.trim().is_empty())
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn summary_view(data: client_profile::ResponseData) -> impl IntoView {
    let client = data.client;
    let name = visible_name(&client.demographics);
    let others: Vec<(String, String)> = client
        .demographics
        .iter()
        .filter(|d| !NAME_FIELDS.contains(&enum_name(&d.field).as_str()))
        .map(|d| {
            let field = enum_name(&d.field).replace('_', " ").to_lowercase();
            (field, d.value.clone().unwrap_or_else(|| "—".to_owned()))
        })
        .collect();
    let list = |id: &'static str, title: &'static str, rows: Vec<String>| {
        view! {
            <h3>{title}</h3>
            {if rows.is_empty() {
                view! { <p class="empty">"None that you may see."</p> }.into_any()
            } else {
                view! { <ul id=id>{rows.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul> }.into_any()
            }}
        }
    };
    let enrollments = data
        .client_enrollments
        .nodes
        .into_iter()
        .map(|e| {
            format!(
                "{}: {} – {}",
                e.project_name,
                e.entry_date,
                e.exit_date.unwrap_or_else(|| "open".to_owned())
            )
        })
        .collect();
    let services = data
        .client_services
        .nodes
        .into_iter()
        .map(|s| format!("{} on {}", s.service_type, s.service_date))
        .collect();
    let managers = data
        .client_case_managers
        .nodes
        .into_iter()
        .map(|m| {
            format!(
                "since {}{}",
                m.start_date,
                if m.active { "" } else { " (ended)" }
            )
        })
        .collect();
    let notes = data
        .client_notes
        .nodes
        .into_iter()
        .map(|n| n.body)
        .collect();
    let open_conflicts = data
        .data_conflicts
        .nodes
        .iter()
        .filter(|c| enum_name(&c.status) != "RESOLVED")
        .count();
    let print = |_| {
        let _ = window().print();
    };
    view! {
        <h2 id="summary-title">"Client summary: HMIS " <span id="summary-hmis-number">{client.hmis_number.clone()}</span></h2>
        <p id="summary-name">
            {match name {
                Some(name) => view! { <strong>{name}</strong> }.into_any(),
                None => view! { <span>"The name is not shared with you: the client is named by HMIS number only (COM-1)."</span> }.into_any(),
            }}
        </p>
        <p class="hint">"It holds what you may see of this client under your CoC's sharing plan. Keep it as you keep the client's file."</p>
        <button id="summary-print" type="button" class="no-print" on:click=print>"Print"</button>
        <h3>"Demographics"</h3>
        <dl id="summary-demographics">
            {others.into_iter().map(|(field, value)| view! { <dt>{field}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
        {list("summary-enrollments", "Enrollments", enrollments)}
        {list("summary-case-managers", "Case managers", managers)}
        {list("summary-services", "Needs, services and referrals", services)}
        {list("summary-notes", "Notes", notes)}
        <p id="summary-conflicts">{format!("Open data conflicts: {open_conflicts}")}</p>
    }
}
