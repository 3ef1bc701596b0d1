//! A client's profile (`/clients/:id`): demographics, profile rows, enrollments, notes, case
//! managers, services, files and data conflicts, each value with who entered it, from which agency
//! and when (`PROV-1`). A value is offered for change only where its `access` block allows;
//! a different value without documentation becomes a data conflict (`DEM-3`), and a change
//! made on a stale read shows the current values and can be applied again (`LOCK-1`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::{Api, GraphqlError};
use crate::components::{
    Answer, ErrorAlert, Field, Paged, ShowMore, Submission, enum_name, enum_value, error_view,
    reading, screen_of,
};
use crate::frame::SignedInRole;
use crate::pages::client_files::ClientFilesSection;
use crate::pages::client_records::{
    NewCaseManager, NewEnrollment, NewNote, NewProfileRow, NewService,
};
use crate::pages::client_rows::{Permission, Row, RowEditor, RowKind, RowList};
use crate::queries::{
    ChangeClientDemographic, ClientProfile, ClientViews, change_client_demographic, client_profile,
    client_views,
};

use change_client_demographic::ChangeClientDemographicChangeClientDemographic as Changed;

type Profile = client_profile::ResponseData;
type Demographic = client_profile::ClientProfileClientDemographics;
type ViewEntry = client_views::ClientViewsClientViewsNodes;

/// The one change being made on the page. It lives beside the profile, not in its rows, so
/// that reading the profile again (after a stale save) keeps what was typed.
#[derive(Clone, Copy)]
struct Editor {
    /// The field being changed, as the schema spells it.
    field: RwSignal<Option<String>>,
    value: RwSignal<String>,
    document: RwSignal<String>,
    /// What the last save of a field came to: (field, sentence).
    outcome: RwSignal<Option<(String, String)>>,
    form: Submission,
}

impl Editor {
    fn new() -> Self {
        Self {
            field: RwSignal::new(None),
            value: RwSignal::new(String::new()),
            document: RwSignal::new(String::new()),
            outcome: RwSignal::new(None),
            form: Submission::new(),
        }
    }

    fn is_on(&self, field: &str) -> bool {
        self.field.with(|f| f.as_deref() == Some(field))
    }
}

/// Who entered a value, from which agency and when (PROV-1).
fn stamped(stamp: &client_profile::Stamp) -> String {
    crate::stamp_of!(stamp)
}

/// Whether `action` is allowed, from an access block.
fn allows(access: &[client_profile::Allowed], action: &str) -> bool {
    access.iter().any(|p| p.action == action && p.allowed)
}

/// The profile of the client the address names (`/clients/:id…`), read again by the callback.
pub fn addressed_profile() -> (Answer<Profile>, Callback<()>) {
    let params = use_params_map();
    let client_id = move || params.read().get("id").unwrap_or_default();
    reading::<ClientProfile>(move || {
        Some(client_profile::Variables {
            client_id: client_id(),
        })
    })
}

#[component]
pub fn ClientPage() -> impl IntoView {
    let (profile, reread) = addressed_profile();
    let editor = Editor::new();
    let rows = RowEditor::new();
    screen_of("client", "Client", profile, move |data| {
        profile_view(data, editor, rows, reread).into_any()
    })
}

/// An access block as the in-place changes read it.
fn permissions(access: Vec<client_profile::Allowed>) -> Vec<Permission> {
    access
        .into_iter()
        .map(|p| Permission {
            action: p.action,
            allowed: p.allowed,
            rule: p.rule,
            reason: p.reason,
        })
        .collect()
}

