//! `SYS-1`: Concord acting by itself for a tenant (a deadline passing, a scan, a message going
//! out) calls the same use cases as a person, reads what the plan's steps need, and is refused
//! everything a person of an agency does.
use domain::caller::Caller;
use domain::error::DomainError;
use domain::page::{Listing, Window};
use domain::policy::plan::PRIVATE;
use domain::policy::roles::Role;
use domain::records::clients::{self, NewClient};
use domain::records::demographics::DemographicField;
use domain::sharing_plan::{self, Publication};
use domain::{auth::onboarding, store, tenancy};

use crate::helpers::Coc;

fn refused_by_sys_1<T>(outcome: Result<T, DomainError>) {
    match outcome {
        Err(DomainError::Forbidden { rule, reason }) => {
            assert_eq!(rule, "SYS-1");
            assert!(reason.contains("by a person"), "{reason}");
        }
        Err(other) => panic!("expected a SYS-1 refusal, got {other:?}"),
        Ok(_) => panic!("Concord acting by itself was allowed what a person does"),
    }
}

#[tokio::test]
async fn sys_1_the_system_reads_what_the_plan_needs_and_acts_as_no_person() {
    let coc = Coc::new().await;
    let state = &coc.app.state;
    let system = Caller::system(coc.tenant_id);

    // What the plan's own steps need: the plan in force, the agencies, the registry.
    let plan = sharing_plan::active(state, system).await.expect("the plan");
    assert_eq!(
        (plan.row.version, plan.row.template.as_str()),
        (1, "durham-v1")
    );
    let agencies = tenancy::agencies(state, system, Listing::default(), Window::after(None, 10))
        .await
        .expect("agencies");
    assert_eq!(agencies.rows.len(), 2);
    tenancy::tenant_of(state, system).await.expect("the tenant");

    // What people do.
    refused_by_sys_1(
        clients::create(
            state,
            system,
            NewClient {
                hmis_number: None,
                values: vec![(DemographicField::FirstName, Some("Ann".into()))],
            },
        )
        .await,
    );
    refused_by_sys_1(
        clients::page(
            state,
            system,
            clients::ListFilter::default(),
            Window::after(None, 10),
        )
        .await,
    );
    refused_by_sys_1(tenancy::create_agency(state, system, "Made by nobody").await);
    refused_by_sys_1(tenancy::me(state, system).await);
    refused_by_sys_1(sharing_plan::publish(state, system, Publication::Template(PRIVATE)).await);
    refused_by_sys_1(
        onboarding::invite(
            state,
            system,
            onboarding::Invite {
                email: "someone@um.example",
                role: Role::User,
                agency_id: Some(coc.community.agency_a),
            },
        )
        .await,
    );

    // Nothing of it was written: still two agencies, no client, plan version 1.
    let agencies = tenancy::agencies(state, system, Listing::default(), Window::after(None, 10))
        .await
        .expect("agencies");
    assert_eq!(agencies.rows.len(), 2);
    let lead = &coc.community.data_center.user;
    let (listed, _) = clients::page(
        state,
        lead,
        clients::ListFilter::default(),
        Window::after(None, 10),
    )
    .await
    .expect("clients");
    assert!(listed.rows.is_empty());
    assert_eq!(
        sharing_plan::active(state, lead)
            .await
            .expect("plan")
            .row
            .version,
        1
    );

    // Inside a transaction a job holds, as a savepoint of it.
    let held = store::tenant_tx(&state.db, coc.tenant_id)
        .await
        .expect("begin");
    let inside = tenancy::agencies(
        state,
        system.inside(&held),
        Listing::default(),
        Window::after(None, 10),
    )
    .await
    .expect("agencies inside the held transaction");
    assert_eq!(inside.rows.len(), 2);
    held.rollback().await.expect("roll back");
}
