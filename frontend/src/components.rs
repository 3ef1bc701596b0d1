//! The one set of form, error and list pieces every screen uses.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use graphql_client::GraphQLQuery;
use leptos::task::spawn_local;

use crate::api::{Api, GraphqlError};

/// A form's sending state: one submission at a time, and the last error.
#[derive(Clone, Copy)]
pub struct Submission {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<GraphqlError>>,
}

impl Submission {
    pub fn new() -> Self {
        Self {
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Takes the form's submit event: false while a submission is under way; otherwise it
    /// starts one and clears the last error.
    pub fn start(&self, ev: &SubmitEvent) -> bool {
        ev.prevent_default();
        self.begin()
    }

    /// `start`, for a button outside a form.
    pub fn begin(&self) -> bool {
        if self.pending.get_untracked() {
            return false;
        }
        self.pending.set(true);
        self.error.set(None);
        true
    }

    /// Ends the submission with its outcome: the error is shown; success is the caller's.
    pub fn finish<T>(&self, result: Result<T, GraphqlError>) -> Option<T> {
        self.pending.set(false);
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.error.set(Some(e));
                None
            }
        }
    }
}

impl Submission {
    /// Sends `Q` as the signed-in person: `done` gets the answer, or the form shows the error.
    pub fn send<Q>(
        self,
        api: Api,
        variables: Q::Variables,
        done: impl FnOnce(Q::ResponseData) + 'static,
    ) where
        Q: GraphQLQuery + 'static,
        Q::Variables: Clone + 'static,
    {
        spawn_local(async move {
            if let Some(data) = self.finish(api.run::<Q>(variables).await) {
                done(data);
            }
        });
    }
}

/// A labelled, required input bound to `value`, with an optional hint read by screen readers.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described_by = hint.map(|_| hint_id.clone());
    if kind != "password" {
        keep_through_session_end(id, value);
    }
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required=required
                aria-describedby=described_by
                bind:value=value
            />
            {hint.map(|text| view! { <small id=hint_id class="hint">{text}</small> })}
        </div>
    }
}

/// When the session ends under the person (the field closes with no session left), what the
/// field holds is kept; when they sign in again and the same screen shows the field, it is
/// put back. Passwords are never kept.
fn keep_through_session_end(id: &'static str, value: RwSignal<String>) {
    let Some(api) = use_context::<Api>() else {
        return;
    };
    let path = window().location().pathname().unwrap_or_default();
    let key = format!("{path}#{id}");
    let user = api
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user_id.clone()));
    if let Some(kept) = user.and_then(|user| api.drafts.take(&key, &user)) {
        value.set(kept);
    }
    on_cleanup(move || {
        if api.session.with_untracked(Option::is_none)
            && let Some(typed) = value.try_get_untracked()
        {
            api.drafts.keep(key, typed);
        }
    });
}

/// A labelled, required choice among `options` (value, label), bound to `value`.
#[component]
pub fn Choice(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(default = true)] required: bool,
    /// What the empty choice says, where "Choose…" (required) or "None" would mislead: a
    /// filter's "Any".
    #[prop(optional)]
    blank: Option<&'static str>,
) -> impl IntoView {
    let blank = blank.unwrap_or(if required { "Choose…" } else { "None" });
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=id required=required bind:value=value>
                <option value="">{blank}</option>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| view! { <option value=option>{text}</option> })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// A group of checkboxes, one per option (value, label), gathering the values ticked.
