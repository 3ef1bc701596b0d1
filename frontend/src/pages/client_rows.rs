//! Changing what a client's profile lists, in place: a note's text, an enrollment's dates, a
//! service's type and date, a case manager's last day, a profile row's correction or end
//! date, and deleting those that may be deleted. Each is offered only where the record's
//! `access` block allows it; where it does not, the rule and its reason are shown instead
//! (`NOTE-1`: only a note's author edits or deletes it; `SRV-1`: services are never deleted).
//! Every change carries the version that was read (`LOCK-1`): a stale one re-reads the
//! profile, which then shows the current values, and keeps what was typed to save again.

use graphql_client::GraphQLQuery;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Api;
use crate::components::{ErrorAlert, Field, Submission, filter_text};
use crate::queries::{
    CorrectProfileRow, DeleteClientNote, DeleteEnrollment, DeleteService, EditClientNote,
    EndCaseManagerAssignment, EndDateProfileRow, RemoveCaseManagerAssignment,
    UpdateEnrollmentDates, UpdateServiceEntry, correct_profile_row, delete_client_note,
    delete_enrollment, delete_service, edit_client_note, end_case_manager_assignment,
    end_date_profile_row, remove_case_manager_assignment, update_enrollment_dates,
    update_service_entry,
};

/// The kinds of record the profile changes in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Note,
    Enrollment,
    Service,
    CaseManager,
    ProfileRow,
}

/// A field of a change's form: its label and input type (`text`, `date`, or `checkbox`).
type FieldSpec = (&'static str, &'static str);

/// A change a record offers through a form: the `access` entry that allows it, the button
/// that opens the form, and the form's fields.
pub struct Change {
    action: &'static str,
    label: &'static str,
    fields: &'static [FieldSpec],
}

const NOTE_CHANGES: [Change; 1] = [Change {
    action: "edit",
    label: "Edit",
    fields: &[("Note", "text")],
}];
const ENROLLMENT_CHANGES: [Change; 1] = [Change {
    action: "edit",
    label: "Edit",
    fields: &[
        ("Entry date", "date"),
        ("Exit date (empty: still enrolled)", "date"),
    ],
}];
const SERVICE_CHANGES: [Change; 1] = [Change {
    action: "edit",
    label: "Edit",
    fields: &[("Service", "text"), ("Date", "date")],
}];
const CASE_MANAGER_CHANGES: [Change; 1] = [Change {
    action: "endDate",
    label: "End",
    fields: &[("Last day", "date")],
}];
const PROFILE_ROW_CHANGES: [Change; 2] = [
    Change {
        action: "correct",
        label: "Correct",
        fields: &[
            ("Corrected value", "text"),
            ("Correct from", "date"),
            ("The client asked for this change (PRO-1)", "checkbox"),
            ("Client note saying what was corrected (PRO-3)", "text"),
        ],
    },
    Change {
        action: "endDate",
        label: "End-date",
        fields: &[("End date", "date")],
    },
];

impl RowKind {
    /// How element ids of this kind begin (`note-edit-0`, `note-outcome`).
    fn prefix(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Enrollment => "enrollment",
            Self::Service => "service",
            Self::CaseManager => "case-manager",
            Self::ProfileRow => "profile-row",
        }
    }

    fn changes(self) -> &'static [Change] {
        match self {
            Self::Note => &NOTE_CHANGES,
            Self::Enrollment => &ENROLLMENT_CHANGES,
            Self::Service => &SERVICE_CHANGES,
            Self::CaseManager => &CASE_MANAGER_CHANGES,
            Self::ProfileRow => &PROFILE_ROW_CHANGES,
        }
    }

    /// Whether the kind may be deleted at all; its `delete` entry says whether this one may.
    fn deletable(self) -> bool {
        self != Self::ProfileRow
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

/// A record as the profile lists it and its forms start from.
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
    /// What the first change's form starts from, field by field; the others start empty.
    pub values: Vec<String>,
    pub access: Vec<Permission>,
}

impl Row {
    fn permission(&self, action: &str) -> Option<&Permission> {
        self.access.iter().find(|p| p.action == action)
    }
}

