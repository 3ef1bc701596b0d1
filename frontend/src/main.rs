//! Concord admin console: a Leptos client-side app that speaks only GraphQL.

mod api;
mod components;
mod drafts;
mod frame;
mod pages;
mod queries;
mod screens;
mod security_key;
mod session;
mod time;
mod transfer;

use leptos::prelude::*;
use leptos_router::Lazy;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use api::Api;
use frame::Frame;
use pages::accept::AcceptPage;
use pages::enrol::EnrolPage;
use pages::home::HomePage;
use pages::login::LoginPage;
use pages::not_found::NotFoundPage;
use pages::signup::SignUpPage;
use session::Session;

/// Where the console stands with the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Asking whether the refresh cookie still holds a session (a reload).
    Resuming,
    SignedOut,
    /// Signed in, but the role needs a second factor first (`AUTH-2FA-ENROL`).
    Enrolling,
    SignedIn,
}

impl Stage {
    fn of(resumed: bool, session: Option<&Session>) -> Self {
        match session {
            _ if !resumed => Self::Resuming,
            None => Self::SignedOut,
            Some(s) if s.second_factor_enrolment_due => Self::Enrolling,
            Some(_) => Self::SignedIn,
        }
    }
}

#[component]
fn App() -> impl IntoView {
    let api = Api {
        session: RwSignal::new(None),
        drafts: drafts::Drafts::new(),
    };
    provide_context(api);
    provide_context(frame::InboxChanged(RwSignal::new(0)));
    provide_context(frame::SignedInRole(RwSignal::new(None)));
    // A reload keeps the session: the refresh cookie buys a new access token, if it can.
    let resumed = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Ok(session) = api::refresh().await {
            api.session.set(Some(session));
        }
        resumed.set(true);
    });
    let stage = Memo::new(move |_| api.session.with(|s| Stage::of(resumed.get(), s.as_ref())));

    view! {
        <Router>
            <header class="top">
                <h1><a href="/">"Concord"</a></h1>
                {move || (stage.get() == Stage::SignedIn).then(|| view! { <Frame /> })}
            </header>
            <main id="main">
                {move || match stage.get() {
                    Stage::Resuming => components::loading("resuming").into_any(),
                    Stage::Enrolling => view! { <EnrolPage /> }.into_any(),
                    Stage::SignedIn => view! {
                        <Routes fallback=NotFoundPage>
                            <Route path=path!("/") view=HomePage />
                            <Route path=path!("/agencies") view={Lazy::<screens::Agencies>::new()} />
                            <Route path=path!("/people") view={Lazy::<screens::People>::new()} />
                            <Route path=path!("/plan") view={Lazy::<screens::Plan>::new()} />
                            <Route path=path!("/notifications") view={Lazy::<screens::Notifications>::new()} />
                            <Route path=path!("/clients") view={Lazy::<screens::Clients>::new()} />
                            <Route path=path!("/clients/:id") view={Lazy::<screens::Client>::new()} />
                            <Route path=path!("/clients/:id/summary") view={Lazy::<screens::Summary>::new()} />
                            <Route path=path!("/cases") view={Lazy::<screens::Cases>::new()} />
                            <Route path=path!("/cases/:id") view={Lazy::<screens::Case>::new()} />
                            <Route path=path!("/compliance") view={Lazy::<screens::Compliance>::new()} />
                            <Route path=path!("/audit") view={Lazy::<screens::Audit>::new()} />
                            <Route path=path!("/integrations") view={Lazy::<screens::Integrations>::new()} />
                            <Route path=path!("/accept") view=AcceptPage />
                            <Route path=path!("/login") view=HomePage />
                            <Route path=path!("/signup") view=HomePage />
                        </Routes>
                    }
                    .into_any(),
                    // Any screen's address asks for sign-in, and shows that screen after.
                    Stage::SignedOut => view! {
                        <Routes fallback=LoginPage>
                            <Route path=path!("/") view=SignUpPage />
                            <Route path=path!("/signup") view=SignUpPage />
                            <Route path=path!("/accept") view=AcceptPage />
                        </Routes>
                    }
                    .into_any(),
                }}
            </main>
        </Router>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}

#[cfg(test)]
mod tests {
    use super::{Session, Stage};

    fn session(enrolment_due: bool) -> Session {
        Session {
            access_token: "token".into(),
            second_factor_enrolment_due: enrolment_due,
            user_id: "user".into(),
        }
    }

    #[test]
    fn a_reload_waits_for_the_session_then_shows_what_it_allows() {
        assert_eq!(Stage::of(false, None), Stage::Resuming);
        assert_eq!(Stage::of(true, None), Stage::SignedOut);
        assert_eq!(Stage::of(true, Some(&session(true))), Stage::Enrolling);
        assert_eq!(Stage::of(true, Some(&session(false))), Stage::SignedIn);
    }
}
