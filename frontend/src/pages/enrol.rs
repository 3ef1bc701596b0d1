//! Enrolling a second factor, for a person whose role needs one (`AUTH-2FA-ENROL`): an
//! authenticator app (the secret to add to it, then its first code) or a security key or
//! passkey (the browser's WebAuthn), then ten backup codes to keep. Nothing else is reachable
//! until it is done.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Api;
use crate::components::{ErrorAlert, Field, Submission, error_view, reading};
use crate::queries::{
    BeginTotpEnrolment, BeginWebauthnRegistration, ConfirmTotpEnrolment,
    FinishWebauthnRegistration, begin_totp_enrolment, begin_webauthn_registration,
    confirm_totp_enrolment, finish_webauthn_registration,
};
use crate::security_key;

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
    // Or a security key: the API's ceremony, the browser's answer, and the key registered
    // under the name given.
    let key_name = RwSignal::new("Security key".to_owned());
    let key_form = Submission::new();
    let register_key = move |_| {
        if !key_form.begin() {
            return;
        }
        let name = key_name.get_untracked().trim().to_owned();
        spawn_local(async move {
            let registered = async {
                let begun = api
                    .run::<BeginWebauthnRegistration>(begin_webauthn_registration::Variables)
                    .await?
                    .begin_webauthn_registration;
                let credential = security_key::create(&begun.options).await?;
                let variables = finish_webauthn_registration::Variables {
                    challenge_id: begun.challenge_id,
                    name,
                    credential,
                };
                api.run::<FinishWebauthnRegistration>(variables).await
            };
            if let Some(data) = key_form.finish(registered.await) {
                backup_codes.set(Some(data.finish_webauthn_registration.backup_codes));
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
    let key_step = move || {
        view! {
            <h3 id="key-title">"Or use a security key or passkey"</h3>
            <form id="key-form" class="inline" on:submit=|ev: SubmitEvent| ev.prevent_default()>
                <Field id="key-name" label="What to call it" value=key_name
                    hint="E.g. “YubiKey on my keyring”: you see this name when you manage your keys." />
                <button id="key-register" type="button" on:click=register_key
                    disabled=move || key_form.pending.get()>
                    {move || if key_form.pending.get() { "Waiting for the key…" } else { "Register a security key" }}
                </button>
                <ErrorAlert id="key-error" error=key_form.error />
            </form>
        }
    };

    view! {
        <section aria-labelledby="enrol-title">
            <h2 id="enrol-title">"Set up a second factor"</h2>
            <p>
                "Your role must sign in with a second factor (AUTH-2FA-ENROL). "
                "Set up an authenticator app, or register a security key, to go on."
            </p>
            {move || match backup_codes.get() {
                None => view! { {step_one} {key_step} }.into_any(),
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