/// Which record's change is open and what its form holds. It lives outside the profile's
/// view, so a re-read (after a save, or a stale one) keeps the form open and what was typed.
#[derive(Clone, Copy)]
pub struct RowEditor {
    /// The record and the change (`edit`, `endDate`, …) whose form is open.
    open: RwSignal<Option<(String, &'static str)>>,
    /// The record whose deletion waits for a second click.
    confirming: RwSignal<Option<String>>,
    values: [RwSignal<String>; 4],
    form: Submission,
    /// What the last change said, and in which section.
    outcome: RwSignal<Option<(RowKind, String)>>,
}

const STALE: &str = "Someone changed this record since you opened it: the current values are \
                     shown. What you typed is still in the form: save it again to apply it.";
const STALE_DELETE: &str = "Someone changed this record since you opened it: the current values \
                            are shown. Delete it again if you still mean to.";
/// A checkbox's value, as the form holds it.
const CHECKED: &str = "yes";

impl RowEditor {
    pub fn new() -> Self {
        Self {
            open: RwSignal::new(None),
            confirming: RwSignal::new(None),
            values: [(); 4].map(|()| RwSignal::new(String::new())),
            form: Submission::new(),
            outcome: RwSignal::new(None),
        }
    }

    fn is_open(&self, id: &str, action: &str) -> bool {
        self.open
            .with(|open| open.as_ref().is_some_and(|(o, a)| o == id && *a == action))
    }

