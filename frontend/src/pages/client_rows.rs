//! Changing what a client's profile lists, in place: a note's text, an enrollment's dates, a
//! service's type and date, and deleting them. Each is offered only where the record's `access`
//! block allows it; where it does not, the rule and its reason are shown instead (`NOTE-1`: only
//! a note's author edits or deletes it; `SRV-1`: services are never deleted). Every change
//! carries the version that was read (`LOCK-1`): a stale one re-reads the profile, which then
//! shows the current values, and keeps what was typed to save again.

use graphql_client::GraphQLQuery;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Api;
use crate::components::{ErrorAlert, Field, Submission, filter_text};
use crate::queries::{
    DeleteClientNote, DeleteEnrollment, DeleteService, EditClientNote, UpdateEnrollmentDates,
    UpdateServiceEntry, delete_client_note, delete_enrollment, delete_service, edit_client_note,
    update_enrollment_dates, update_service_entry,
};

/// The kinds of record the profile changes in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Note,
    Enrollment,
    Service,
}

impl RowKind {
    /// How element ids of this kind begin (`note-edit-0`, `notes-outcome`).
    fn prefix(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Enrollment => "enrollment",
            Self::Service => "service",
        }
    }

    /// The form's fields: label and input type of each (a note has one).
    fn fields(self) -> [Option<(&'static str, &'static str)>; 2] {
        match self {
            Self::Note => [Some(("Note", "text")), None],
            Self::Enrollment => [
                Some(("Entry date", "date")),
                Some(("Exit date (empty: still enrolled)", "date")),
            ],
            Self::Service => [Some(("Service", "text")), Some(("Date", "date"))],
        }
    }
}

/// An action's entry in a record's `access` block.
#[derive(Clone, Debug)]
pub struct Permission {
    pub action: String,
    pub allowed: bool,
    pub rule: String,
    pub reason: String,
}

/// A record as the profile lists it and its form starts from.
#[derive(Clone, Debug)]
pub struct Row {
    pub kind: RowKind,
    pub id: String,
    /// The version read (`LOCK-1`).
    pub version: i64,
    /// What the list says of it.
    pub what: String,
    /// Who entered it, from which agency and when (`PROV-1`).
    pub who: String,
    /// What the form's fields start from.
    pub values: [String; 2],
    pub access: Vec<Permission>,
}

impl Row {
    fn permission(&self, action: &str) -> Option<&Permission> {
        self.access.iter().find(|p| p.action == action)
    }
}

/// Which record is being changed and what its form holds. It lives outside the profile's
/// view, so a re-read (after a save, or a stale one) keeps the form open and what was typed.
#[derive(Clone, Copy)]
pub struct RowEditor {
    open: RwSignal<Option<String>>,
    /// The record whose deletion waits for a second click.
    confirming: RwSignal<Option<String>>,
    values: [RwSignal<String>; 2],
    form: Submission,
    /// What the last change said, and in which section.
    outcome: RwSignal<Option<(RowKind, String)>>,
}

const STALE: &str = "Someone changed this record since you opened it: the current values are \
                     shown. What you typed is still in the form: save it again to apply it.";
const STALE_DELETE: &str = "Someone changed this record since you opened it: the current values \
                            are shown. Delete it again if you still mean to.";

impl RowEditor {
    pub fn new() -> Self {
        Self {
            open: RwSignal::new(None),
            confirming: RwSignal::new(None),
            values: [RwSignal::new(String::new()), RwSignal::new(String::new())],
            form: Submission::new(),
            outcome: RwSignal::new(None),
        }
    }

    fn is_open(&self, id: &str) -> bool {
        self.open.with(|open| open.as_deref() == Some(id))
    }

    fn start(&self, row: &Row) {
        if self.open.get_untracked().as_deref() == Some(row.id.as_str()) {
            self.open.set(None);
            return;
        }
        for (field, value) in self.values.iter().zip(&row.values) {
            field.set(value.clone());
        }
        self.confirming.set(None);
        self.outcome.set(None);
        self.form.error.set(None);
        self.open.set(Some(row.id.clone()));
    }

    /// Sends the change `Q`; then the profile is read again. A stale change (`CONFLICT`)
    /// leaves the form as it is, saying so; another refusal is shown in the form.
    fn send<Q>(
        self,
        kind: RowKind,
        variables: Q::Variables,
        done: &'static str,
        reread: Callback<()>,
    ) where
        Q: GraphQLQuery + 'static,
        Q::Variables: Clone + 'static,
    {
        let api = expect_context::<Api>();
        let deleting = self.confirming.get_untracked().is_some();
        spawn_local(async move {
            let said = match api.run::<Q>(variables).await {
                Err(e) if e.code.as_deref() == Some("CONFLICT") => {
                    self.form.pending.set(false);
                    if deleting { STALE_DELETE } else { STALE }
                }
                other => {
                    if self.form.finish(other).is_none() {
                        return;
                    }
                    self.open.set(None);
                    self.confirming.set(None);
                    done
                }
            };
            self.outcome.set(Some((kind, said.to_owned())));
            reread.run(());
        });
    }

