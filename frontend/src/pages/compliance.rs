//! Compliance (`/compliance`): what Concord found that someone should act on. The entry/exit
//! inconsistencies (`ENR-4`), heads of household without a case manager from their project's
//! agency (`CM-1`), and heads of household missing a document they should carry (`ATT-4`).
//! Clients are named by HMIS number only (`COM-1`) and link to their profiles.

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::Api;
use crate::components::{Paged, ShowMore, enum_name, error_view, loading};
use crate::queries::{
    CaseManagerGaps, DocumentChecklist, EnrollmentInconsistencies, case_manager_gaps,
    document_checklist, enrollment_inconsistencies,
};

/// One row of a compliance list: the client (id, HMIS number) and what is wrong.
#[derive(Clone)]
struct Finding {
    client_id: String,
    hmis_number: String,
    what: String,
}

/// A page of findings: its rows, whether more follow, the cursor after it, and the list's
/// total where the API counts it.
type FindingsPage = (Vec<Finding>, bool, Option<String>, Option<i64>);

/// The findings of a connection page: `finding` makes one of each node; `counted` says
/// whether the connection has a `totalCount`.
macro_rules! findings {
    ($page:expr, $finding:expr, counted) => {{
        let page = $page;
        let total = Some(page.total_count);
        findings!(@page page, $finding, total)
    }};
    ($page:expr, $finding:expr) => {{
        let page = $page;
        findings!(@page page, $finding, None)
    }};
    (@page $page:ident, $finding:expr, $total:expr) => {{
        let info = $page.page_info;
        let rows = $page.nodes.into_iter().map($finding).collect();
        (rows, info.has_next_page, info.end_cursor, $total)
    }};
}

/// A list read page by page with `Q`, first page at once; `page` turns an answer into its
/// findings, whether more follow, the cursor and (where counted) the total.
fn list<Q>(
    make: fn(Option<String>) -> Q::Variables,
    page: fn(Q::ResponseData) -> FindingsPage,
) -> (Paged<Finding>, Callback<Option<String>>)
where
    Q: GraphQLQuery + 'static,
    Q::Variables: Clone + 'static,
{
    let api = expect_context::<Api>();
    let found = Paged::<Finding>::new();
    let load = Callback::new(move |after: Option<String>| {
        found.fetch::<Q>(api, make(after), move |data| {
            let (rows, more, end, total) = page(data);
            // An uncounted list shows what it has read so far.
            let total = total.unwrap_or_else(|| {
                let so_far = found.rows.with_untracked(Vec::len) + rows.len();
                i64::try_from(so_far).unwrap_or(i64::MAX)
            });
            (rows, more, end, total)
        });
    });
    load.run(None);
    (found, load)
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let (inconsistencies, more_inconsistencies) = list::<EnrollmentInconsistencies>(
        |after| enrollment_inconsistencies::Variables { after },
        |data| {
            let finding = |n: enrollment_inconsistencies::EnrollmentInconsistenciesEnrollmentInconsistenciesNodes| Finding {
                what: format!("{}: {}", n.rule, n.message),
                client_id: n.client_id,
                hmis_number: n.hmis_number,
            };
            findings!(data.enrollment_inconsistencies, finding, counted)
        },
    );
    let (gaps, more_gaps) = list::<CaseManagerGaps>(
        |after| case_manager_gaps::Variables { after },
        |data| {
            let finding = |n: case_manager_gaps::CaseManagerGapsCaseManagerGapsNodes| Finding {
                what: format!(
                    "{}: no case manager from the agency of {} (entered {})",
                    n.rule, n.project_name, n.entry_date
                ),
                client_id: n.client_id,
                hmis_number: n.hmis_number,
            };
            findings!(data.case_manager_gaps, finding, counted)
        },
    );
    let (documents, more_documents) = list::<DocumentChecklist>(
        |after| document_checklist::Variables { after },
        |data| {
            let finding = |n: document_checklist::DocumentChecklistDocumentChecklistNodes| {
                let missing: Vec<String> = n
                    .missing
                    .iter()
                    .map(|m| enum_name(m).replace('_', " ").to_lowercase())
                    .collect();
                Finding {
                    what: format!(
                        "ATT-4: missing {} (entered {})",
                        missing.join(", "),
                        n.entry_date
                    ),
                    client_id: n.client_id,
                    hmis_number: n.hmis_number,
                }
            };
            findings!(data.document_checklist, finding)
        },
    );
    view! {
        <section aria-labelledby="compliance-title">
            <h2 id="compliance-title">"Compliance"</h2>
            <Findings id="inconsistencies" title="Entry and exit inconsistencies (ENR-4)"
                empty="None: no stay ends before it begins, overlaps another agency's unexpectedly, or moves in during a shelter stay."
                list=inconsistencies more=more_inconsistencies />
            <Findings id="case-manager-gaps" title="Heads of household without a case manager (CM-1)"
                empty="None: every head of household enrolled in a project has a case manager from its agency."
                list=gaps more=more_gaps />
            <Findings id="document-gaps" title="Heads of household missing documents (ATT-4)"
                empty="None: every head of household carries a birth certificate, a verification of homelessness and, where disabled, of disability."
                list=documents more=more_documents />
        </section>
    }
}

#[component]
fn Findings(
    id: &'static str,
    title: &'static str,
    empty: &'static str,
    list: Paged<Finding>,
    more: Callback<Option<String>>,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    view! {
        <h3 id=title_id.clone()>{title}</h3>
        {move || list.error.get().map(|e| error_view(format!("{id}-error"), e))}
        {move || match list.total.get() {
            None => loading(format!("{id}-loading")).into_any(),
            Some(0) => view! { <p id=format!("{id}-empty") class="empty">{empty}</p> }.into_any(),
            Some(_) => view! {
                <table id=id aria-labelledby=title_id.clone()>
                    <thead><tr><th scope="col">"Client"</th><th scope="col">"What"</th></tr></thead>
                    <tbody>
                        {list.rows.get().into_iter().map(|f| view! {
                            <tr>
                                <td><A href=format!("/clients/{}", f.client_id)>{f.hmis_number}</A></td>
                                <td>{f.what}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        <ShowMore id=format!("{id}-more") label="Show more" list load=more />
    }
}
