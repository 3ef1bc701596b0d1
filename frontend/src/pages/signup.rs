//! A Continuum of Care signs itself up, with its first Data Center user.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;

use super::{ErrorAlert, Field, Submission};
use crate::graphql;
use crate::session::Session;

// The input object is written inline so the query does not depend on its GraphQL type name.
const SIGN_UP: &str = "mutation SignUpTenant($cocName: String!, $cocCode: String!, \
    $slug: String!, $adminEmail: String!, $adminName: String!, $password: String!) { \
    signUpTenant(input: { cocName: $cocName, cocCode: $cocCode, slug: $slug, \
    adminEmail: $adminEmail, adminName: $adminName, password: $password }) { \
    tenant { name cocCode status } \
    auth { accessToken refreshToken expiresAt secondFactorEnrolmentDue user { id email displayName role } } } }";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignUpData {
    sign_up_tenant: SignUpPayload,
}

#[derive(Deserialize)]
struct SignUpPayload {
    tenant: NewTenant,
    /// Null while the tenant waits for a platform administrator's approval.
    auth: Option<Session>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewTenant {
    name: String,
    coc_code: String,
    status: String,
}

#[component]
pub fn SignUpPage(session: RwSignal<Option<Session>>) -> impl IntoView {
    let coc_name = RwSignal::new(String::new());
    let coc_code = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let admin_name = RwSignal::new(String::new());
    let admin_email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = Submission::new();
    let (pending, error) = (form.pending, form.error);
    let awaiting_approval = RwSignal::new(None::<NewTenant>);

    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        awaiting_approval.set(None);
        let variables = json!({
            "cocName": coc_name.get_untracked().trim(),
            "cocCode": coc_code.get_untracked().trim(),
            "slug": slug.get_untracked().trim(),
            "adminEmail": admin_email.get_untracked().trim(),
            "adminName": admin_name.get_untracked().trim(),
            "password": password.get_untracked(),
        });
        spawn_local(async move {
            let result = graphql::request::<SignUpData>(SIGN_UP, variables, None).await;
            pending.set(false);
            match result {
                Ok(SignUpData {
                    sign_up_tenant: payload,
                }) => {
                    password.set(String::new());
                    match payload.auth {
                        Some(auth) => session.set(Some(auth)),
                        None => awaiting_approval.set(Some(payload.tenant)),
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section aria-labelledby="signup-title">
            <h2 id="signup-title">"Sign up your Continuum of Care"</h2>
            <form id="signup-form" on:submit=on_submit>
                <fieldset>
                    <legend>"Continuum of Care"</legend>
                    <Field id="signup-coc-name" label="CoC name" value=coc_name autocomplete="organization" />
                    <Field
                        id="signup-coc-code"
                        label="HUD CoC code"
                        value=coc_code
                        hint="For example NC-502."
                    />
                    <Field
                        id="signup-slug"
                        label="Slug"
                        value=slug
                        hint="Lower-case letters, digits and dashes; you will log in with it."
                    />
                </fieldset>
                <fieldset>
                    <legend>"First Data Center administrator"</legend>
                    <Field id="signup-admin-name" label="Your name" value=admin_name autocomplete="name" />
                    <Field
                        id="signup-admin-email"
                        label="Email"
                        value=admin_email
                        kind="email"
                        autocomplete="email"
                    />
                    <Field
                        id="signup-password"
                        label="Password"
                        value=password
                        kind="password"
                        autocomplete="new-password"
                        hint="At least 12 characters; common passwords are refused."
                    />
                </fieldset>
                <ErrorAlert id="signup-error" error />
                {move || awaiting_approval.get().map(awaiting_view)}
                <button id="signup-submit" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing up…" } else { "Sign up" }}
                </button>
            </form>
            <p>
                "Already signed up? " <a id="show-login" href="#login">"Log in"</a>
            </p>
        </section>
    }
}

fn awaiting_view(tenant: NewTenant) -> impl IntoView {
    view! {
        <div id="signup-pending" class="notice" role="status">
            {format!(
                "{} ({}) is registered, status {}. You can log in once a platform \
                 administrator has approved it.",
                tenant.name,
                tenant.coc_code,
                tenant.status,
            )}
        </div>
    }
}
