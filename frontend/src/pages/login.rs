//! Log in to a CoC's tenant.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;

use super::{ErrorAlert, Field};
use crate::graphql::{self, GraphqlError};
use crate::session::Session;

// The input object is written inline so the query does not depend on its GraphQL type name.
const LOGIN: &str = "mutation Login($tenantSlug: String!, $email: String!, $password: String!) { \
    login(input: { tenantSlug: $tenantSlug, email: $email, password: $password }) { \
    accessToken refreshToken expiresAt user { id email displayName role } } }";

#[derive(Deserialize)]
struct LoginData {
    login: Session,
}

#[component]
pub fn LoginPage(session: RwSignal<Option<Session>>) -> impl IntoView {
    let slug = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<GraphqlError>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let variables = json!({
            "tenantSlug": slug.get_untracked().trim(),
            "email": email.get_untracked().trim(),
            "password": password.get_untracked(),
        });
        spawn_local(async move {
            let result = graphql::request::<LoginData>(LOGIN, variables, None).await;
            pending.set(false);
            match result {
                Ok(data) => {
                    password.set(String::new());
                    session.set(Some(data.login));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section aria-labelledby="login-title">
            <h2 id="login-title">"Log in"</h2>
            <form id="login-form" on:submit=on_submit>
                <Field id="login-slug" label="CoC slug" value=slug autocomplete="organization" />
                <Field id="login-email" label="Email" value=email kind="email" autocomplete="username" />
                <Field
                    id="login-password"
                    label="Password"
                    value=password
                    kind="password"
                    autocomplete="current-password"
                />
                <ErrorAlert id="login-error" error />
                <button id="login-submit" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
            <p>
                "New Continuum of Care? " <a id="show-signup" href="#signup">"Sign up"</a>
            </p>
        </section>
    }
}
