//! A use case called inside a transaction its caller holds, as an import batch or a job
//! taking several steps calls it: each call is a savepoint, one refused row spoils none of
//! the others, and the batch becomes visible, or vanishes, as one.
use domain::error::DomainError;
use domain::policy::roles::Role;
use domain::records::clients::{self, NewClient};
use domain::records::context::Caller;
use domain::records::demographics::DemographicField;
use domain::store;
use serde_json::json;
use testkit::Community;

use crate::helpers::{Coc, TestApp};

fn person(first: &str, last: &str) -> NewClient {
    NewClient {
        hmis_number: None,
        values: vec![
            (DemographicField::FirstName, Some(first.into())),
            (DemographicField::LastName, Some(last.into())),
        ],
    }
}

async fn visible_clients(app: &TestApp, token: &str) -> usize {
    let listed = app
        .gql(
            "{ clients(first: 50) { edges { node { id } } } }",
            json!({}),
            Some(token),
        )
        .await;
    listed["data"]["clients"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"))
        .len()
}

#[tokio::test]
async fn record_use_cases_join_the_transaction_a_batch_holds() {
    let coc = Coc::new().await;
    let staff = coc
        .community
        .member("staff@um.example", Role::User, Some(coc.community.agency_a))
        .await;
    let (token, importer) = (staff.token.clone(), staff.user);
    let tenant_id = coc.tenant_id;
    let app = &coc.app;
    let state = &app.state;

    for commit in [false, true] {
        let batch = store::tenant_tx(&state.db, tenant_id).await.expect("batch");
        clients::create(
            state,
            Caller::within(&importer, &batch),
            person("Ann", "Lee"),
        )
        .await
        .expect("first row");
        let refused = clients::create(
            state,
            Caller::within(&importer, &batch),
            NewClient {
                hmis_number: None,
                values: vec![(DemographicField::Dob, Some("not a date".into()))],
            },
        )
        .await
        .err();
        assert!(
            matches!(refused, Some(DomainError::Validation { ref field, .. }) if field == "dob"),
            "{refused:?}"
        );
        clients::create(
            state,
            Caller::within(&importer, &batch),
            person("Bo", "Diaz"),
        )
        .await
        .expect("the batch goes on after a refused row");
        assert_eq!(
            visible_clients(app, &token).await,
            0,
            "nothing shows before the batch commits"
        );
        if commit {
            batch.commit().await.expect("commit");
        } else {
            batch.rollback().await.expect("roll back");
        }
        assert_eq!(
            visible_clients(app, &token).await,
            if commit { 2 } else { 0 },
            "the batch lands, or vanishes, as one"
        );
    }

    // A batch scoped to one tenant takes no use case acting for another.
    let outsider = Community::sign_up(state, "orange").await.data_center.user;
    let batch = store::tenant_tx(&state.db, tenant_id).await.expect("batch");
    let crossed = clients::create(
        state,
        Caller::within(&outsider, &batch),
        person("Cy", "Moss"),
    )
    .await;
    let refused = crossed.err().map(|e| format!("{e:?}")).unwrap_or_default();
    assert!(
        refused.contains("the transaction joined is not scoped to this tenant"),
        "a use case joined another tenant's batch: {refused}"
    );
    batch.rollback().await.expect("roll back");
    assert_eq!(visible_clients(app, &token).await, 2);
}
