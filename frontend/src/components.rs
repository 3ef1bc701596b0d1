//! The one set of form, error and list pieces every screen uses.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::GraphqlError;

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

/// A labelled, required input bound to `value`, with an optional hint read by screen readers.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described_by = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required=true
                aria-describedby=described_by
                bind:value=value
            />
            {hint.map(|text| view! { <small id=hint_id class="hint">{text}</small> })}
        </div>
    }
}

/// A labelled, required choice among `options` (value, label), bound to `value`.
#[component]
pub fn Choice(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=id required=true bind:value=value>
                <option value="">"Choose…"</option>
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

/// Shows the last error of `error`, announced as an alert.
#[component]
pub fn ErrorAlert(id: &'static str, error: RwSignal<Option<GraphqlError>>) -> impl IntoView {
    move || error.get().map(|e| error_view(id, e))
}

/// One error, announced as an alert: the message, then the rule that decided (`ROLE-1`,
/// `DEM-2`, …) and the code.
pub fn error_view(id: &'static str, error: GraphqlError) -> impl IntoView {
    view! {
        <div id=id class="error" role="alert">
            <span class="error-message">{error.message}</span>
            {error.rule.map(|rule| view! { " " <code class="error-rule">{rule}</code> })}
            {error.code.map(|code| view! { " " <code class="error-code">{code}</code> })}
        </div>
    }
}

/// What a list is waiting for, or says when it has nothing.
pub fn loading(id: &'static str) -> impl IntoView {
    view! { <p id=id class="loading" aria-busy="true">"Loading…"</p> }
}
