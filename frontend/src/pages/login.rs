//! Log in to a CoC's tenant.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;

use super::{ErrorAlert, Field, Submission};
use crate::graphql;
use crate::session::Session;

// The input object is written inline so the query does not depend on its GraphQL type name.
const LOGIN: &str = "mutation Login($tenantSlug: String!, $email: String!, $password: String!, \
    $secondFactorCode: String) { login(input: { tenantSlug: $tenantSlug, email: $email, \
    password: $password, secondFactorCode: $secondFactorCode }) { \
    accessToken refreshToken expiresAt secondFactorEnrolmentDue user { id email displayName role } } }";

/// The API's answer to a right password on an account with a second factor.
const SECOND_FACTOR_REQUIRED: &str = "SECOND_FACTOR_REQUIRED";

#[derive(Deserialize)]
struct LoginData {
    login: Session,
}

#[component]
pub fn LoginPage(session: RwSignal<Option<Session>>) -> impl IntoView {
    let slug = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // Shown once the API asks for a second factor; the password stays typed meanwhile.
    let code_asked = RwSignal::new(false);
    let form = Submission::new();
    let (pending, error) = (form.pending, form.error);

    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let variables = json!({
            "tenantSlug": slug.get_untracked().trim(),
            "email": email.get_untracked().trim(),
            "password": password.get_untracked(),
            "secondFactorCode": code_asked
                .get_untracked()
                .then(|| code.get_untracked().trim().to_owned()),
        });
        spawn_local(async move {
            let result = graphql::request::<LoginData>(LOGIN, variables, None).await;
            pending.set(false);
            match result {
                Ok(data) => {
                    password.set(String::new());
                    code.set(String::new());
                    session.set(Some(data.login));
                }
                Err(e)
                    if e.code.as_deref() == Some(SECOND_FACTOR_REQUIRED)
                        && !code_asked.get_untracked() =>
                {
                    code_asked.set(true);
                }
                Err(e) => {
                    code.set(String::new());
                    error.set(Some(e));
                }
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
                {move || {
                    code_asked
                        .get()
                        .then(|| {
                            view! {
                                <Field
                                    id="login-code"
                                    label="Code from your authenticator app, or a backup code"
                                    value=code
                                    autocomplete="one-time-code"
                                    hint="Your account uses a second factor (AUTH-2FA)."
                                />
                            }
                        })
                }}
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
