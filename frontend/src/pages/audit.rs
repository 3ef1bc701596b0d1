//! The audit log (`/audit`, `AUD-1`, the Data Center only): what was done and refused, by
//! whom, newest first, narrowed by person, action, client (HMIS number), outcome and time. The
//! client view log (`AUD-2`) is on each client's profile.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::Api;
use crate::components::{
    Choice, Field, Paged, ShowMore, enum_name, enum_value, error_view, loading, reading,
};
use crate::queries::{AuditLog, AuditPeople, audit_log, audit_people};
use crate::time::{from_local_input, minute};

type Entry = audit_log::AuditLogAuditLogNodes;

/// The filter as typed; applied when the form is sent.
#[derive(Clone, Copy)]
struct Filter {
    person: RwSignal<String>,
    action: RwSignal<String>,
    hmis_number: RwSignal<String>,
    outcome: RwSignal<String>,
    from: RwSignal<String>,
    until: RwSignal<String>,
}

impl Filter {
    fn new() -> Self {
        let blank = || RwSignal::new(String::new());
        Self {
            person: blank(),
            action: blank(),
            hmis_number: blank(),
            outcome: blank(),
            from: blank(),
            until: blank(),
        }
    }

    /// The API's filter, or what is wrong with a time typed.
    fn read(&self) -> Result<audit_log::AuditLogFilter, &'static str> {
        let text = |value: RwSignal<String>| {
            let typed = value.get_untracked().trim().to_owned();
            (!typed.is_empty()).then_some(typed)
        };
        let time = |value: RwSignal<String>| match text(value) {
            None => Ok(None),
            Some(typed) => from_local_input(&typed)
                .map(Some)
                .ok_or("Give times as the date and time fields ask."),
        };
        Ok(audit_log::AuditLogFilter {
            actor_user_id: text(self.person),
            action: text(self.action),
            client_hmis_number: text(self.hmis_number),
            outcome: text(self.outcome).and_then(|o| enum_value(&o)),
            from: time(self.from)?,
            until: time(self.until)?,
        })
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let filter = Filter::new();
    let (people, _) = reading::<AuditPeople>(|| Some(audit_people::Variables));
    let person_options = Signal::derive(move || match people.get() {
        Some(Ok(data)) => data
            .users
            .nodes
            .into_iter()
            .map(|u| (u.id, format!("{} <{}>", u.display_name, u.email)))
            .collect(),
        _ => Vec::new(),
    });
    let applied = RwSignal::new(audit_log::AuditLogFilter {
        actor_user_id: None,
        action: None,
        client_hmis_number: None,
        outcome: None,
        from: None,
        until: None,
    });
    let mistake = RwSignal::new(None::<&'static str>);
    let list = Paged::<Entry>::new();
    let load = move |after: Option<String>| {
        let variables = audit_log::Variables {
            filter: Some(applied.get_untracked()),
            after,
        };
        list.fetch::<AuditLog>(api, variables, move |data| {
            let page = data.audit_log;
            let info = page.page_info;
            // The log is not counted: it shows what it has read so far.
            let so_far = list.rows.with_untracked(Vec::len) + page.nodes.len();
            (
                page.nodes,
                info.has_next_page,
                info.end_cursor,
                i64::try_from(so_far).unwrap_or(i64::MAX),
            )
        });
    };
    Effect::new(move |_| {
        applied.track();
        list.clear();
        load(None);
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match filter.read() {
            Ok(read) => {
                mistake.set(None);
                applied.set(read);
            }
            Err(why) => mistake.set(Some(why)),
        }
    };
    let outcomes = vec![
        ("ALLOWED".to_owned(), "Allowed".to_owned()),
        ("REFUSED".to_owned(), "Refused".to_owned()),
    ];
    view! {
        <section aria-labelledby="audit-title">
            <h2 id="audit-title">"Audit log"</h2>
            <p class="hint">"Every action and every refusal, newest first (AUD-1). Who was shown a client is on the client's profile (AUD-2)."</p>
            <form id="audit-filter" class="inline" on:submit=on_submit>
                <Choice id="audit-person" label="Person" value=filter.person options=person_options required=false />
                <Field id="audit-action" label="Action (exactly, e.g. plan.publish)" value=filter.action required=false />
                <Field id="audit-client" label="Client HMIS number" value=filter.hmis_number required=false />
                <Choice id="audit-outcome" label="Outcome" value=filter.outcome options=outcomes required=false />
                <Field id="audit-from" label="From" kind="datetime-local" value=filter.from required=false />
                <Field id="audit-until" label="Until" kind="datetime-local" value=filter.until required=false />
                <button id="audit-apply" type="submit">"Show"</button>
            </form>
            {move || mistake.get().map(|why| view! { <p id="audit-filter-error" class="error" role="alert">{why}</p> })}
            {move || list.error.get().map(|e| error_view("audit-error", e))}
            {move || match list.total.get() {
                None => loading("audit-loading").into_any(),
                Some(0) => view! {
                    <p id="audit-empty" class="empty">"Nothing in the log matches. Widen the filter: fewer fields, a longer time."</p>
                }.into_any(),
                Some(_) => view! {
                    <table id="audit-list">
                        <thead><tr>
                            <th scope="col">"When (UTC)"</th><th scope="col">"Who"</th>
                            <th scope="col">"Action"</th><th scope="col">"Outcome"</th><th scope="col">"About"</th>
                        </tr></thead>
                        <tbody>
                            {list.rows.get().into_iter().map(|entry| view! {
                                <tr class="audit-entry">
                                    <td>{minute(&entry.at)}</td>
                                    <td>{entry.actor.as_ref().map_or_else(|| "Concord, by itself".to_owned(), |a| crate::stamp_of!(a))}</td>
                                    <td><code>{entry.action.clone()}</code></td>
                                    <td>{enum_name(&entry.outcome)}{entry.rule.clone().map(|r| view! { " " <code class="error-rule">{r}</code> })}</td>
                                    <td><small>{entry.subject_id.clone().unwrap_or_default()}</small></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ShowMore id="audit-more" label="Show older" list load=Callback::new(load) />
        </section>
    }
}
