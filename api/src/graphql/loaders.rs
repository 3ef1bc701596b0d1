//! Data loaders: a page of clients asks for its related records in one batch per kind, so
//! the cost of a page does not grow with its size (no N+1). Each loader is built per request
//! for its viewer, and goes through the same use cases, so the plan's rules apply as they do
//! everywhere else.
use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::cases::Case;
use super::enrollments::Enrollment;
use crate::error::GqlError;
use domain::auth::TenantUser;
use domain::caller::Caller;
use domain::read_scope::ReadScope;
use domain::records;
use domain::state::AppState;

/// Who a request's loaders load for: its viewer, on its shared reads when it has them.
#[derive(Clone)]
pub struct LoadFor {
    pub state: AppState,
    pub viewer: TenantUser,
    pub reads: Option<ReadScope>,
}

impl LoadFor {
    fn caller(&self) -> Caller<'_> {
        Caller::reading(&self.viewer, self.reads.as_ref())
    }
}

pub struct EnrollmentsOfClient(pub LoadFor);

impl Loader<Uuid> for EnrollmentsOfClient {
    type Value = Vec<Enrollment>;
    type Error = GqlError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let views = records::enrollments::of_clients(&self.0.state, self.0.caller(), keys).await?;
        Ok(views
            .into_iter()
            .map(|(client, views)| (client, views.into_iter().map(Enrollment::from).collect()))
            .collect())
    }
}

/// The case of each data conflict, with its timeline and `access` block.
pub struct CaseOfConflict(pub LoadFor);

impl Loader<Uuid> for CaseOfConflict {
    type Value = Case;
    type Error = GqlError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let views = domain::cases::of_conflicts(&self.0.state, self.0.caller(), keys).await?;
        Ok(views
            .into_iter()
            .map(|(conflict, view)| (conflict, Case::from(view)))
            .collect())
    }
}

/// PROV-1: the display names of the users who entered or changed what a request shows.
pub struct UserNames(pub LoadFor);

impl Loader<Uuid> for UserNames {
    type Value = String;
    type Error = GqlError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(records::provenance::user_names(&self.0.state, self.0.caller(), keys).await?)
    }
}

/// PROV-1: the names of their agencies.
pub struct AgencyNames(pub LoadFor);

impl Loader<Uuid> for AgencyNames {
    type Value = String;
    type Error = GqlError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(records::provenance::agency_names(&self.0.state, self.0.caller(), keys).await?)
    }
}
