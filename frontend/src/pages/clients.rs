//! Clients (`/clients`): search as you type (names, HMIS number; a date of birth narrows it),
//! and entering a new client, who then opens on their profile.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::Api;
use crate::components::{ErrorAlert, Field, Submission, error_view, loading, reading};
use crate::queries::{ClientSearch, CreateClient, client_search, create_client};

/// Fewer letters than this find too many people to be worth asking for.
const SHORTEST_SEARCH: usize = 2;

#[component]
pub fn ClientsPage() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let (hits, _) = reading::<ClientSearch>(move || {
        let text = query.get().trim().to_owned();
        (text.chars().count() >= SHORTEST_SEARCH).then_some(client_search::Variables {
            query: Some(text),
            dob: None,
            after: None,
        })
    });
    view! {
        <section aria-labelledby="clients-title">
            <h2 id="clients-title">"Clients"</h2>
            <div class="field">
                <label for="client-search">"Search by name or HMIS number"</label>
                <input id="client-search" type="search" autocomplete="off" bind:value=query />
            </div>
            <div aria-live="polite">
                {move || match hits.get() {
                    None if query.with(|q| q.trim().chars().count() < SHORTEST_SEARCH) => view! {
                        <p class="empty">"Type at least two letters of a name, or an HMIS number."</p>
                    }.into_any(),
                    None => loading("client-search-loading").into_any(),
                    Some(Err(e)) => error_view("client-search-error", e).into_any(),
                    Some(Ok(data)) => results(data).into_any(),
                }}
            </div>
            <NewClient />
        </section>
    }
}

fn results(data: client_search::ResponseData) -> impl IntoView {
    let hits: Vec<_> = data
        .search_clients
        .edges
        .into_iter()
        .map(|edge| edge.node)
        .collect();
    if hits.is_empty() {
        return view! {
            <p id="client-search-empty" class="empty">
                "No client matches. Check the spelling, or enter them as a new client below."
            </p>
        }
        .into_any();
    }
    view! {
        <table id="client-results">
            <caption>"Best matches first"</caption>
            <thead><tr><th scope="col">"HMIS number"</th><th scope="col">"Name"</th><th scope="col">"Date of birth"</th></tr></thead>
            <tbody>
                {hits.into_iter().map(|hit| {
                    let client = hit.client;
                    let name = [client.first_name.clone(), client.last_name.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let viewable = client.access.iter().any(|p| p.action == "view" && p.allowed);
                    view! {
                        <tr class="client-hit">
                            <td>
                                {if viewable {
                                    view! { <a href=format!("/clients/{}", client.id)>{client.hmis_number.clone()}</a> }.into_any()
                                } else {
                                    view! { <span>{client.hmis_number.clone()}</span> }.into_any()
                                }}
                            </td>
                            <td>{name}</td>
                            <td>{client.dob.unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn NewClient() -> impl IntoView {
    let api = expect_context::<Api>();
    let navigate = use_navigate();
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let dob = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let given = |value: RwSignal<String>| {
            let text = value.get_untracked().trim().to_owned();
            (!text.is_empty()).then_some(text)
        };
        let variables = create_client::Variables {
            first_name: given(first),
            last_name: given(last),
            dob: given(dob),
            hmis_number: None,
        };
        let navigate = navigate.clone();
        form.send::<CreateClient>(api, variables, move |data| {
            navigate(
                &format!("/clients/{}", data.create_client.client.id),
                Default::default(),
            );
        });
    };
    view! {
        <form id="client-form" on:submit=on_submit aria-labelledby="client-form-title">
            <h3 id="client-form-title">"New client"</h3>
            <Field id="client-first-name" label="First name" value=first />
            <Field id="client-last-name" label="Last name" value=last />
            <Field id="client-dob" label="Date of birth" value=dob required=false
                hint="YYYY-MM-DD; leave empty when the client does not know it." />
            <ErrorAlert id="client-error" error=form.error />
            <button id="client-submit" type="submit" disabled=move || form.pending.get()>
                "Enter client"
            </button>
        </form>
    }
}
