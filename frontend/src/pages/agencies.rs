//! Agencies and projects (`/agencies`): the Data Center creates, renames and deactivates
//! agencies and their projects (`ROLE-1`); projects are listed with their HUD type by name.
//! Lists sort, filter and page through the API's connections, 50 at a time.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::Api;
use crate::components::{
    Choice, ErrorAlert, Field, Paged, ShowMore, SortHeader, Sorting, Submission, active_filter,
    active_options, enum_value, error_view, filter_text, loading, reading,
};
use crate::queries::{
    Agencies, CreateAgency, CreateProject, DeactivateAgency, DeactivateProject, PeopleChoices,
    Projects, RenameAgency, RenameProject, agencies, create_agency, create_project,
    deactivate_agency, deactivate_project, people_choices, projects, rename_agency, rename_project,
};

type AgencyRow = agencies::AgenciesAgenciesNodes;
type ProjectRow = projects::ProjectsProjectsNodes;

/// What a table is narrowed to: text in the name, and active or deactivated rows.
#[derive(Clone, Copy)]
struct NameFilter {
    text: RwSignal<String>,
    status: RwSignal<String>,
}

impl NameFilter {
    fn new() -> Self {
        Self {
            text: RwSignal::new(String::new()),
            status: RwSignal::new(String::new()),
        }
    }

    fn track(&self) {
        self.text.track();
        self.status.track();
    }

    fn name_contains(&self) -> Option<String> {
        self.text.with_untracked(|t| filter_text(t))
    }

    fn active(&self) -> Option<bool> {
        self.status.with_untracked(|s| active_filter(s))
    }

    /// Whether the table shows all rows: its empty state then says what to create.
    fn is_empty(&self) -> bool {
        self.name_contains().is_none() && self.active().is_none()
    }
}

/// The search box and status choice above a table.
#[component]
fn NameFilterFields(
    text_id: &'static str,
    status_id: &'static str,
    label: &'static str,
    filter: NameFilter,
) -> impl IntoView {
    view! {
        <div class="filters" role="search" aria-label=label>
            <Field id=text_id label="Name contains" value=filter.text required=false />
            <Choice id=status_id label="Status" value=filter.status options=Signal::derive(active_options)
                required=false blank="Any" />
        </div>
    }
}

