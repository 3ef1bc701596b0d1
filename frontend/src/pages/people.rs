//! People (`/people`): the CoC's users with the role each has, and invitations — who was
//! invited, until when, and the link to pass on (`ROLE-1`, `ROLE-2`: the Data Center for
//! everyone, an agency's administrator for their agency). A person's actions are offered only
//! where their `access` block allows them; a refusal shows its rule.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{Api, GraphqlError};
use crate::components::{
    Choice, ErrorAlert, Field, Paged, ShowMore, SortHeader, Sorting, Submission, active_filter,
    active_options, enum_name, enum_value, error_view, filter_text, loading, pairs, role_label,
    role_options,
};
use crate::queries::{
    DeactivateUser, Invitations, InviteUser, PeopleChoices, ResendInvitation, RevokeInvitation,
    SetUserRole, Users, deactivate_user, invitations, invite_user, people_choices,
    resend_invitation, revoke_invitation, set_user_role, users,
};

type UserRow = users::UsersUsersNodes;
type InvitationRow = invitations::InvitationsInvitationsNodes;

/// The agencies a form may offer: the active ones, by id and name.
pub fn active_agencies(
    agencies: Vec<people_choices::PeopleChoicesAgenciesNodes>,
) -> Vec<(String, String)> {
    agencies
        .into_iter()
        .filter(|a| a.deactivated_at.is_none())
        .map(|a| (a.id, a.name))
        .collect()
}

/// The agencies a form offers, by id and name, and the CoC's slug for invitation links.
#[derive(Clone, Default)]
struct Choices {
    slug: String,
    agencies: Vec<(String, String)>,
    more_agencies: bool,
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let api = expect_context::<Api>();
    let user_list = Paged::<UserRow>::new();
    let invitation_list = Paged::<InvitationRow>::new();
    let choices = RwSignal::new(Choices::default());
    let choices_error = RwSignal::new(None::<GraphqlError>);

    let user_search = RwSignal::new(String::new());
    let user_role = RwSignal::new(String::new());
    let user_status = RwSignal::new(String::new());
    let user_sort = Sorting::new(false);
    let invitation_search = RwSignal::new(String::new());
    let invitation_status = RwSignal::new(String::new());
    // Invitations are listed newest first unless sorted.
    let invitation_sort = Sorting::new(true);

    let load_users = move |after: Option<String>| {
        let variables = users::Variables {
            after,
            search: user_search.with_untracked(|t| filter_text(t)),
            role: user_role
                .with_untracked(|r| filter_text(r))
                .and_then(|r| enum_value(&r)),
            active: user_status.with_untracked(|s| active_filter(s)),
            field: enum_value(user_sort.field()).unwrap_or(users::UserOrderField::CREATED),
            direction: enum_value(user_sort.direction()).unwrap_or(users::OrderDirection::ASC),
        };
        user_list.fetch::<Users>(api, variables, move |data| crate::counted_page!(data.users));
    };
    let load_invitations = move |after: Option<String>| {
        let variables = invitations::Variables {
            after,
            email_contains: invitation_search.with_untracked(|t| filter_text(t)),
            status: invitation_status
                .with_untracked(|s| filter_text(s))
                .and_then(|s| enum_value(&s)),
            field: enum_value(invitation_sort.field())
                .unwrap_or(invitations::InvitationOrderField::CREATED),
            direction: enum_value(invitation_sort.direction())
                .unwrap_or(invitations::OrderDirection::DESC),
        };
        invitation_list.fetch::<Invitations>(api, variables, move |data| {
            crate::counted_page!(data.invitations)
        });
    };
    // Each table is read again from its start whenever its filter or sort changes.
    let changes = RwSignal::new(0_u32);
    user_list.read_following(
        move || {
            changes.track();
            user_search.track();
            user_role.track();
            user_status.track();
            user_sort.track();
        },
        load_users,
    );
    invitation_list.read_following(
        move || {
            changes.track();
            invitation_search.track();
            invitation_status.track();
            invitation_sort.track();
        },
        load_invitations,
    );
    let reload = move || changes.update(|n| *n += 1);
    spawn_local(async move {
        match api.run::<PeopleChoices>(people_choices::Variables).await {
            Ok(data) => choices.set(Choices {
                slug: data.tenant.slug,
                more_agencies: data.agencies.page_info.has_next_page,
                agencies: active_agencies(data.agencies.nodes),
            }),
            Err(e) => choices_error.set(Some(e)),
        }
    });
    let agency_name = move |id: Option<String>| match id {
        None => "—".to_owned(),
        Some(id) => choices.with(|c| {
            c.agencies
                .iter()
                .find(|(agency, _)| *agency == id)
                .map_or(id.clone(), |(_, name)| name.clone())
        }),
    };
    let changed = Callback::new(move |()| reload());

