//! An address the console has no screen for.

use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section aria-labelledby="not-found-title">
            <h2 id="not-found-title">"No such screen"</h2>
            <p>"This address is not a screen of the console. " <a href="/">"Go home"</a></p>
        </section>
    }
}
