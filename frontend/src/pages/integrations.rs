//! Integrations (`/integrations`, the Data Center): service accounts for other systems (`SVC-1`:
//! a role, an agency, optional narrower scopes, an expiry and a rate; the secret shown once,
//! rotated or revoked) and webhook endpoints (`COM-1`: told of events by HMIS number only,
//! each delivery signed; the secret shown once; deliveries with their status).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::{Api, GraphqlError};
use crate::components::{
    Checks, Choice, ErrorAlert, Field, Paged, ShowMore, Submission, enum_name, enum_value,
    error_view, loading, reading, role_label, role_options, shown_once,
};
use crate::pages::people::active_agencies;
use crate::queries::{
    CreateServiceAccount, PeopleChoices, RegisterWebhookEndpoint, RemoveWebhookEndpoint,
    RevokeServiceAccount, RotateServiceAccountSecret, ServiceAccounts, WebhookDeliveries,
    WebhookEndpoints, create_service_account, people_choices, register_webhook_endpoint,
    remove_webhook_endpoint, revoke_service_account, rotate_service_account_secret,
    service_accounts, webhook_deliveries, webhook_endpoints,
};
use crate::time::minute;

type Account = service_accounts::ServiceAccountsServiceAccountsNodes;
type Delivery = webhook_deliveries::WebhookDeliveriesWebhookDeliveriesNodes;

const SCOPES: [&str; 13] = [
    "CLIENTS_READ",
    "CLIENTS_WRITE",
    "ENROLLMENTS_READ",
    "ENROLLMENTS_WRITE",
    "SERVICES_READ",
    "SERVICES_WRITE",
    "NOTES_READ",
    "NOTES_WRITE",
    "FILES_READ",
    "FILES_WRITE",
    "CASES_READ",
    "CASES_WRITE",
    "AUDIT_READ",
];

const EVENTS: [&str; 5] = [
    "CASE_OPENED",
    "CASE_ESCALATED",
    "CASE_IN_DATA_CENTER_QUEUE",
    "CLIENT_CHANGED",
    "ENROLLMENT_CHANGED",
];

/// "CLIENTS_READ" as people read it: "clients read".
fn words(name: &str) -> String {
    name.replace('_', " ").to_lowercase()
}

fn options_of(names: &[&str]) -> Vec<(String, String)> {
    names.iter().map(|n| ((*n).to_owned(), words(n))).collect()
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    view! {
        <section aria-labelledby="integrations-title">
            <h2 id="integrations-title">"Integrations"</h2>
            <ServiceAccountsSection />
            <WebhooksSection />
        </section>
    }
}

