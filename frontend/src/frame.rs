//! The navigation frame around every signed-in screen: the CoC, who is signed in and in which
//! role, unread notifications, the screens, and sign-out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::{self, Api};
use crate::components::{enum_name, reading, role_label};
use crate::queries::{Frame as FrameQuery, Logout, frame, logout};

/// Bumped when the viewer reads a message, so that the frame counts the unread again.
#[derive(Clone, Copy)]
pub struct InboxChanged(pub RwSignal<u32>);

/// The signed-in person's role as the schema spells it, once the frame has read it. Screens
/// offer what only one role does (the Data Center's logs) by it; the server decides anyway.
#[derive(Clone, Copy)]
pub struct SignedInRole(pub RwSignal<Option<String>>);

impl SignedInRole {
    pub fn is_data_center(&self) -> bool {
        self.0.with(|r| r.as_deref() == Some("DATA_CENTER"))
    }
}

#[component]
pub fn Frame() -> impl IntoView {
    let api = expect_context::<Api>();
    let inbox = expect_context::<InboxChanged>();
    let role = expect_context::<SignedInRole>();
    let navigate = use_navigate();
    let (who, _) = reading::<FrameQuery>(move || {
        inbox.0.track();
        Some(frame::Variables)
    });
    Effect::new(move |_| {
        if let Some(Ok(data)) = who.get() {
            role.0.set(Some(enum_name(&data.me.role)));
        }
    });
    // The next person to sign in is not taken for this one.
    on_cleanup(move || role.0.set(None));
    let signing_out = RwSignal::new(false);
    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            // The tokens are dropped whatever the server says; the server clears the cookie.
            let token = api
                .session
                .with_untracked(|s| s.as_ref().map(|s| s.access_token.clone()));
            let _ = api::send::<Logout>(logout::Variables, token.as_deref()).await;
            api.session.set(None);
            // Signing out on purpose leaves nothing typed behind for the next person.
            api.drafts.discard();
            navigate("/login", Default::default());
        });
    };

    view! {
        <nav aria-label="Screens" class="frame">
            <ul>
                <li><A href="/" attr:id="nav-home">"Home"</A></li>
                <li><A href="/agencies" attr:id="nav-agencies">"Agencies and projects"</A></li>
                <li><A href="/clients" attr:id="nav-clients">"Clients"</A></li>
                <li><A href="/cases" attr:id="nav-cases">"Conflicts and escalations"</A></li>
                <li><A href="/compliance" attr:id="nav-compliance">"Compliance"</A></li>
                <li><A href="/people" attr:id="nav-people">"People"</A></li>
                <li><A href="/plan" attr:id="nav-plan">"Sharing plan"</A></li>
                {move || role.is_data_center().then(|| view! {
                    <li><A href="/audit" attr:id="nav-audit">"Audit log"</A></li>
                    <li><A href="/integrations" attr:id="nav-integrations">"Integrations"</A></li>
                })}
            </ul>
            <p class="who" id="frame-who">
                {move || who.get().and_then(Result::ok).map(|data| {
                    let unread = data.notifications.total_count;
                    view! {
                        <span id="frame-tenant">{data.tenant.name}</span>
                        " · "
                        <span id="frame-user">{data.me.display_name}</span>
                        " ("<span id="frame-role">{role_label(&enum_name(&data.me.role))}</span>")"
                        " · "
                        <a id="frame-unread" href="/notifications">{format!("{unread} unread notifications")}</a>
                    }
                })}
            </p>
            <button id="nav-logout" type="button" on:click=sign_out disabled=move || signing_out.get()>
                "Sign out"
            </button>
        </nav>
    }
}