    view! {
        <section aria-labelledby="people-title">
            <h2 id="people-title">"People"</h2>
            {move || choices_error.get().map(|e| error_view("people-choices-error", e))}
            {move || choices.with(|c| c.more_agencies).then(|| view! {
                <p class="notice">"The forms offer the first 100 agencies; rename or deactivate to find the others."</p>
            })}

            <h3 id="user-list-title">"Users"</h3>
            <div class="filters" role="search" aria-label="Filter users">
                <Field id="user-filter-search" label="Name or email contains" value=user_search
                    required=false />
                <Choice id="user-filter-role" label="Role" value=user_role
                    options=Signal::derive(role_options) required=false blank="Any" />
                <Choice id="user-filter-status" label="Status" value=user_status
                    options=Signal::derive(active_options) required=false blank="Any" />
            </div>
            {move || user_list.error.get().map(|e| error_view("user-list-error", e))}
            {move || match user_list.total.get() {
                None => loading("user-list-loading").into_any(),
                Some(0) => view! {
                    <p id="user-list-empty" class="empty">
                        "No one matches this filter. Clear the search or choose another role or status."
                    </p>
                }.into_any(),
                Some(total) => view! {
                    <table id="user-list" aria-labelledby="user-list-title">
                        <caption>{format!("{} of {total}", user_list.rows.with(Vec::len))}</caption>
                        <thead><tr>
                            <SortHeader id="user-sort-name" label="Name" field="NAME" sorting=user_sort />
                            <SortHeader id="user-sort-email" label="Email" field="EMAIL" sorting=user_sort />
                            <SortHeader id="user-sort-role" label="Role" field="ROLE" sorting=user_sort />
                            <th scope="col">"Agency"</th>
                            <th scope="col">"Status"</th><th scope="col">"Actions"</th>
                        </tr></thead>
                        <tbody>
                            {user_list.rows.get().into_iter().map(|user| {
                                let agency = agency_name(user.agency_id.clone());
                                view! { <UserRowView user agency choices changed /> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ShowMore id="user-more" label="Show more users" list=user_list load=Callback::new(load_users) />

            <h3 id="invitation-list-title">"Invitations"</h3>
            <div class="filters" role="search" aria-label="Filter invitations">
                <Field id="invitation-filter-email" label="Email contains" value=invitation_search
                    required=false />
                <Choice id="invitation-filter-status" label="Status" value=invitation_status
                    options=Signal::derive(invitation_statuses) required=false blank="Any" />
            </div>
            {move || invitation_list.error.get().map(|e| error_view("invitation-list-error", e))}
            {move || match invitation_list.total.get() {
                None => loading("invitation-list-loading").into_any(),
                Some(0) => view! {
                    <p id="invitation-list-empty" class="empty">
                        {if filter_text(&invitation_search.get()).is_none() && invitation_status.get().is_empty() {
                            "No invitations yet. Invite an agency's administrator below: they then invite their own staff."
                        } else {
                            "No invitation matches this filter. Clear the address or choose another status."
                        }}
                    </p>
                }.into_any(),
                Some(total) => view! {
                    <table id="invitation-list" aria-labelledby="invitation-list-title">
                        <caption>{format!("{} of {total}", invitation_list.rows.with(Vec::len))}</caption>
                        <thead><tr>
                            <SortHeader id="invitation-sort-email" label="Email" field="EMAIL"
                                sorting=invitation_sort />
                            <th scope="col">"Role"</th>
                            <th scope="col">"Agency"</th><th scope="col">"Status"</th>
                            <th scope="col">"Expires (UTC)"</th><th scope="col">"Actions"</th>
                        </tr></thead>
                        <tbody>
                            {invitation_list.rows.get().into_iter().map(|invitation| {
                                let agency = agency_name(invitation.agency_id.clone());
                                view! { <InvitationRowView invitation agency changed /> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ShowMore id="invitation-more" label="Show more invitations" list=invitation_list
                load=Callback::new(load_invitations) />

            <Invite choices changed />
        </section>
    }
}

/// Where an invitation may stand, as a filter offers it.
fn invitation_statuses() -> Vec<(String, String)> {
    pairs(&[
        ("PENDING", "Pending"),
        ("ACCEPTED", "Accepted"),
        ("EXPIRED", "Expired"),
        ("REVOKED", "Revoked"),
    ])
}

/// The `access` entry for `action`: allowed, or the rule and why not.
fn permission(user: &UserRow, action: &str) -> Option<(bool, String, String)> {
    user.access
        .iter()
        .find(|p| p.action == action)
        .map(|p| (p.allowed, p.rule.clone(), p.reason.clone()))
}

#[component]
fn UserRowView(
    user: UserRow,
    agency: String,
    choices: RwSignal<Choices>,
    changed: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let form = Submission::new();
    let changing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let role = RwSignal::new(enum_name(&user.role));
    let new_agency = RwSignal::new(user.agency_id.clone().unwrap_or_default());
    let may_set_role = permission(&user, "setRole").is_some_and(|(allowed, ..)| allowed);
    let may_deactivate = permission(&user, "deactivate").is_some_and(|(allowed, ..)| allowed);
    let id = user.id.clone();
    let active = enum_name(&user.status) == "ACTIVE";

    let set_role = {
        let id = id.clone();
        move |ev: SubmitEvent| {
            if !form.start(&ev) {
                return;
            }
            let Some(role_value) = enum_value::<set_user_role::Role>(&role.get_untracked()) else {
                form.finish::<()>(Err(GraphqlError::input("Choose a role.")));
                return;
            };
            let agency = new_agency.get_untracked();
            let variables = set_user_role::Variables {
                user_id: id.clone(),
                role: role_value,
                agency_id: (!agency.is_empty()).then_some(agency),
            };
            form.send::<SetUserRole>(api, variables, move |_| {
                changing.set(false);
                changed.run(());
            });
        }
    };
    let deactivate = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        if !form.begin() {
            return;
        }
        let variables = deactivate_user::Variables {
            user_id: id.clone(),
        };
        form.send::<DeactivateUser>(api, variables, move |_| {
            changed.run(());
        });
    };
    let roles = Signal::derive(role_options);
    let agencies = Signal::derive(move || choices.with(|c| c.agencies.clone()));

    view! {
        <tr class="user" data-email=user.email.clone()>
            <td class="user-name">{user.display_name.clone()}</td>
            <td>{user.email.clone()}</td>
            <td class="user-role">{role_label(&enum_name(&user.role))}</td>
            <td>{agency}</td>
            <td class="user-status">{if active { "Active" } else { "Deactivated" }}</td>
            <td>
                {may_set_role.then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| changing.update(|c| *c = !*c)>
                        "Change role"
                    </button>
                })}
                " "
                {may_deactivate.then(|| view! {
                    <button type="button" class="danger" on:click=deactivate.clone()>
                        {move || if confirming.get() { "Confirm: deactivate and sign out" } else { "Deactivate" }}
                    </button>
                })}
                {move || changing.get().then(|| view! {
                    <form class="inline" on:submit=set_role.clone()>
                        <Choice id="user-role" label="Role" value=role options=roles />
                        <Choice id="user-agency" label="Agency" value=new_agency options=agencies required=false />
                        <button type="submit">"Save"</button>
                    </form>
                })}
                <ErrorAlert id="user-action-error" error=form.error />
            </td>
        </tr>
    }
}

#[component]
fn InvitationRowView(
    invitation: InvitationRow,
    agency: String,
    changed: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let form = Submission::new();
    let status = enum_name(&invitation.status);
    let open = status == "PENDING" || status == "EXPIRED";
    let resend = {
        let id = invitation.id.clone();
        move |_| {
            if !form.begin() {
                return;
            }
            let variables = resend_invitation::Variables { id: id.clone() };
            form.send::<ResendInvitation>(api, variables, move |_| {
                changed.run(());
            });
        }
    };
    let revoke = {
        let id = invitation.id.clone();
        move |_| {
            if !form.begin() {
                return;
            }
            let variables = revoke_invitation::Variables { id: id.clone() };
            form.send::<RevokeInvitation>(api, variables, move |_| {
                changed.run(());
            });
        }
    };
    view! {
        <tr class="invitation" data-email=invitation.email.clone()>
            <td>{invitation.email.clone()}</td>
            <td>{role_label(&enum_name(&invitation.role))}</td>
            <td>{agency}</td>
            <td class="invitation-status">{status.clone()}</td>
            <td>{invitation.expires_at.chars().take(16).collect::<String>().replace('T', " ")}</td>
            <td>
                {open.then(|| view! {
                    <button type="button" class="secondary" on:click=resend>"Resend"</button>
                    " "
                    <button type="button" class="danger" on:click=revoke>"Revoke"</button>
                })}
                <ErrorAlert id="invitation-action-error" error=form.error />
            </td>
        </tr>
    }
}

/// The link an invitee opens: the CoC and the code ride in the fragment, which browsers never
/// send to a server.
fn invitation_link(slug: &str, token: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    format!("{origin}/accept#tenant={slug}&code={token}")
}

#[component]
fn Invite(choices: RwSignal<Choices>, changed: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let agency = RwSignal::new(String::new());
    let link = RwSignal::new(None::<String>);
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        link.set(None);
        let Some(role_value) = enum_value::<invite_user::Role>(&role.get_untracked()) else {
            form.finish::<()>(Err(GraphqlError::input("Choose a role.")));
            return;
        };
        let chosen = agency.get_untracked();
        let variables = invite_user::Variables {
            email: email.get_untracked().trim().to_owned(),
            role: role_value,
            agency_id: (!chosen.is_empty()).then_some(chosen),
        };
        form.send::<InviteUser>(api, variables, move |data| {
            let token = data.invite_user.invitation.token.unwrap_or_default();
            link.set(Some(
                choices.with_untracked(|c| invitation_link(&c.slug, &token)),
            ));
            email.set(String::new());
            changed.run(());
        });
    };
    let roles = Signal::derive(role_options);
    let agencies = Signal::derive(move || choices.with(|c| c.agencies.clone()));
    view! {
        <form id="invite-form" on:submit=on_submit aria-labelledby="invite-title">
            <h4 id="invite-title">"Invite someone"</h4>
            <Field id="invite-email" label="Email" value=email kind="email" autocomplete="email" />
            <Choice id="invite-role" label="Role" value=role options=roles />
            <Choice id="invite-agency" label="Agency (not for the Data Center)" value=agency
                options=agencies required=false />
            <ErrorAlert id="invite-error" error=form.error />
            <button id="invite-submit" type="submit" disabled=move || form.pending.get()>"Invite"</button>
            {move || link.get().map(|link| view! {
                <div class="notice" role="status">
                    <label for="invite-link">
                        "Invited. The invitation was e-mailed; you can also pass on this link yourself (shown once, valid 7 days):"
                    </label>
                    <input id="invite-link" readonly=true value=link />
                </div>
            })}
        </form>
    }
}
