//! The console's screens and the few pieces they share.

pub mod home;
pub mod login;
pub mod signup;

use leptos::prelude::*;

use crate::graphql::GraphqlError;

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
