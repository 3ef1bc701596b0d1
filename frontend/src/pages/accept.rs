//! Accepting an invitation (`/accept`): the link an inviter passes on carries the CoC and the
//! code in its fragment (`#tenant=…&code=…`), which fills the form; the invitee chooses their
//! name and password and is signed in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::{self, Api};
use crate::components::{ErrorAlert, Field, Submission};
use crate::queries::{AcceptInvitation, accept_invitation};
use crate::session::Session;

/// `name`'s value in a fragment such as `#tenant=nc-502&code=…`.
fn fragment_value(fragment: &str, name: &str) -> String {
    fragment
        .trim_start_matches('#')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default()
}

#[component]
pub fn AcceptPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let navigate = use_navigate();
    let fragment = window().location().hash().unwrap_or_default();
    let slug = RwSignal::new(fragment_value(&fragment, "tenant"));
    let code = RwSignal::new(fragment_value(&fragment, "code"));
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let variables = accept_invitation::Variables {
            tenant_slug: slug.get_untracked().trim().to_owned(),
            token: code.get_untracked().trim().to_owned(),
            display_name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::send::<AcceptInvitation>(variables, None).await;
            if let Some(data) = form.finish(result) {
                password.set(String::new());
                let auth = data.accept_invitation;
                api.session.set(Some(Session::from(auth)));
                navigate("/", Default::default());
            }
        });
    };
    view! {
        <section aria-labelledby="accept-title">
            <h2 id="accept-title">"Accept an invitation"</h2>
            <form id="accept-form" on:submit=on_submit>
                <Field id="accept-slug" label="CoC sign-in name" value=slug autocomplete="organization" />
                <Field id="accept-code" label="Invitation code" value=code
                    hint="From the invitation e-mail or the link you were given." />
                <Field id="accept-name" label="Your name" value=name autocomplete="name" />
                <Field id="accept-password" label="Choose a password" value=password kind="password"
                    autocomplete="new-password" hint="At least 12 characters; common passwords are refused." />
                <ErrorAlert id="accept-error" error=form.error />
                <button id="accept-submit" type="submit" disabled=move || form.pending.get()>
                    "Accept and sign in"
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::fragment_value;

    #[test]
    fn the_link_fills_the_form() {
        let fragment = "#tenant=md-600&code=0190.abc_DEF-1";
        assert_eq!(fragment_value(fragment, "tenant"), "md-600");
        assert_eq!(fragment_value(fragment, "code"), "0190.abc_DEF-1");
        assert_eq!(fragment_value("", "code"), "");
    }
}
