//! The home screen: who is signed in, to which Continuum of Care.

use leptos::prelude::*;

use crate::components::{enum_name, error_view, loading, reading};
use crate::queries::{Me, me};

#[component]
pub fn HomePage() -> impl IntoView {
    let (profile, _) = reading::<Me>(|| Some(me::Variables));
    view! {
        <section aria-labelledby="home-title">
            <h2 id="home-title">"Home"</h2>
            {move || match profile.get() {
                None => loading("home-loading").into_any(),
                Some(Ok(data)) => profile_view(data).into_any(),
                Some(Err(e)) => error_view("home-error", e).into_any(),
            }}
        </section>
    }
}

fn profile_view(data: me::ResponseData) -> impl IntoView {
    let me::ResponseData { me, tenant } = data;
    view! {
        <h3>"You"</h3>
        <dl id="home-me">
            <dt>"Name"</dt><dd id="me-display-name">{me.display_name}</dd>
            <dt>"Email"</dt><dd id="me-email">{me.email}</dd>
            <dt>"Role"</dt><dd id="me-role">{enum_name(&me.role)}</dd>
            <dt>"Agency"</dt><dd id="me-agency-id">{me.agency_id.unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"User id"</dt><dd id="me-id">{me.id}</dd>
        </dl>
        <h3>"Continuum of Care"</h3>
        <dl id="home-tenant">
            <dt>"Name"</dt><dd id="tenant-name">{tenant.name}</dd>
            <dt>"HUD CoC code"</dt><dd id="tenant-coc-code">{tenant.coc_code}</dd>
            <dt>"Slug"</dt><dd id="tenant-slug">{tenant.slug}</dd>
            <dt>"Status"</dt><dd id="tenant-status">{enum_name(&tenant.status)}</dd>
            <dt>"Tenant id"</dt><dd id="tenant-id">{tenant.id}</dd>
        </dl>
    }
}