#[component]
fn ServiceAccountsSection() -> impl IntoView {
    let api = expect_context::<Api>();
    let list = Paged::<Account>::new();
    let load = move |after: Option<String>| {
        list.fetch::<ServiceAccounts>(api, service_accounts::Variables { after }, |data| {
            crate::counted_page!(data.service_accounts)
        });
    };
    let reload = Callback::new(move |()| {
        list.clear();
        load(None);
    });
    reload.run(());
    // The secret of the account last created or rotated: (what, client id and secret).
    let shown = RwSignal::new(None::<(String, String)>);
    view! {
        <h3 id="accounts-title">"Service accounts (SVC-1)"</h3>
        <p class="hint">"Another system signs in as one of these with its client id and secret (OAuth 2.0 client credentials) and is held to its role, its agency and its scopes."</p>
        {move || shown.get().map(|(what, secret)| shown_once("account-secret", what, secret))}
        {move || list.error.get().map(|e| error_view("accounts-error", e))}
        {move || match list.total.get() {
            None => loading("accounts-loading").into_any(),
            Some(0) => view! { <p id="accounts-empty" class="empty">"No service accounts yet. Create one below for each system that needs the API."</p> }.into_any(),
            Some(total) => view! {
                <table id="account-list" aria-labelledby="accounts-title">
                    <caption>{format!("{} of {total}", list.rows.with(Vec::len))}</caption>
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Scopes"</th>
                        <th scope="col">"Per minute"</th><th scope="col">"Expires (UTC)"</th>
                        <th scope="col">"Last token (UTC)"</th><th scope="col">"Actions"</th>
                    </tr></thead>
                    <tbody>
                        {list.rows.get().into_iter().map(|account| view! { <AccountRow account shown reload /> }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        <ShowMore id="accounts-more" label="Show more" list load=Callback::new(load) />
        <NewAccount shown reload />
    }
}

#[component]
fn AccountRow(
    account: Account,
    shown: RwSignal<Option<(String, String)>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let form = Submission::new();
    let id = account.id.clone();
    let rotate = {
        let id = id.clone();
        move |_| {
            if !form.begin() {
                return;
            }
            let variables = rotate_service_account_secret::Variables { id: id.clone() };
            form.send::<RotateServiceAccountSecret>(api, variables, move |data| {
                let c = data.rotate_service_account_secret;
                shown.set(Some((
                    format!(
                        "{}: client id {}; the old secret no longer works.",
                        c.service_account.name, c.client_id
                    ),
                    c.client_secret,
                )));
                reload.run(());
            });
        }
    };
    let revoke = move |_| {
        if !form.begin() {
            return;
        }
        let variables = revoke_service_account::Variables { id: id.clone() };
        form.send::<RevokeServiceAccount>(api, variables, move |_| reload.run(()));
    };
    let scopes = account.scopes.as_ref().map_or_else(
        || "everything its role may do".to_owned(),
        |s| {
            s.iter()
                .map(|x| words(&enum_name(x)))
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    let active = account.revoked_at.is_none();
    view! {
        <tr class="account">
            <td>{account.name.clone()}<br /><small class="hint">{account.client_id.clone()}</small></td>
            <td>{role_label(&enum_name(&account.role))}</td>
            <td>{scopes}</td>
            <td>{account.requests_per_minute}</td>
            <td>{minute(&account.expires_at)}</td>
            <td>{account.last_token_at.as_deref().map_or_else(|| "never".to_owned(), minute)}</td>
            <td>
                {if active {
                    view! {
                        <button type="button" class="secondary" on:click=rotate>"Rotate secret"</button>
                        " "
                        <button type="button" class="danger" on:click=revoke>"Revoke"</button>
                    }.into_any()
                } else {
                    view! { <span>"Revoked"</span> }.into_any()
                }}
                <ErrorAlert id="account-action-error" error=form.error />
            </td>
        </tr>
    }
}

#[component]
fn NewAccount(shown: RwSignal<Option<(String, String)>>, reload: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let (choices, _) = reading::<PeopleChoices>(|| Some(people_choices::Variables));
    let agencies = Signal::derive(move || match choices.get() {
        Some(Ok(data)) => active_agencies(data.agencies.nodes),
        _ => Vec::new(),
    });
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let agency = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<String>::new());
    let expires = RwSignal::new(String::new());
    let rate = RwSignal::new("600".to_owned());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let (Some(role_value), Ok(per_minute)) = (
            enum_value::<create_service_account::Role>(&role.get_untracked()),
            rate.get_untracked().trim().parse::<i64>(),
        ) else {
            form.finish::<()>(Err(GraphqlError::input(
                "Choose a role, and give requests per minute as a number.",
            )));
            return;
        };
        let chosen = scopes.get_untracked();
        let input = create_service_account::CreateServiceAccountInput {
            name: name.get_untracked().trim().to_owned(),
            role: role_value,
            agency_id: Some(agency.get_untracked()).filter(|a| !a.is_empty()),
            scopes: (!chosen.is_empty())
                .then(|| chosen.iter().filter_map(|s| enum_value(s)).collect()),
            // The end of the day chosen, in UTC.
            expires_at: format!("{}T23:59:59Z", expires.get_untracked().trim()),
            requests_per_minute: Some(per_minute),
        };
        form.send::<CreateServiceAccount>(
            api,
            create_service_account::Variables { input },
            move |data| {
                let c = data.create_service_account;
                shown.set(Some((
                    format!("{}: client id {}", c.service_account.name, c.client_id),
                    c.client_secret,
                )));
                name.set(String::new());
                scopes.set(Vec::new());
                reload.run(());
            },
        );
    };
    view! {
        <form id="account-form" on:submit=on_submit aria-labelledby="account-form-title">
            <h4 id="account-form-title">"New service account"</h4>
            <Field id="account-name" label="Name (the system it is for)" value=name />
            <Choice id="account-role" label="Role" value=role options=role_options() />
            <Choice id="account-agency" label="Agency (not for the Data Center)" value=agency options=agencies required=false />
            <Checks id="account-scopes" legend="Scopes" options=options_of(&SCOPES) chosen=scopes
                hint="None ticked: everything its role may do." />
            <Field id="account-expires" label="Expires on (at most a year from now)" kind="date" value=expires />
            <Field id="account-rate" label="Requests per minute" kind="number" value=rate />
            <button id="account-submit" type="submit" disabled=move || form.pending.get()>"Create"</button>
            <ErrorAlert id="account-error" error=form.error />
        </form>
    }
}

#[component]
fn WebhooksSection() -> impl IntoView {
    let api = expect_context::<Api>();
    let (endpoints, reread) = reading::<WebhookEndpoints>(|| Some(webhook_endpoints::Variables));
    let secret = RwSignal::new(None::<(String, String)>);
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let events = RwSignal::new(Vec::<String>::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let input = register_webhook_endpoint::RegisterWebhookEndpointInput {
            url: url.get_untracked().trim().to_owned(),
            events: events
                .get_untracked()
                .iter()
                .filter_map(|e| enum_value(e))
                .collect(),
            description: description.get_untracked().trim().to_owned(),
        };
        form.send::<RegisterWebhookEndpoint>(
            api,
            register_webhook_endpoint::Variables { input },
            move |data| {
                let made = data.register_webhook_endpoint;
                secret.set(Some((
                    format!(
                        "{}: signs each delivery (Concord-Signature).",
                        made.endpoint.url
                    ),
                    made.secret,
                )));
                url.set(String::new());
                description.set(String::new());
                reread.run(());
            },
        );
    };
    view! {
        <h3 id="webhooks-title">"Webhooks"</h3>
        <p class="hint">"Concord tells these addresses of the events they ask for, naming clients by HMIS number only (COM-1), each delivery signed with the endpoint's secret."</p>
        {move || secret.get().map(|(what, secret)| shown_once("webhook-secret", what, secret))}
        {move || match endpoints.get() {
            None => loading("webhooks-loading").into_any(),
            Some(Err(e)) => error_view("webhooks-error", e).into_any(),
            Some(Ok(data)) if data.webhook_endpoints.is_empty() => view! {
                <p id="webhooks-empty" class="empty">"No endpoints yet. Register one below to be told of cases and changes."</p>
            }.into_any(),
            Some(Ok(data)) => view! {
                <ul id="webhook-list" class="records">
                    {data.webhook_endpoints.into_iter().map(|e| view! { <Endpoint endpoint=e reread /> }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <form id="webhook-form" on:submit=on_submit aria-labelledby="webhook-form-title">
            <h4 id="webhook-form-title">"New endpoint"</h4>
            <Field id="webhook-url" label="Address (https://, on the internet)" kind="url" value=url />
            <Field id="webhook-description" label="Description (optional)" value=description required=false />
            <Checks id="webhook-events" legend="Events" options=options_of(&EVENTS) chosen=events />
            <button id="webhook-submit" type="submit" disabled=move || form.pending.get()>"Register"</button>
            <ErrorAlert id="webhook-error" error=form.error />
        </form>
    }
}

#[component]
fn Endpoint(
    endpoint: webhook_endpoints::WebhookEndpointsWebhookEndpoints,
    reread: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let form = Submission::new();
    let id = endpoint.id.clone();
    let remove = {
        let id = id.clone();
        move |_| {
            if !form.begin() {
                return;
            }
            let variables = remove_webhook_endpoint::Variables { id: id.clone() };
            form.send::<RemoveWebhookEndpoint>(api, variables, move |_| reread.run(()));
        }
    };
    let deliveries = Paged::<Delivery>::new();
    let load = Callback::new(move |after: Option<String>| {
        let variables = webhook_deliveries::Variables {
            endpoint_id: id.clone(),
            after,
        };
        deliveries.fetch::<WebhookDeliveries>(api, variables, |data| {
            crate::counted_page!(data.webhook_deliveries)
        });
    });
    let events: Vec<String> = endpoint
        .events
        .iter()
        .map(|e| words(&enum_name(e)))
        .collect();
    view! {
        <li class="webhook">
            <strong>{endpoint.url.clone()}</strong>" — "{events.join(", ")}
            {(!endpoint.description.is_empty()).then(|| view! { <br /><small class="hint">{endpoint.description.clone()}</small> })}
            <br />
            {move || if deliveries.total.get().is_none() {
                view! { <button type="button" class="secondary" on:click=move |_| load.run(None)>"Show deliveries"</button> }.into_any()
            } else {
                view! { <DeliveryList deliveries /> }.into_any()
            }}
            " "
            <button type="button" class="danger" on:click=remove>"Remove"</button>
            <ErrorAlert id="webhook-action-error" error=form.error />
            <ShowMore id="deliveries-more" label="Show older deliveries" list=deliveries load />
        </li>
    }
}

#[component]
fn DeliveryList(deliveries: Paged<Delivery>) -> impl IntoView {
    move || {
        let rows = deliveries.rows.get();
        if rows.is_empty() {
            return view! { <p class="empty">"Nothing delivered yet."</p> }.into_any();
        }
        view! {
            <table>
                <thead><tr>
                    <th scope="col">"Event"</th><th scope="col">"When (UTC)"</th><th scope="col">"Status"</th>
                    <th scope="col">"Attempts"</th><th scope="col">"Last answer"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|d| {
                        let answer = match (d.last_status, d.last_error) {
                            (Some(status), _) => format!("HTTP {status}"),
                            (None, Some(error)) => error,
                            (None, None) => "—".to_owned(),
                        };
                        let status = match (enum_name(&d.status).as_str(), d.next_attempt_at) {
                            ("PENDING", Some(next)) => format!("pending, next try {}", minute(&next)),
                            (status, _) => words(status),
                        };
                        view! {
                            <tr>
                                <td>{words(&enum_name(&d.event))}</td><td>{minute(&d.occurred_at)}</td>
                                <td>{status}</td><td>{d.attempts}</td><td>{answer}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }.into_any()
    }
}
