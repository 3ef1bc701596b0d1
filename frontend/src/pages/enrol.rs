//! Enrolling an authenticator app, for a person whose role needs a second factor
//! (`AUTH-2FA-ENROL`): the secret to add to the app, its first code, then ten backup codes to
//! keep. Nothing else is reachable until it is done.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Api;
use crate::components::{ErrorAlert, Field, Submission, error_view, reading};
use crate::queries::{
    BeginTotpEnrolment, ConfirmTotpEnrolment, begin_totp_enrolment, confirm_totp_enrolment,
};

#[component]
pub fn EnrolPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let (begun, _) = reading::<BeginTotpEnrolment>(|| Some(begin_totp_enrolment::Variables));
    let code = RwSignal::new(String::new());
    let form = Submission::new();
    let (pending, error) = (form.pending, form.error);
    let backup_codes = RwSignal::new(None::<Vec<String>>);

    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let variables = confirm_totp_enrolment::Variables {
            code: code.get_untracked().trim().to_owned(),
        };
        spawn_local(async move {
            let result = api.run::<ConfirmTotpEnrolment>(variables).await;
            code.set(String::new());
            if let Some(data) = form.finish(result) {
                backup_codes.set(Some(data.confirm_totp_enrolment.backup_codes));
            }
        });
    };
    let done = move |_| {
        api.session.update(|s| {
            if let Some(s) = s {
                s.second_factor_enrolment_due = false;
            }
        });
    };

    let step_one = move || {
        begun.get().map(|result| match result {
            Err(e) => error_view("enrol-error", e).into_any(),
            Ok(data) => view! {
                <ol class="steps">
                    <li>
                        "Add this key to an authenticator app (type it, or open the link on the device): "
                        <code id="totp-secret" class="secret">{data.begin_totp_enrolment.secret.clone()}</code>
                        " "
                        <a id="totp-uri" href=data.begin_totp_enrolment.uri.clone()>"otpauth link"</a>
                    </li>
                    <li>
                        <form id="enrol-form" on:submit=on_submit>
                            <Field
                                id="totp-code"
                                label="The six-digit code the app shows"
                                value=code
                                autocomplete="one-time-code"
                            />
                            <ErrorAlert id="enrol-error" error />
                            <button id="totp-confirm" type="submit" disabled=move || pending.get()>
                                {move || if pending.get() { "Checking…" } else { "Confirm" }}
                            </button>
                        </form>
                    </li>
                </ol>
            }
            .into_any(),
        })
    };

    view! {
        <section aria-labelledby="enrol-title">
            <h2 id="enrol-title">"Set up a second factor"</h2>
            <p>
                "Your role must sign in with a second factor (AUTH-2FA-ENROL). "
                "Set up an authenticator app to go on."
            </p>
            {move || match backup_codes.get() {
                None => step_one().into_any(),
                Some(codes) => view! {
                    <p>
                        "Done. Keep these backup codes somewhere safe: each signs you in once "
                        "if you lose the app. They are not shown again."
                    </p>
                    <ol id="backup-codes" class="backup-codes">
                        {codes
                            .into_iter()
                            .enumerate()
                            .map(|(i, c)| view! { <li><code id=format!("backup-code-{i}")>{c}</code></li> })
                            .collect_view()}
                    </ol>
                    <button id="enrol-done" type="button" on:click=done>"I have kept them"</button>
                }
                .into_any(),
            }}
        </section>
    }
}
