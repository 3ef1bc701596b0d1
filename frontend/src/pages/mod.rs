//! The console's screens and the few pieces they share.

pub mod enrol;
pub mod home;
pub mod login;
pub mod signup;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::graphql::GraphqlError;

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
        if self.pending.get_untracked() {
            return false;
        }
        self.pending.set(true);
        self.error.set(None);
        true
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

/// Shows `errors[0].message` and its `extensions.code`, announced as an alert.
#[component]
pub fn ErrorAlert(id: &'static str, error: RwSignal<Option<GraphqlError>>) -> impl IntoView {
    move || error.get().map(|e| error_view(id, e))
}

/// One error, announced as an alert: the message, then the code.
pub fn error_view(id: &'static str, error: GraphqlError) -> impl IntoView {
    view! {
        <div id=id class="error" role="alert">
            <span class="error-message">{error.message}</span>
            {error.code.map(|code| view! { " " <code class="error-code">{code}</code> })}
        </div>
    }
}