#[component]
pub fn AgenciesPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let agency_list = Paged::<AgencyRow>::new();
    let project_list = Paged::<ProjectRow>::new();
    let project_types = RwSignal::new(Vec::<(String, String)>::new());
    let agency_filter = NameFilter::new();
    let project_filter = NameFilter::new();
    let agency_sort = Sorting::new(false);
    let project_sort = Sorting::new(false);

    let load_agencies = move |after: Option<String>| {
        let variables = agencies::Variables {
            after,
            name_contains: agency_filter.name_contains(),
            active: agency_filter.active(),
            field: enum_value(agency_sort.field()).unwrap_or(agencies::AgencyOrderField::CREATED),
            direction: enum_value(agency_sort.direction()).unwrap_or(agencies::OrderDirection::ASC),
        };
        agency_list.fetch::<Agencies>(api, variables, move |data| {
            crate::counted_page!(data.agencies)
        });
    };
    let load_projects = move |after: Option<String>| {
        let variables = projects::Variables {
            after,
            name_contains: project_filter.name_contains(),
            active: project_filter.active(),
            field: enum_value(project_sort.field()).unwrap_or(projects::ProjectOrderField::CREATED),
            direction: enum_value(project_sort.direction())
                .unwrap_or(projects::OrderDirection::ASC),
        };
        project_list.fetch::<Projects>(api, variables, move |data| {
            project_types.set(
                data.hud_project_types
                    .into_iter()
                    .map(|t| (t.code.to_string(), t.name))
                    .collect(),
            );
            crate::counted_page!(data.projects)
        });
    };
    // Each table is read again from its start whenever its filter or sort changes.
    let changes = RwSignal::new(0_u32);
    agency_list.read_following(
        move || {
            changes.track();
            agency_filter.track();
            agency_sort.track();
        },
        load_agencies,
    );
    project_list.read_following(
        move || {
            changes.track();
            project_filter.track();
            project_sort.track();
        },
        load_projects,
    );
    // The agencies by name for the project table and form, whatever the table shows.
    let (choices, reread_choices) = reading::<PeopleChoices>(|| Some(people_choices::Variables));
    let reload = move || {
        changes.update(|n| *n += 1);
        reread_choices.run(());
    };

    let all_agencies = Signal::derive(move || {
        choices.with(|answer| match answer {
            Some(Ok(data)) => data
                .agencies
                .nodes
                .iter()
                .map(|a| (a.id.clone(), a.name.clone(), a.deactivated_at.is_none()))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let agency_names = Signal::derive(move || {
        all_agencies
            .get()
            .into_iter()
            .filter(|(_, _, active)| *active)
            .map(|(id, name, _)| (id, name))
            .collect::<Vec<_>>()
    });

    view! {
        <section aria-labelledby="agencies-title">
            <h2 id="agencies-title">"Agencies and projects"</h2>
            <h3 id="agency-list-title">"Agencies"</h3>
            <NameFilterFields text_id="agency-filter-name" status_id="agency-filter-status"
                label="Filter agencies" filter=agency_filter />
            {move || agency_list.error.get().map(|e| error_view("agency-list-error", e))}
            <AgencyTable list=agency_list filter=agency_filter sorting=agency_sort
                on_change=Callback::new(move |()| reload()) />
            <ShowMore id="agency-more" label="Show more agencies" list=agency_list
                load=Callback::new(load_agencies) />
            <NewAgency on_created=Callback::new(move |()| reload()) />

            <h3 id="project-list-title">"Projects"</h3>
            <NameFilterFields text_id="project-filter-name" status_id="project-filter-status"
                label="Filter projects" filter=project_filter />
            {move || project_list.error.get().map(|e| error_view("project-list-error", e))}
            <ProjectTable list=project_list filter=project_filter sorting=project_sort
                agencies=all_agencies on_change=Callback::new(move |()| reload()) />
            <ShowMore id="project-more" label="Show more projects" list=project_list
                load=Callback::new(load_projects) />
            <NewProject agencies=agency_names project_types
                on_created=Callback::new(move |()| reload()) />
        </section>
    }
}

#[component]
fn AgencyTable(
    list: Paged<AgencyRow>,
    filter: NameFilter,
    sorting: Sorting,
    on_change: Callback<()>,
) -> impl IntoView {
    move || {
        let Some(total) = list.total.get() else {
            return loading("agency-list-loading").into_any();
        };
        if total == 0 {
            let says = if filter.is_empty() {
                "No agencies yet. Create the first one below; then add its projects and invite its administrator."
            } else {
                "No agency matches this filter. Clear the name or choose another status."
            };
            return view! { <p id="agency-list-empty" class="empty">{says}</p> }.into_any();
        }
        view! {
            <table id="agency-list" aria-labelledby="agency-list-title">
                <caption>{format!("{} of {total}", list.rows.with(Vec::len))}</caption>
                <thead><tr>
                    <SortHeader id="agency-sort-name" label="Name" field="NAME" sorting />
                    <th scope="col">"Status"</th><th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>
                    {list.rows.get().into_iter().enumerate().map(|(n, agency)| view! {
                        <AgencyRowView agency n on_change />
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    }
}

#[component]
fn AgencyRowView(agency: AgencyRow, n: usize, on_change: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let form = Submission::new();
    let renaming = RwSignal::new(false);
    let id = agency.id.clone();
    let rename = Callback::new(move |name: String| {
        let variables = rename_agency::Variables {
            id: id.clone(),
            name,
        };
        form.send::<RenameAgency>(api, variables, move |_| {
            renaming.set(false);
            on_change.run(());
        });
    });
    let id = agency.id.clone();
    let deactivate = Callback::new(move |()| {
        let variables = deactivate_agency::Variables { id: id.clone() };
        form.send::<DeactivateAgency>(api, variables, move |_| on_change.run(()));
    });
    let active = agency.deactivated_at.is_none();
    view! {
        <tr class="agency" data-name=agency.name.clone()>
            <td class="agency-name">{agency.name.clone()}</td>
            <td>{if active { "Active" } else { "Deactivated" }}</td>
            <RegistryActions prefix="agency" n name=agency.name.clone() active form renaming rename deactivate
                confirm="Confirm: deactivate and sign its people out" />
        </tr>
    }
}

/// The actions cell of an agency's or a project's row (ROLE-1: the Data Center's): rename,
/// in a form that opens in the cell, and deactivate, after a second click that says what it
/// does. A deactivated one has none.
#[component]
fn RegistryActions(
    /// How the cell's element ids begin (`agency-rename-0`, `project-deactivate-1`, …).
    prefix: &'static str,
    /// The row's place in its table, which ends the ids of its buttons.
    n: usize,
    name: String,
    active: bool,
    form: Submission,
    renaming: RwSignal<bool>,
    rename: Callback<String>,
    deactivate: Callback<()>,
    /// What the deactivate button says before the second click.
    confirm: &'static str,
) -> impl IntoView {
    let (rename_id, save_id, error_id) = match prefix {
        "agency" => ("agency-rename", "agency-rename-save", "agency-action-error"),
        _ => (
            "project-rename",
            "project-rename-save",
            "project-action-error",
        ),
    };
    let typed = RwSignal::new(name);
    let confirming = RwSignal::new(false);
    let on_rename = move |ev: SubmitEvent| {
        if form.start(&ev) {
            rename.run(typed.get_untracked().trim().to_owned());
        }
    };
    let on_deactivate = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        if form.begin() {
            deactivate.run(());
        }
    };
    view! {
        <td>
            {active.then(|| view! {
                <button type="button" class="secondary" id=format!("{prefix}-rename-{n}")
                    on:click=move |_| renaming.update(|r| *r = !*r)>
                    "Rename"
                </button>
                " "
                <button type="button" class="danger" id=format!("{prefix}-deactivate-{n}") on:click=on_deactivate>
                    {move || if confirming.get() { confirm } else { "Deactivate" }}
                </button>
            })}
            {move || renaming.get().then(|| view! {
                <form class="inline" on:submit=on_rename>
                    <Field id=rename_id label="New name" value=typed />
                    <button id=save_id type="submit">"Save"</button>
                </form>
            })}
            <ErrorAlert id=error_id error=form.error />
        </td>
    }
}

#[component]
fn ProjectTable(
    list: Paged<ProjectRow>,
    filter: NameFilter,
    sorting: Sorting,
    /// Every agency by id, name and whether it is active.
    agencies: Signal<Vec<(String, String, bool)>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let agency_name = move |id: &str| {
        agencies.with(|all| {
            all.iter()
                .find(|(agency, _, _)| agency == id)
                .map_or_else(|| id.to_owned(), |(_, name, _)| name.clone())
        })
    };
    move || {
        let Some(total) = list.total.get() else {
            return loading("project-list-loading").into_any();
        };
        if total == 0 {
            let says = if filter.is_empty() {
                "No projects yet. Add one to an agency below: clients are enrolled in projects."
            } else {
                "No project matches this filter. Clear the name or choose another status."
            };
            return view! { <p id="project-list-empty" class="empty">{says}</p> }.into_any();
        }
        view! {
            <table id="project-list" aria-labelledby="project-list-title">
                <caption>{format!("{} of {total}", list.rows.with(Vec::len))}</caption>
                <thead><tr>
                    <SortHeader id="project-sort-name" label="Name" field="NAME" sorting />
                    <th scope="col">"Agency"</th>
                    <th scope="col">"HUD project type"</th><th scope="col">"Status"</th>
                    <th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>
                    {list.rows.get().into_iter().enumerate().map(|(n, project)| {
                        let agency = agency_name(&project.agency_id);
                        view! { <ProjectRowView project agency n on_change /> }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    }
}

#[component]
fn ProjectRowView(
    project: ProjectRow,
    agency: String,
    n: usize,
    on_change: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let form = Submission::new();
    let renaming = RwSignal::new(false);
    let id = project.id.clone();
    let rename = Callback::new(move |name: String| {
        let variables = rename_project::Variables {
            id: id.clone(),
            name,
        };
        form.send::<RenameProject>(api, variables, move |_| {
            renaming.set(false);
            on_change.run(());
        });
    });
    let id = project.id.clone();
    let deactivate = Callback::new(move |()| {
        let variables = deactivate_project::Variables { id: id.clone() };
        form.send::<DeactivateProject>(api, variables, move |_| on_change.run(()));
    });
    let active = project.deactivated_at.is_none();
    view! {
        <tr class="project">
            <td class="project-name">{project.name.clone()}</td>
            <td>{agency}</td>
            <td class="project-type">{project.project_type_name}</td>
            <td>{if active { "Active" } else { "Deactivated" }}</td>
            <RegistryActions prefix="project" n name=project.name.clone() active form renaming rename deactivate
                confirm="Confirm: deactivate (no new enrollments)" />
        </tr>
    }
}

#[component]
fn NewAgency(on_created: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let name = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let variables = create_agency::Variables {
            name: name.get_untracked().trim().to_owned(),
        };
        form.send::<CreateAgency>(api, variables, move |_| {
            name.set(String::new());
            on_created.run(());
        });
    };
    view! {
        <form id="agency-form" on:submit=on_submit aria-labelledby="agency-form-title">
            <h4 id="agency-form-title">"New agency"</h4>
            <Field id="agency-name" label="Agency name" value=name autocomplete="organization" />
            <ErrorAlert id="agency-error" error=form.error />
            <button id="agency-submit" type="submit" disabled=move || form.pending.get()>
                "Create agency"
            </button>
        </form>
    }
}

#[component]
fn NewProject(
    agencies: Signal<Vec<(String, String)>>,
    project_types: RwSignal<Vec<(String, String)>>,
    on_created: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let agency = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let project_type = RwSignal::new(String::new());
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        let Ok(code) = project_type.get_untracked().parse::<i64>() else {
            form.finish::<()>(Err(crate::api::GraphqlError::input(
                "Choose the project's HUD project type.",
            )));
            return;
        };
        let variables = create_project::Variables {
            agency_id: agency.get_untracked(),
            name: name.get_untracked().trim().to_owned(),
            project_type: code,
        };
        form.send::<CreateProject>(api, variables, move |_| {
            name.set(String::new());
            on_created.run(());
        });
    };
    view! {
        <form id="project-form" on:submit=on_submit aria-labelledby="project-form-title">
            <h4 id="project-form-title">"New project"</h4>
            <Choice id="project-agency" label="Agency" value=agency options=agencies />
            <Field id="project-name" label="Project name" value=name />
            <Choice id="project-type" label="HUD project type" value=project_type options=project_types />
            <ErrorAlert id="project-error" error=form.error />
            <button id="project-submit" type="submit" disabled=move || form.pending.get()>
                "Create project"
            </button>
        </form>
    }
}
