//! The home screen: who is signed in, to which Continuum of Care.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{enum_name, error_view, loading, reading};
use crate::queries::{Me, Onboarding, me, onboarding};

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
    let data_center = enum_name(&me.role) == "DATA_CENTER";
    view! {
        {data_center.then(|| view! { <Checklist /> })}
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

/// A new CoC's first steps (the Data Center's), each ticked by what the API shows is done:
/// it needs no ticking by hand, and a step undone (the last agency deactivated) shows again.
#[component]
fn Checklist() -> impl IntoView {
    let (state, _) = reading::<Onboarding>(|| Some(onboarding::Variables));
    move || {
        state.get().and_then(Result::ok).map(|data| {
            let admins_invited = data
                .invitations
                .nodes
                .iter()
                .any(|i| enum_name(&i.role) == "AGENCY_ADMIN");
            let factor = &data.my_second_factor;
            let steps = [
                (
                    data.sharing_plan.version > 1,
                    "/plan",
                    "Review the sharing plan and publish your CoC's version",
                ),
                (data.agencies.total_count > 0, "/agencies", "Create the agencies"),
                (data.projects.total_count > 0, "/agencies", "Create their projects"),
                (admins_invited, "/people", "Invite the first agency administrators"),
                (
                    !factor.required || factor.totp_enrolled || factor.webauthn_keys > 0,
                    "/",
                    "Enrol a second factor (your role requires one)",
                ),
            ];
            let left = steps.iter().filter(|(done, _, _)| !done).count();
            view! {
                <h3 id="checklist-title">"Getting started"</h3>
                <p class="hint" id="checklist-left">
                    {if left == 0 { "All done.".to_owned() } else { format!("{left} of {} steps to go.", steps.len()) }}
                </p>
                <ul id="checklist" aria-labelledby="checklist-title" class="checklist">
                    {steps.into_iter().map(|(done, href, what)| view! {
                        <li class=if done { "done" } else { "to-do" }>
                            <span aria-hidden="true">{if done { "✔ " } else { "☐ " }}</span>
                            {if done {
                                view! { <span>{what}<span class="visually-hidden">" (done)"</span></span> }.into_any()
                            } else {
                                view! { <A href=href>{what}</A> }.into_any()
                            }}
                        </li>
                    }).collect_view()}
                </ul>
            }
        })
    }
}
