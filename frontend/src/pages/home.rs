//! The signed-in home screen: who am I, which tenant, and log out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;

use super::error_view;
use crate::graphql;
use crate::session::Session;

const ME: &str = include_str!("../../queries/home.graphql");
const LOGOUT: &str = "mutation Logout { logout }";

#[derive(Clone, Deserialize)]
struct MeData {
    me: Me,
    tenant: Tenant,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Me {
    id: String,
    email: String,
    display_name: String,
    role: String,
    agency_id: Option<String>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tenant {
    id: String,
    name: String,
    coc_code: String,
    slug: String,
    status: String,
}

#[derive(Deserialize)]
struct LogoutData {
    #[allow(dead_code)]
    logout: Option<bool>,
}

fn access_token(session: RwSignal<Option<Session>>) -> Option<String> {
    session.with_untracked(|s| s.as_ref().map(|s| s.access_token.clone()))
}

#[component]
pub fn HomePage(
    session: RwSignal<Option<Session>>,
    /// Called once the server was told; drops the tokens and leaves this screen.
    on_logged_out: Callback<()>,
) -> impl IntoView {
    let logging_out = RwSignal::new(false);
    let profile = LocalResource::new(move || {
        let token = access_token(session);
        async move { graphql::request::<MeData>(ME, json!({}), token.as_deref()).await }
    });

    let on_logout = move |_| {
        if logging_out.get_untracked() {
            return;
        }
        logging_out.set(true);
        let token = access_token(session);
        spawn_local(async move {
            // The tokens are dropped whatever the server says: they exist only in this tab.
            let _ = graphql::request::<LogoutData>(LOGOUT, json!({}), token.as_deref()).await;
            on_logged_out.run(());
        });
    };

    let greeting = move || {
        session.with(|s| {
            s.as_ref().map(|s| {
                format!(
                    "Signed in as {} <{}>, {}",
                    s.user.display_name, s.user.email, s.user.role
                )
            })
        })
    };

    view! {
        <section aria-labelledby="home-title">
            <h2 id="home-title">"Home"</h2>
            <p id="home-greeting">{greeting}</p>
            {move || match profile.get() {
                None => Some(view! { <p id="home-loading" aria-busy="true">"Loading…"</p> }.into_any()),
                Some(Ok(data)) => Some(profile_view(data).into_any()),
                Some(Err(e)) => Some(error_view("home-error", e).into_any()),
            }}
            <button id="home-logout" type="button" on:click=on_logout disabled=move || logging_out.get()>
                "Log out"
            </button>
        </section>
    }
}

fn profile_view(data: MeData) -> impl IntoView {
    let MeData { me, tenant } = data;
    view! {
        <h3>"You"</h3>
        <dl id="home-me">
            <dt>"Name"</dt><dd id="me-display-name">{me.display_name}</dd>
            <dt>"Email"</dt><dd id="me-email">{me.email}</dd>
            <dt>"Role"</dt><dd id="me-role">{me.role}</dd>
            <dt>"Agency"</dt><dd id="me-agency-id">{me.agency_id.unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"User id"</dt><dd id="me-id">{me.id}</dd>
        </dl>
        <h3>"Continuum of Care"</h3>
        <dl id="home-tenant">
            <dt>"Name"</dt><dd id="tenant-name">{tenant.name}</dd>
            <dt>"HUD CoC code"</dt><dd id="tenant-coc-code">{tenant.coc_code}</dd>
            <dt>"Slug"</dt><dd id="tenant-slug">{tenant.slug}</dd>
            <dt>"Status"</dt><dd id="tenant-status">{tenant.status}</dd>
            <dt>"Tenant id"</dt><dd id="tenant-id">{tenant.id}</dd>
        </dl>
    }
}
