//! Notifications (`/notifications`): the viewer's messages newest first (`ROLE-3`), each
//! naming its client by HMIS number only (`COM-1`); unread ones first to see, and marked read
//! where the `access` block allows.

use leptos::prelude::*;

use crate::api::Api;
use crate::components::{ErrorAlert, Paged, ShowMore, Submission, error_view, loading};
use crate::frame::InboxChanged;
use crate::queries::{MarkNotificationRead, Notifications, mark_notification_read, notifications};

type Message = notifications::NotificationsNotificationsNodes;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let inbox = expect_context::<InboxChanged>();
    let unread_only = RwSignal::new(true);
    let list = Paged::<Message>::new();
    let load = move |after: Option<String>| {
        let unread = unread_only.get_untracked();
        list.fetch::<Notifications>(
            api,
            notifications::Variables { unread, after },
            move |data| crate::counted_page!(data.notifications),
        );
    };
    let reload = move || {
        list.clear();
        load(None);
    };
    // Read again whenever the filter changes (and first of all).
    Effect::new(move |_| {
        unread_only.track();
        reload();
    });
    let read = Callback::new(move |()| {
        inbox.0.update(|n| *n += 1);
        reload();
    });
    view! {
        <section aria-labelledby="notifications-title">
            <h2 id="notifications-title">"Notifications"</h2>
            <div class="check">
                <input type="checkbox" id="notifications-unread" bind:checked=unread_only />
                <label for="notifications-unread">"Unread only"</label>
            </div>
            {move || list.error.get().map(|e| error_view("notifications-error", e))}
            {move || match list.total.get() {
                None => loading("notifications-loading").into_any(),
                Some(0) => view! {
                    <p id="notifications-empty" class="empty">
                        {if unread_only.get() { "Nothing unread." } else { "No messages yet." }}
                    </p>
                }.into_any(),
                Some(total) => view! {
                    <table id="notification-list">
                        <caption>{format!("{} of {total}", list.rows.with(Vec::len))}</caption>
                        <thead><tr>
                            <th scope="col">"When (UTC)"</th><th scope="col">"Client"</th>
                            <th scope="col">"Message"</th><th scope="col">"Read"</th>
                        </tr></thead>
                        <tbody>
                            {list.rows.get().into_iter().map(|message| view! { <MessageRow message read /> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ShowMore id="notifications-more" label="Show more" list load=Callback::new(load) />
        </section>
    }
}

#[component]
fn MessageRow(message: Message, read: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let form = Submission::new();
    let may_mark = message
        .access
        .iter()
        .any(|p| p.action == "markRead" && p.allowed);
    let id = message.id.clone();
    let mark = move |_| {
        if !form.begin() {
            return;
        }
        let variables = mark_notification_read::Variables { id: id.clone() };
        form.send::<MarkNotificationRead>(api, variables, move |_| {
            read.run(());
        });
    };
    view! {
        <tr class="notification">
            <td>{crate::time::minute(&message.created_at)}</td>
            <td>{message.hmis_number.clone()}</td>
            <td>{message.body.clone()}</td>
            <td>
                {match (message.read_at.is_some(), may_mark) {
                    (true, _) => view! { <span>"Read"</span> }.into_any(),
                    (false, true) => view! {
                        <button type="button" class="secondary" on:click=mark>"Mark read"</button>
                    }.into_any(),
                    (false, false) => view! { <span>"Unread"</span> }.into_any(),
                }}
                <ErrorAlert id="notification-error" error=form.error />
            </td>
        </tr>
    }
}
