//! Enrolling an authenticator app, for a person whose role needs a second factor
//! (`AUTH-2FA-ENROL`): the secret to add to the app, its first code, then ten backup codes to
//! keep. Nothing else is reachable until it is done.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;

use super::{ErrorAlert, Field, Submission, error_view};
use crate::graphql;
use crate::session::Session;

const BEGIN: &str = "mutation BeginTotpEnrolment { beginTotpEnrolment { secret uri } }";
const CONFIRM: &str = "mutation ConfirmTotpEnrolment($code: String!) { \
    confirmTotpEnrolment(input: { code: $code }) { backupCodes } }";

#[derive(Clone, Deserialize)]
struct BeginData {
    #[serde(rename = "beginTotpEnrolment")]
    enrolment: Enrolment,
}

#[derive(Clone, Deserialize)]
struct Enrolment {
    secret: String,
    uri: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfirmData {
    confirm_totp_enrolment: BackupCodes,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BackupCodes {
    backup_codes: Vec<String>,
}

#[component]
pub fn EnrolPage(session: RwSignal<Option<Session>>) -> impl IntoView {
    let token = move || session.with_untracked(|s| s.as_ref().map(|s| s.access_token.clone()));
    let begun = LocalResource::new(move || {
        let token = token();
        async move { graphql::request::<BeginData>(BEGIN, json!({}), token.as_deref()).await }
    });
    let code = RwSignal::new(String::new());
    let form = Submission::new();
    let (pending, error) = (form.pending, form.error);
    let backup_codes = RwSignal::new(None::<Vec<String>>);

    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let variables = json!({ "code": code.get_untracked().trim() });
        let token = token();
        spawn_local(async move {
            let result =
                graphql::request::<ConfirmData>(CONFIRM, variables, token.as_deref()).await;
            pending.set(false);
            code.set(String::new());
            match result {
                Ok(data) => backup_codes.set(Some(data.confirm_totp_enrolment.backup_codes)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let done = move |_| {
        session.update(|s| {
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
                        <code id="totp-secret" class="secret">{data.enrolment.secret.clone()}</code>
                        " "
                        <a id="totp-uri" href=data.enrolment.uri.clone()>"otpauth link"</a>
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
