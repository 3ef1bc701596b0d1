//! Concord admin console: a Leptos client-side app that speaks only GraphQL.

mod graphql;
mod pages;
mod session;

use leptos::ev;
use leptos::prelude::*;

use pages::{enrol::EnrolPage, home::HomePage, login::LoginPage, signup::SignUpPage};
use session::Session;

/// Which signed-out screen is shown; follows the URL fragment (`#login`, `#signup`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Screen {
    SignUp,
    Login,
}

impl Screen {
    fn from_hash(hash: &str) -> Self {
        match hash.trim_start_matches('#') {
            "login" => Self::Login,
            _ => Self::SignUp,
        }
    }
}

#[component]
fn App() -> impl IntoView {
    // Tokens live only in memory: a reload signs the user out.
    let session = RwSignal::new(None::<Session>);
    let signed_in = Memo::new(move |_| session.with(Option::is_some));
    let enrolment_due = Memo::new(move |_| {
        session.with(|s| s.as_ref().is_some_and(|s| s.second_factor_enrolment_due))
    });
    let screen = RwSignal::new(Screen::from_hash(&location_hash().unwrap_or_default()));
    let listener = window_event_listener(ev::hashchange, move |_| {
        screen.set(Screen::from_hash(&location_hash().unwrap_or_default()));
    });
    on_cleanup(move || listener.remove());
    let on_logged_out = Callback::new(move |()| {
        screen.set(Screen::Login);
        // Keep the address in step; the hashchange it fires finds the screen already set.
        let _ = location().set_hash("login");
        session.set(None);
    });

    view! {
        <header class="top">
            <h1>"Concord"</h1>
        </header>
        <main id="main">
            {move || {
                if enrolment_due.get() {
                    view! { <EnrolPage session /> }.into_any()
                } else if signed_in.get() {
                    view! { <HomePage session on_logged_out /> }.into_any()
                } else {
                    match screen.get() {
                        Screen::Login => view! { <LoginPage session /> }.into_any(),
                        Screen::SignUp => view! { <SignUpPage session /> }.into_any(),
                    }
                }
            }}
        </main>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}

#[cfg(test)]
mod tests {
    use super::Screen;

    #[test]
    fn screen_follows_the_fragment() {
        assert_eq!(Screen::from_hash("#login"), Screen::Login);
        assert_eq!(Screen::from_hash("login"), Screen::Login);
        assert_eq!(Screen::from_hash("#signup"), Screen::SignUp);
        assert_eq!(Screen::from_hash(""), Screen::SignUp);
    }
}