fn profile_view(
    data: Profile,
    editor: Editor,
    rows: RowEditor,
    reread: Callback<()>,
) -> impl IntoView {
    let role = expect_context::<SignedInRole>();
    let client = data.client;
    let view_log_client = client.id.clone();
    let version = client.version;
    let client_id = client.id.clone();
    view! {
        <h2 id="client-title">"Client " <span id="client-hmis-number">{client.hmis_number.clone()}</span></h2>
        <p class="hint">{format!("Entered by {}", stamped(&client.provenance.entered))}</p>
        <p><A href=format!("/clients/{client_id}/summary") attr:id="client-summary">"Printable summary"</A></p>

        <h3 id="demographics-title">"Demographics"</h3>
        <table id="demographics" aria-labelledby="demographics-title">
            <thead><tr>
                <th scope="col">"Field"</th><th scope="col">"Value"</th>
                <th scope="col">"Entered by"</th><th scope="col">"Documentation"</th>
                <th scope="col">"Change"</th>
            </tr></thead>
            <tbody>
                {client.demographics.into_iter().map(|value| view! {
                    <DemographicRow value client_id=client_id.clone() version editor reread />
                }).collect_view()}
            </tbody>
        </table>

        <h3 id="conflicts-title">"Data conflicts"</h3>
        {if data.data_conflicts.nodes.is_empty() {
            view! { <p id="conflicts-empty" class="empty">"None: every agency agrees on this client's values."</p> }.into_any()
        } else {
            view! {
                <table id="conflicts" aria-labelledby="conflicts-title">
                    <thead><tr>
                        <th scope="col">"Field"</th><th scope="col">"On record"</th><th scope="col">"Reported"</th>
                        <th scope="col">"Reported by"</th><th scope="col">"Status"</th>
                        <th scope="col">"Case"</th>
                    </tr></thead>
                    <tbody>
                        {data.data_conflicts.nodes.into_iter().map(|c| view! {
                            <tr class="conflict">
                                <td>{enum_name(&c.field)}</td>
                                <td>{c.existing_value.unwrap_or_else(|| "—".to_owned())}</td>
                                <td>{c.proposed_value.unwrap_or_else(|| "(cleared)".to_owned())}</td>
                                <td>{stamped(&c.reported)}</td>
                                <td class="conflict-status">{enum_name(&c.status)}</td>
                                <td>{c.case.map(|case| view! {
                                    <A href=format!("/cases/{}", case.id) attr:class="conflict-case">
                                        {format!("Follow up ({})", enum_name(&case.state))}
                                    </A>
                                })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}

        <h3>"Enrollments"</h3>
        <RowList id="enrollments" kind=RowKind::Enrollment editor=rows reread
            rows=data.client_enrollments.nodes.into_iter().map(|e| {
                let exit = e.exit_date.clone().unwrap_or_default();
                let dates = format!("{} – {}", e.entry_date, e.exit_date.unwrap_or_else(|| "open".to_owned()));
                Row {
                    kind: RowKind::Enrollment,
                    what: format!("{}: {dates}", e.project_name),
                    who: stamped(&e.provenance.entered),
                    values: vec![e.entry_date, exit],
                    id: e.id,
                    version: e.version,
                    access: permissions(e.access),
                }
            }).collect() />
        <NewEnrollment client_id=client_id.clone() reread />
        <h3>"Profile"</h3>
        <RowList id="profile-rows" kind=RowKind::ProfileRow editor=rows reread
            rows=data.client_profile_rows.nodes.into_iter().map(|r| {
                let until = r.end_date.map_or_else(|| "current".to_owned(), |end| format!("until {end}"));
                Row {
                    kind: RowKind::ProfileRow,
                    what: format!("{}: {} (from {}, {until})", enum_name(&r.kind), r.value, r.start_date),
                    who: stamped(&r.provenance.entered),
                    values: vec![r.value],
                    id: r.id,
                    version: r.version,
                    access: permissions(r.access),
                }
            }).collect() />
        <NewProfileRow client_id=client_id.clone() reread />
        <h3>"Notes"</h3>
        <RowList id="notes" kind=RowKind::Note editor=rows reread
            rows=data.client_notes.nodes.into_iter().map(|n| Row {
                kind: RowKind::Note,
                what: n.body.clone(),
                who: stamped(&n.provenance.entered),
                values: vec![n.body],
                id: n.id,
                version: n.version,
                access: permissions(n.access),
            }).collect() />
        <NewNote client_id=client_id.clone() reread />
        <h3>"Case managers"</h3>
        <RowList id="case-managers" kind=RowKind::CaseManager editor=rows reread
            rows=data.client_case_managers.nodes.into_iter().map(|m| {
                let state = if m.active { "active" } else { "ended" };
                let name = m.case_manager.display_name.unwrap_or_else(|| "Someone no longer listed".to_owned());
                let until = m.end_date.map(|end| format!(" until {end}")).unwrap_or_default();
                Row {
                    kind: RowKind::CaseManager,
                    what: format!("{name}, since {}{until} ({state})", m.start_date),
                    who: stamped(&m.provenance.entered),
                    values: Vec::new(),
                    id: m.id,
                    version: m.version,
                    access: permissions(m.access),
                }
            }).collect() />
        <NewCaseManager client_id=client_id.clone() reread />
        {move || role.is_data_center().then(|| view! { <ViewLog client_id=view_log_client.clone() /> })}
        <h3>"Services"</h3>
        <RowList id="services" kind=RowKind::Service editor=rows reread
            rows=data.client_services.nodes.into_iter().map(|s| Row {
                kind: RowKind::Service,
                what: format!("{} on {}", s.service_type, s.service_date),
                who: stamped(&s.provenance.entered),
                values: vec![s.service_type, s.service_date],
                id: s.id,
                version: s.version,
                access: permissions(s.access),
            }).collect() />
        <NewService client_id=client_id.clone() reread />
        <ClientFilesSection client_id=client_id.clone() />
    }
}

/// Who was shown the client, where and when (`AUD-2`, the Data Center), read when asked for:
/// the log is long, and most visits to a profile do not need it.
#[component]
fn ViewLog(client_id: String) -> impl IntoView {
    let api = expect_context::<Api>();
    let list = Paged::<ViewEntry>::new();
    let load = move |after: Option<String>| {
        let variables = client_views::Variables {
            client_id: client_id.clone(),
            after,
        };
        list.fetch::<ClientViews>(api, variables, |data| {
            crate::counted_page!(data.client_views)
        });
    };
    let load = Callback::new(load);
    view! {
        <h3 id="views-title">"Who has been shown this client (AUD-2)"</h3>
        {move || match list.total.get() {
            None => view! {
                <button id="views-show" type="button" class="secondary" on:click=move |_| load.run(None)>
                    "Show the view log"
                </button>
            }.into_any(),
            Some(total) => view! {
                <table id="views" aria-labelledby="views-title">
                    <caption>{format!("{} of {total}, newest first", list.rows.with(Vec::len))}</caption>
                    <thead><tr><th scope="col">"Who, from which agency, when (UTC)"</th><th scope="col">"Shown in"</th></tr></thead>
                    <tbody>
                        {list.rows.get().into_iter().map(|v| view! {
                            <tr><td>{crate::stamp_of!(&v.viewer)}</td><td>{enum_name(&v.shown_in)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        {move || list.error.get().map(|e| error_view("views-error", e))}
        <ShowMore id="views-more" label="Show older" list load />
    }
}

#[component]
fn DemographicRow(
    value: Demographic,
    client_id: String,
    version: i64,
    editor: Editor,
    reread: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let field = enum_name(&value.field);
    let may_change = allows(&value.access, "editWithDocumentation")
        || allows(&value.access, "editWithoutDocumentation");
    let refusal = value
        .access
        .iter()
        .find(|p| p.action == "editWithDocumentation" && !p.allowed)
        .map(|p| format!("{}: {}", p.rule, p.reason));
    let form = editor.form;
    let field_id = field.to_lowercase().replace('_', "-");
    let current = value.value.clone().unwrap_or_default();

    let open = {
        let field = field.clone();
        move |_| {
            if editor.is_on(&field) {
                editor.field.set(None);
            } else {
                editor.field.set(Some(field.clone()));
                editor.value.set(current.clone());
                editor.document.set(String::new());
                editor.outcome.set(None);
                form.error.set(None);
            }
        }
    };
    let on_submit = {
        let field = field.clone();
        move |ev: SubmitEvent| {
            if !form.start(&ev) {
                return;
            }
            editor.outcome.set(None);
            let Some(field_value) =
                enum_value::<change_client_demographic::DemographicField>(&field)
            else {
                form.finish::<()>(Err(GraphqlError::input(
                    "This field cannot be changed here.",
                )));
                return;
            };
            let typed = editor.value.get_untracked().trim().to_owned();
            let document_type = editor.document.get_untracked().trim().to_owned();
            let variables = change_client_demographic::Variables {
                client_id: client_id.clone(),
                expected_version: version,
                field: field_value,
                value: (!typed.is_empty()).then_some(typed),
                documentation: (!document_type.is_empty()).then_some(
                    change_client_demographic::DocumentationInput {
                        document_type,
                        attachment_id: None,
                    },
                ),
            };
            let field = field.clone();
            spawn_local(async move {
                let result = api.run::<ChangeClientDemographic>(variables).await;
                let said = match result {
                    Err(e) if e.code.as_deref() == Some("CONFLICT") => {
                        form.pending.set(false);
                        "Someone changed this client since you opened it: the current values are \
                         shown. Your change is still in the form: save it again to apply it to them."
                    }
                    other => {
                        let Some(data) = form.finish(other) else {
                            return;
                        };
                        editor.field.set(None);
                        match data.change_client_demographic {
                            Changed::DataConflict(_) => {
                                "Recorded as a data conflict (DEM-3): without documentation, a \
                                 different value does not replace the one on record; the agencies \
                                 settle it."
                            }
                            Changed::Client(_) => "Changed.",
                        }
                    }
                };
                editor.outcome.set(Some((field, said.to_owned())));
                reread.run(());
            });
        }
    };
    let outcome_field = field.clone();
    let editing_field = field.clone();

    view! {
        <tr class="demographic" data-field=field.clone()>
            <th scope="row">{field.clone()}</th>
            <td class="demographic-value">{value.value.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td class="hint">{stamped(&value.entered)}</td>
            <td>{value.documentation_type.clone().unwrap_or_default()}</td>
            <td>
                {if may_change {
                    view! {
                        <button type="button" class="secondary" id=format!("change-{field_id}") on:click=open>
                            "Change"
                        </button>
                    }.into_any()
                } else {
                    view! { <small class="hint">{refusal.clone()}</small> }.into_any()
                }}
                {move || editor.is_on(&editing_field).then(|| view! {
                    <form class="inline" on:submit=on_submit.clone()>
                        <Field id="demographic-value" label="New value" value=editor.value required=false />
                        <Field id="demographic-document" label="Documentation shown (optional)"
                            value=editor.document required=false
                            hint="E.g. birth certificate (DEM-2). Without it, a different value becomes a data conflict (DEM-3)." />
                        <button id="demographic-save" type="submit">"Save"</button>
                        <ErrorAlert id="demographic-error" error=form.error />
                    </form>
                })}
                {move || editor.outcome.get().filter(|(f, _)| *f == outcome_field).map(|(_, text)| view! {
                    <p id="demographic-outcome" class="notice" role="status">{text}</p>
                })}
            </td>
        </tr>
    }
}