    fn save(self, row: &Row, reread: Callback<()>) {
        let [first, second] = self.values.map(|v| v.get_untracked().trim().to_owned());
        let (id, expected_version) = (row.id.clone(), row.version);
        match row.kind {
            RowKind::Note => self.send::<EditClientNote>(
                row.kind,
                edit_client_note::Variables {
                    id,
                    expected_version,
                    body: first,
                },
                "Note saved.",
                reread,
            ),
            RowKind::Enrollment => self.send::<UpdateEnrollmentDates>(
                row.kind,
                update_enrollment_dates::Variables {
                    id,
                    expected_version,
                    entry_date: first,
                    exit_date: filter_text(&second),
                },
                "Enrollment saved.",
                reread,
            ),
            RowKind::Service => self.send::<UpdateServiceEntry>(
                row.kind,
                update_service_entry::Variables {
                    id,
                    expected_version,
                    service_type: first,
                    service_date: second,
                },
                "Service saved.",
                reread,
            ),
        }
    }

    fn delete(self, row: &Row, reread: Callback<()>) {
        let (id, expected_version) = (row.id.clone(), row.version);
        match row.kind {
            RowKind::Note => self.send::<DeleteClientNote>(
                row.kind,
                delete_client_note::Variables {
                    id,
                    expected_version,
                },
                "Note deleted.",
                reread,
            ),
            RowKind::Enrollment => self.send::<DeleteEnrollment>(
                row.kind,
                delete_enrollment::Variables {
                    id,
                    expected_version,
                },
                "Enrollment deleted.",
                reread,
            ),
            RowKind::Service => self.send::<DeleteService>(
                row.kind,
                delete_service::Variables { id },
                "Service deleted.",
                reread,
            ),
        }
    }
}

/// A section's records with the changes each allows, and what the last change said; a
/// sentence when it has none.
#[component]
pub fn RowList(
    id: &'static str,
    kind: RowKind,
    rows: Vec<Row>,
    editor: RowEditor,
    reread: Callback<()>,
) -> impl IntoView {
    let outcome = move || {
        editor
            .outcome
            .get()
            .filter(|(said_of, _)| *said_of == kind)
            .map(|(_, text)| {
                view! {
                    <p id=format!("{}-outcome", kind.prefix()) class="notice" role="status">{text}</p>
                }
            })
    };
    let list = if rows.is_empty() {
        view! { <p id=format!("{id}-empty") class="empty">"None recorded that you may see."</p> }
            .into_any()
    } else {
        view! {
            <ul id=id class="records">
                {rows.into_iter().enumerate().map(|(n, row)| view! {
                    <RowItem row n editor reread />
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! { {list} {outcome} }
}

#[component]
fn RowItem(row: Row, n: usize, editor: RowEditor, reread: Callback<()>) -> impl IntoView {
    let prefix = row.kind.prefix();
    let row = StoredValue::new(row);
    let form = editor.form;
    let action = |action: &'static str, label: &'static str| {
        let permission = row.with_value(|r| r.permission(action).cloned())?;
        Some(if permission.allowed {
            let button_id = format!("{prefix}-{action}-{n}");
            let on_click = move |_| {
                if action == "edit" {
                    row.with_value(|r| editor.start(r));
                    return;
                }
                let id = row.with_value(|r| r.id.clone());
                if editor.confirming.get_untracked().as_deref() != Some(id.as_str()) {
                    editor.open.set(None);
                    editor.outcome.set(None);
                    editor.confirming.set(Some(id));
                    return;
                }
                if form.begin() {
                    row.with_value(|r| editor.delete(r, reread));
                }
            };
            let confirming = move || {
                let id = row.with_value(|r| r.id.clone());
                editor
                    .confirming
                    .with(|c| c.as_deref() == Some(id.as_str()))
            };
            let class = if action == "delete" {
                "danger"
            } else {
                "secondary"
            };
            view! {
                <button id=button_id type="button" class=class on:click=on_click>
                    {move || if action == "delete" && confirming() { "Confirm: delete" } else { label }}
                </button>
                " "
            }
            .into_any()
        } else {
            view! {
                <small class="hint refusal">
                    {format!("{label}: ")}<code>{permission.rule}</code>{format!(" {}", permission.reason)}
                </small>
                " "
            }
            .into_any()
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        if form.start(&ev) {
            row.with_value(|r| editor.save(r, reread));
        }
    };
    let fields = row.with_value(|r| r.kind.fields());
    let (what, who) = row.with_value(|r| (r.what.clone(), r.who.clone()));
    view! {
        <li class="record">
            {what}<br /><small class="hint">{format!("Entered by {who}")}</small>
            <div class="record-actions">{action("edit", "Edit")}{action("delete", "Delete")}</div>
            {move || row.with_value(|r| editor.is_open(&r.id)).then(|| view! {
                <form class="inline" on:submit=on_submit>
                    {fields.into_iter().zip(editor.values).zip(["row-first", "row-second"])
                        .filter_map(|((field, value), id)| field.map(|(label, kind)| view! {
                            <Field id label kind value />
                        }))
                        .collect_view()}
                    <button id="row-save" type="submit" disabled=move || form.pending.get()>"Save"</button>
                    <button id="row-cancel" type="button" class="secondary"
                        on:click=move |_| editor.open.set(None)>"Cancel"</button>
                    <ErrorAlert id="row-error" error=form.error />
                </form>
            })}
            {move || row.with_value(|r| editor.confirming.with(|c| c.as_deref() == Some(r.id.as_str())))
                .then(|| view! { <ErrorAlert id="row-error" error=form.error /> })}
        </li>
    }
}
