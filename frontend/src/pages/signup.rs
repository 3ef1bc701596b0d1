//! A Continuum of Care signs itself up, with its first Data Center user.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Api};
use crate::components::{ErrorAlert, Field, Submission, enum_name};
use crate::queries::{SignUpTenant, sign_up_tenant};
use crate::session::Session;

/// A tenant registered but waiting for a platform administrator's approval.
#[derive(Clone)]
struct NewTenant {
    name: String,
    coc_code: String,
    status: String,
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let api = expect_context::<Api>();
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
        let variables = sign_up_tenant::Variables {
            coc_name: coc_name.get_untracked().trim().to_owned(),
            coc_code: coc_code.get_untracked().trim().to_owned(),
            slug: slug.get_untracked().trim().to_owned(),
            admin_email: admin_email.get_untracked().trim().to_owned(),
            admin_name: admin_name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let result = api::send::<SignUpTenant>(variables, None).await;
            let Some(data) = form.finish(result) else {
                return;
            };
            password.set(String::new());
            let payload = data.sign_up_tenant;
            match payload.auth {
                Some(auth) => api.session.set(Some(Session::from(auth))),
                None => awaiting_approval.set(Some(NewTenant {
                    name: payload.tenant.name,
                    coc_code: payload.tenant.coc_code,
                    status: enum_name(&payload.tenant.status),
                })),
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
                "Already signed up? " <a id="show-login" href="/login">"Log in"</a>
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
