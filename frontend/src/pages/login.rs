//! Log in to a CoC's tenant. Shown at `/login`, and at any screen's address while signed out:
//! once signed in, that screen appears.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate};

use crate::api::{self, Api};
use crate::components::{ErrorAlert, Field, Submission};
use crate::queries::{Login, login};
use crate::security_key;
use crate::session::Session;

/// The API's answer to a right password on an account with a second factor.
const SECOND_FACTOR_REQUIRED: &str = "SECOND_FACTOR_REQUIRED";

#[component]
pub fn LoginPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let navigate = use_navigate();
    let location = use_location();
    let slug = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // Shown once the API asks for a second factor; the password stays typed meanwhile.
    let code_asked = RwSignal::new(false);
    // The ceremony a security key may answer instead, when the account has one.
    let key_ceremony = RwSignal::new(None::<serde_json::Value>);
    let form = Submission::new();
    let (pending, error) = (form.pending, form.error);

    let send = move |webauthn: Option<login::WebauthnAssertionInput>| {
        let variables = login::Variables {
            tenant_slug: slug.get_untracked().trim().to_owned(),
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            second_factor_code: (code_asked.get_untracked() && webauthn.is_none())
                .then(|| code.get_untracked().trim().to_owned()),
            webauthn,
        };
        let navigate = navigate.clone();
        let on_login_screen = location.pathname.get_untracked() == "/login";
        spawn_local(async move {
            let result = api::send::<Login>(variables, None).await;
            pending.set(false);
            match result {
                Ok(data) => {
                    password.set(String::new());
                    code.set(String::new());
                    key_ceremony.set(None);
                    let auth = data.login;
                    api.session.set(Some(Session::from(auth)));
                    if on_login_screen {
                        navigate("/", Default::default());
                    }
                }
                Err(e)
                    if e.code.as_deref() == Some(SECOND_FACTOR_REQUIRED)
                        && !code_asked.get_untracked() =>
                {
                    key_ceremony.set(e.webauthn);
                    code_asked.set(true);
                }
                Err(e) => {
                    code.set(String::new());
                    error.set(Some(e));
                }
            }
        });
    };
    let on_submit = {
        let send = send.clone();
        move |ev: SubmitEvent| {
            if form.start(&ev) {
                send(None);
            }
        }
    };
    // A security key answers the ceremony the API offered; the answer signs in once.
    let use_key = move |_| {
        let Some(ceremony) = key_ceremony.get_untracked() else {
            return;
        };
        if !form.begin() {
            return;
        }
        let send = send.clone();
        spawn_local(async move {
            let challenge_id = ceremony["challengeId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            match security_key::get(&ceremony["options"]).await {
                Ok(credential) => send(Some(login::WebauthnAssertionInput {
                    challenge_id,
                    credential,
                })),
                Err(e) => {
                    form.finish::<()>(Err(e));
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
                {move || key_ceremony.with(Option::is_some).then(|| view! {
                    <p>
                        <button id="login-key" type="button" class="secondary" on:click=use_key.clone()
                            disabled=move || pending.get()>
                            "Use my security key instead"
                        </button>
                    </p>
                })}
                <ErrorAlert id="login-error" error />
                <button id="login-submit" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
            <p>
                "New Continuum of Care? " <a id="show-signup" href="/signup">"Sign up"</a>
            </p>
        </section>
    }
}