    /// Opens the form of `change` on `row` (or closes it when it is open).
    fn start(&self, row: &Row, change: &Change) {
        if self.is_open(&row.id, change.action) {
            self.open.set(None);
            return;
        }
        let first = row
            .kind
            .changes()
            .first()
            .is_some_and(|c| c.action == change.action);
        for (n, field) in self.values.iter().enumerate() {
            let start = if first { row.values.get(n) } else { None };
            field.set(start.cloned().unwrap_or_default());
        }
        self.confirming.set(None);
        self.outcome.set(None);
        self.form.error.set(None);
        self.open.set(Some((row.id.clone(), change.action)));
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

    /// Saves the open change `action` on `row` with what its form holds.
    fn save(self, row: &Row, action: &str, reread: Callback<()>) {
        let [v0, v1, v2, v3] = self.values.map(|v| v.get_untracked().trim().to_owned());
        let (id, expected_version) = (row.id.clone(), row.version);
        let kind = row.kind;
        match (kind, action) {
            (RowKind::Note, _) => self.send::<EditClientNote>(
                kind,
                edit_client_note::Variables {
                    id,
                    expected_version,
                    body: v0,
                },
                "Note saved.",
                reread,
            ),
            (RowKind::Enrollment, _) => self.send::<UpdateEnrollmentDates>(
                kind,
                update_enrollment_dates::Variables {
                    id,
                    expected_version,
                    entry_date: v0,
                    exit_date: filter_text(&v1),
                },
                "Enrollment saved.",
                reread,
            ),
            (RowKind::Service, _) => self.send::<UpdateServiceEntry>(
                kind,
                update_service_entry::Variables {
                    id,
                    expected_version,
                    service_type: v0,
                    service_date: v1,
                },
                "Service saved.",
                reread,
            ),
            (RowKind::CaseManager, _) => self.send::<EndCaseManagerAssignment>(
                kind,
                end_case_manager_assignment::Variables {
                    id,
                    expected_version,
                    end_date: v0,
                },
                "Assignment ended.",
                reread,
            ),
            (RowKind::ProfileRow, "correct") => self.send::<CorrectProfileRow>(
                kind,
                correct_profile_row::Variables {
                    row_id: id,
                    expected_version,
                    new_value: v0,
                    start_date: v1,
                    at_client_direction: v2 == CHECKED,
                    correction_note: filter_text(&v3),
                },
                "Corrected.",
                reread,
            ),
            (RowKind::ProfileRow, _) => self.send::<EndDateProfileRow>(
                kind,
                end_date_profile_row::Variables {
                    row_id: id,
                    expected_version,
                    end_date: v0,
                },
                "End date set.",
                reread,
            ),
        }
    }

    fn delete(self, row: &Row, reread: Callback<()>) {
        let (id, expected_version) = (row.id.clone(), row.version);
        let kind = row.kind;
        match kind {
            RowKind::Note => self.send::<DeleteClientNote>(
                kind,
                delete_client_note::Variables {
                    id,
                    expected_version,
                },
                "Note deleted.",
                reread,
            ),
            RowKind::Enrollment => self.send::<DeleteEnrollment>(
                kind,
                delete_enrollment::Variables {
                    id,
                    expected_version,
                },
                "Enrollment deleted.",
                reread,
            ),
            RowKind::Service => self.send::<DeleteService>(
                kind,
                delete_service::Variables { id },
                "Service deleted.",
                reread,
            ),
            RowKind::CaseManager => self.send::<RemoveCaseManagerAssignment>(
                kind,
                remove_case_manager_assignment::Variables {
                    id,
                    expected_version,
                },
                "Assignment removed.",
                reread,
            ),
            // Never offered: a profile row is end-dated or corrected, not deleted.
            RowKind::ProfileRow => {}
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

/// A refused action: its label, rule and reason, in place of its button.
fn refusal(label: &str, permission: Permission) -> AnyView {
    view! {
        <small class="hint refusal">
            {format!("{label}: ")}<code>{permission.rule}</code>{format!(" {}", permission.reason)}
        </small>
        " "
    }
    .into_any()
}

#[component]
fn RowItem(row: Row, n: usize, editor: RowEditor, reread: Callback<()>) -> impl IntoView {
    let prefix = row.kind.prefix();
    let kind = row.kind;
    let row = StoredValue::new(row);
    let form = editor.form;
    let permission = move |action: &str| row.with_value(|r| r.permission(action).cloned());
    let row_id = move || row.with_value(|r| r.id.clone());

    let change_buttons = kind
        .changes()
        .iter()
        .filter_map(|change| {
            let permission = permission(change.action)?;
            if !permission.allowed {
                return Some(refusal(change.label, permission));
            }
            let open = move |_| row.with_value(|r| editor.start(r, change));
            Some(
                view! {
                    <button id=format!("{prefix}-{}-{n}", change.action) type="button"
                        class="secondary" on:click=open>{change.label}</button>
                    " "
                }
                .into_any(),
            )
        })
        .collect_view();
    let confirming = move || {
        editor
            .confirming
            .with(|c| c.as_deref() == Some(row_id().as_str()))
    };
    let delete_button = kind.deletable().then(|| permission("delete")).flatten().map(|p| {
        if !p.allowed {
            return refusal("Delete", p);
        }
        let on_click = move |_| {
            if !confirming() {
                editor.open.set(None);
                editor.outcome.set(None);
                editor.form.error.set(None);
                editor.confirming.set(Some(row_id()));
                return;
            }
            if form.begin() {
                row.with_value(|r| editor.delete(r, reread));
            }
        };
        view! {
            <button id=format!("{prefix}-delete-{n}") type="button" class="danger" on:click=on_click>
                {move || if confirming() { "Confirm: delete" } else { "Delete" }}
            </button>
        }
        .into_any()
    });

    let forms = kind
        .changes()
        .iter()
        .map(|change| {
            let on_submit = move |ev: SubmitEvent| {
                if form.start(&ev) {
                    row.with_value(|r| editor.save(r, change.action, reread));
                }
            };
            move || {
                editor.is_open(&row_id(), change.action).then(|| view! {
                    <form class="inline" on:submit=on_submit>
                        {change.fields.iter().zip(editor.values).enumerate()
                            .map(|(i, (&field, value))| form_field(i, field, value))
                            .collect_view()}
                        <button id="row-save" type="submit" disabled=move || form.pending.get()>"Save"</button>
                        <button id="row-cancel" type="button" class="secondary"
                            on:click=move |_| editor.open.set(None)>"Cancel"</button>
                        <ErrorAlert id="row-error" error=form.error />
                    </form>
                })
            }
        })
        .collect_view();

    let (what, who) = row.with_value(|r| (r.what.clone(), r.who.clone()));
    view! {
        <li class="record">
            {what}<br /><small class="hint">{format!("Entered by {who}")}</small>
            <div class="record-actions">{change_buttons}{delete_button}</div>
            {forms}
            {move || confirming().then(|| view! { <ErrorAlert id="row-error" error=form.error /> })}
        </li>
    }
}

/// The `i`th field of an open change's form (`row-field-0`, …), bound to `value`.
fn form_field(i: usize, (label, kind): FieldSpec, value: RwSignal<String>) -> AnyView {
    const IDS: [&str; 4] = ["row-field-0", "row-field-1", "row-field-2", "row-field-3"];
    let id = IDS[i.min(IDS.len() - 1)];
    if kind == "checkbox" {
        return view! {
            <div class="check">
                <input id=id type="checkbox" prop:checked=move || value.get() == CHECKED
                    on:change=move |ev| value.set(if event_target_checked(&ev) { CHECKED.to_owned() } else { String::new() }) />
                <label for=id>{label}</label>
            </div>
        }
        .into_any();
    }
    view! { <Field id label kind value required=false /> }.into_any()
}