#[component]
pub fn Checks(
    id: &'static str,
    legend: &'static str,
    options: Vec<(String, String)>,
    chosen: RwSignal<Vec<String>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <fieldset id=id>
            <legend>{legend}</legend>
            {hint.map(|text| view! { <small class="hint">{text}</small> })}
            {options.into_iter().map(|(value, label)| {
                let box_id = format!("{id}-{}", value.to_lowercase().replace('_', "-"));
                let ticked = {
                    let value = value.clone();
                    move || chosen.with(|c| c.contains(&value))
                };
                let toggle = move |_| {
                    chosen.update(|c| match c.iter().position(|v| *v == value) {
                        Some(at) => {
                            c.remove(at);
                        }
                        None => c.push(value.clone()),
                    })
                };
                view! {
                    <div class="check">
                        <input type="checkbox" id=box_id.clone() prop:checked=ticked on:change=toggle />
                        <label for=box_id>{label}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// A secret shown this once, in a read-only field to copy from.
pub fn shown_once(id: &'static str, what: String, secret: String) -> impl IntoView {
    view! {
        <div class="notice" role="status">
            <p>{what}</p>
            <label for=id>"Shown this once: copy it now"</label>
            <input id=id readonly value=secret />
        </div>
    }
}

/// Shows the last error of `error`, announced as an alert.
#[component]
pub fn ErrorAlert(id: &'static str, error: RwSignal<Option<GraphqlError>>) -> impl IntoView {
    move || error.get().map(|e| error_view(id, e))
}

/// One error, announced as an alert: the message, then the rule that decided (`ROLE-1`,
/// `DEM-2`, …) and the code.
pub fn error_view(id: impl Into<String>, error: GraphqlError) -> impl IntoView {
    let id = id.into();
    view! {
        <div id=id class="error" role="alert">
            <span class="error-message">{error.message}</span>
            {error.rule.map(|rule| view! { " " <code class="error-rule">{rule}</code> })}
            {error.code.map(|code| view! { " " <code class="error-code">{code}</code> })}
        </div>
    }
}

/// A list read page by page: the rows so far, where the next page starts, and the total.
pub struct Paged<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<String>>,
    pub total: RwSignal<Option<i64>>,
    pub error: RwSignal<Option<GraphqlError>>,
    /// Counts the times the list was cleared: a page asked for before the last clear (a
    /// filter typed on, a sort changed) is dropped when it arrives.
    generation: StoredValue<u64>,
}

// Signals are handles: a list is copied into each closure that reads it, whatever it holds.
impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Clone + Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Self {
            rows: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            total: RwSignal::new(None),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Adds a page: its rows, the cursor after it when there is more, and the list's total.
    pub fn add(&self, rows: Vec<T>, has_next: bool, end: Option<String>, total: i64) {
        self.rows.update(|all| all.extend(rows));
        self.next.set(if has_next { end } else { None });
        self.total.set(Some(total));
    }

    /// Reads a page with `Q` and adds it: `page` picks the rows, whether more follow, the
    /// cursor after them and the total out of the answer. A failure is kept in `error`.
    pub fn fetch<Q>(
        self,
        api: Api,
        variables: Q::Variables,
        page: impl FnOnce(Q::ResponseData) -> (Vec<T>, bool, Option<String>, i64) + 'static,
    ) where
        Q: GraphQLQuery + 'static,
        Q::Variables: Clone + 'static,
    {
        let asked_in = self.generation.get_value();
        spawn_local(async move {
            let answer = api.run::<Q>(variables).await;
            if self.generation.try_get_value() != Some(asked_in) {
                return;
            }
            match answer {
                Ok(data) => {
                    let (rows, has_next, end, total) = page(data);
                    self.add(rows, has_next, end, total);
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// Reads the list from its start now, and again whenever what `track` reads changes (a
    /// filter typed, a sort chosen, a change the screen made).
    pub fn read_following(
        self,
        track: impl Fn() + 'static,
        load: impl Fn(Option<String>) + 'static,
    ) {
        Effect::new(move |_| {
            track();
            self.clear();
            load(None);
        });
    }

    pub fn clear(&self) {
        self.generation.update_value(|n| *n += 1);
        self.rows.set(Vec::new());
        self.next.set(None);
        self.total.set(None);
        self.error.set(None);
    }
}

/// The answer to a read: `None` until the first arrives; a read again keeps showing the last
/// answer until its own arrives.
pub type Answer<T> = RwSignal<Option<Result<T, GraphqlError>>>;

/// Reads `Q` now, whenever `variables` change (the signals they read are tracked), and each
/// time the returned callback runs (after a change the screen made). `None` variables ask for
/// nothing and clear the answer. Only the latest read's answer is kept: an earlier one that
/// arrives late (a search typed on) is dropped. Plain signals rather than a resource: the
/// same behaviour, and a tenth of the bundle less.
pub fn reading<Q>(
    variables: impl Fn() -> Option<Q::Variables> + 'static,
) -> (Answer<Q::ResponseData>, Callback<()>)
where
    Q: GraphQLQuery + 'static,
    Q::ResponseData: Send + Sync,
{
    let api = expect_context::<Api>();
    let answer: Answer<Q::ResponseData> = RwSignal::new(None);
    let reads = RwSignal::new(0_u32);
    let latest = StoredValue::new(0_u64);
    Effect::new(move |_| {
        reads.track();
        let asked = variables();
        latest.update_value(|n| *n += 1);
        let this = latest.get_value();
        let Some(asked) = asked else {
            answer.set(None);
            return;
        };
        spawn_local(async move {
            let result = api.run::<Q>(asked).await;
            if latest.try_get_value() == Some(this) {
                answer.set(Some(result));
            }
        });
    });
    (answer, Callback::new(move |()| reads.update(|n| *n += 1)))
}

/// A screen `name` showing one answer: "Loading…" until it comes, the error under the
/// screen's `title` if it fails, and `show` of it once read.
pub fn screen_of<T: Clone + Send + Sync + 'static>(
    name: &'static str,
    title: &'static str,
    read: Answer<T>,
    show: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <section aria-labelledby=format!("{name}-title")>
            {move || match read.get() {
                None => loading(format!("{name}-loading")).into_any(),
                Some(Err(e)) => view! {
                    <h2 id=format!("{name}-title")>{title}</h2>
                    {error_view(format!("{name}-error"), e)}
                }.into_any(),
                Some(Ok(data)) => show(data),
            }}
        </section>
    }
}

/// A counted connection's page as `Paged::fetch` adds it: its nodes, whether more follow,
/// the cursor after them, and the list's total. A macro because each operation's connection
/// is a type of its own.
#[macro_export]
macro_rules! counted_page {
    ($connection:expr) => {{
        let page = $connection;
        (
            page.nodes,
            page.page_info.has_next_page,
            page.page_info.end_cursor,
            page.total_count,
        )
    }};
}

/// How a table is sorted: by a field as the schema spells it (`NAME`, `EMAIL`, …), and which
/// way; unsorted, the list keeps its own order (when each row was created).
#[derive(Clone, Copy)]
pub struct Sorting {
    by: RwSignal<Option<(&'static str, bool)>>,
    /// Whether the list's own order runs newest first.
    newest_first: bool,
}

impl Sorting {
    pub fn new(newest_first: bool) -> Self {
        Self {
            by: RwSignal::new(None),
            newest_first,
        }
    }

    /// The field to send as the schema spells it: `CREATED` while unsorted.
    pub fn field(&self) -> &'static str {
        self.by
            .get_untracked()
            .map_or("CREATED", |(field, _)| field)
    }

    /// The direction to send as the schema spells it.
    pub fn direction(&self) -> &'static str {
        let descending = self
            .by
            .get_untracked()
            .map_or(self.newest_first, |(_, descending)| descending);
        if descending { "DESC" } else { "ASC" }
    }

    /// Makes the running effect read the list again when the sort changes.
    pub fn track(&self) {
        self.by.track();
    }

    /// `field` ascending, then descending, then the list's own order again.
    fn next(&self, field: &'static str) {
        self.by.update(|by| {
            *by = match *by {
                Some((current, false)) if current == field => Some((field, true)),
                Some((current, true)) if current == field => None,
                _ => Some((field, false)),
            }
        });
    }
}

/// A column header that sorts its table by `field`: a button that sorts ascending, then
/// descending, then back; `aria-sort` tells screen readers how the table is sorted now.
#[component]
pub fn SortHeader(
    id: &'static str,
    label: &'static str,
    field: &'static str,
    sorting: Sorting,
) -> impl IntoView {
    let state = move || match sorting.by.get() {
        Some((current, descending)) if current == field => Some(descending),
        _ => None,
    };
    view! {
        <th scope="col" aria-sort=move || match state() {
            Some(false) => "ascending",
            Some(true) => "descending",
            None => "none",
        }>
            <button id=id type="button" class="sort" on:click=move |_| sorting.next(field)>
                {label}
                <span aria-hidden="true">{move || match state() {
                    Some(false) => " ▲",
                    Some(true) => " ▼",
                    None => " ↕",
                }}</span>
            </button>
        </th>
    }
}

/// Whether a filter's status choice asks for active rows (`Some(true)`), deactivated ones,
/// or either (empty).
pub fn active_filter(choice: &str) -> Option<bool> {
    match choice {
        "ACTIVE" => Some(true),
        "DEACTIVATED" => Some(false),
        _ => None,
    }
}

/// The choices of an active/deactivated filter.
pub fn active_options() -> Vec<(String, String)> {
    pairs(&[("ACTIVE", "Active"), ("DEACTIVATED", "Deactivated")])
}

/// Text typed into a filter, as the API takes it: `None` while blank.
pub fn filter_text(typed: &str) -> Option<String> {
    let typed = typed.trim();
    (!typed.is_empty()).then(|| typed.to_owned())
}

/// What a list is waiting for, or says when it has nothing.
pub fn loading(id: impl Into<String>) -> impl IntoView {
    let id = id.into();
    view! { <p id=id class="loading" aria-busy="true">"Loading…"</p> }
}

/// "Show more" under a list while it has another page; `load` reads the page after `cursor`.
#[component]
pub fn ShowMore<T: Send + Sync + 'static>(
    #[prop(into)] id: String,
    label: &'static str,
    list: Paged<T>,
    load: Callback<Option<String>>,
) -> impl IntoView {
    move || {
        list.next.get().map(|cursor| {
            view! {
                <button id=id.clone() type="button" class="secondary"
                    on:click=move |_| load.run(Some(cursor.clone()))>
                    {label}
                </button>
            }
        })
    }
}

/// "Name (Agency), 2026-12-06 20:23" for who did something, from which agency and when, as
/// PROV-1 shows it: `agency` is `None` for the Data Center, which belongs to none.
pub fn stamp_text(user: Option<&str>, agency: Option<&str>, at: &str) -> String {
    format!(
        "{} ({}), {}",
        user.unwrap_or("Concord"),
        agency.unwrap_or("Data Center"),
        crate::time::minute(at)
    )
}

/// `stamp_text` of a `ProvenanceStamp` selection (`user { displayName } agency { name } at`),
/// whichever operation's type it is.
#[macro_export]
macro_rules! stamp_of {
    ($stamp:expr) => {{
        let stamp = $stamp;
        $crate::components::stamp_text(
            stamp.user.display_name.as_deref(),
            stamp
                .agency
                .as_ref()
                .map(|a| a.name.as_deref().unwrap_or_default()),
            &stamp.at,
        )
    }};
}

/// A GraphQL enum value as the schema spells it (`DATA_CENTER`).
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The enum value the schema spells `name` (generated enums keep an unknown one as `Other`).
pub fn enum_value<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// The roles a person may be given, as the schema spells them and as people read them.
pub const ROLES: [(&str, &str); 3] = [
    ("DATA_CENTER", "Data Center"),
    ("AGENCY_ADMIN", "Agency administrator"),
    ("USER", "User"),
];

/// Fixed (value, label) pairs as a choice offers them.
pub fn pairs(fixed: &[(&str, &str)]) -> Vec<(String, String)> {
    fixed
        .iter()
        .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
        .collect()
}

/// The roles as a choice offers them.
pub fn role_options() -> Vec<(String, String)> {
    pairs(&ROLES)
}

/// How people read a role the schema spells `name`.
pub fn role_label(name: &str) -> String {
    ROLES
        .iter()
        .find(|(value, _)| *value == name)
        .map_or_else(|| name.to_owned(), |(_, label)| (*label).to_owned())
}
