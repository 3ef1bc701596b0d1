//! The `access` block every returned record carries (SPEC §6): for each action the console
//! would offer, whether this viewer may take it and, if not, the rule and a sentence — so the
//! console never offers what the server would refuse.
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, SimpleObject};

use super::loaders::{AgencyNames, UserNames};
use crate::error::GqlResult;
use domain::error::DomainError;
use domain::policy::Decision;

/// What an allowed action still requires of the person taking it; the server refuses the
/// action without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::Condition")]
pub enum AllowanceCondition {
    /// `DEM-2`: written documentation of the new value.
    WrittenDocumentation,
    /// `PRO-1`: the client directed the change.
    ClientDirection,
    /// `PRO-3`: a client note saying what was corrected.
    CorrectionNote,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct Permission {
    /// The action, e.g. `edit`, `delete`, `endDate`.
    pub action: String,
    pub allowed: bool,
    /// The rule that decides it (`DEM-2`, `ATT-1`, …).
    pub rule: String,
    /// Why not, or on what condition it is allowed, in a sentence; empty when allowed outright.
    pub reason: String,
    /// What the allowance asks for (documentation, the client's direction, a correction
    /// note): ask for it before acting. Empty when refused or allowed outright.
    pub conditions: Vec<AllowanceCondition>,
    /// The sharing-plan version the decision was made under; empty for role rules
    /// (`ROLE-*`), which no plan changes.
    pub plan_version: Option<i32>,
}

impl Permission {
    /// `action`'s entry from its decision, made under `plan_version` (none for role rules).
    pub fn new(action: &str, decision: Decision, plan_version: Option<i32>) -> Self {
        Self {
            action: action.to_owned(),
            allowed: decision.allowed,
            rule: decision.rule.to_owned(),
            reason: decision.reason,
            conditions: decision.conditions.into_iter().map(Into::into).collect(),
            plan_version,
        }
    }
}

/// The access block from `(action, decision)` pairs.
pub fn permissions(
    plan_version: i32,
    decisions: impl IntoIterator<Item = (&'static str, Decision)>,
) -> Vec<Permission> {
    decisions
        .into_iter()
        .map(|(action, d)| Permission::new(action, d, Some(plan_version)))
        .collect()
}

/// The access block for decisions of the role rules (`ROLE-*`), which no plan version makes.
pub fn role_permissions(
    decisions: impl IntoIterator<Item = (&'static str, Decision)>,
) -> Vec<Permission> {
    decisions
        .into_iter()
        .map(|(action, d)| Permission::new(action, d, None))
        .collect()
}

/// Who entered a record and when (PROV-1).
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct ProvenanceInfo {
    pub entered_by_user_id: uuid::Uuid,
    /// Empty when the Data Center entered it.
    pub entered_by_agency_id: Option<uuid::Uuid>,
    pub entered_at: chrono::DateTime<chrono::Utc>,
    pub updated_by_user_id: Option<uuid::Uuid>,
    pub updated_by_agency_id: Option<uuid::Uuid>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Who did something to a record, from which agency, and when (PROV-1).
#[derive(SimpleObject)]
pub struct ProvenanceStamp {
    pub user: ProvenanceUser,
    /// Empty for the Data Center, which belongs to no agency.
    pub agency: Option<ProvenanceAgency>,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(SimpleObject)]
pub struct ProvenanceUser {
    pub id: uuid::Uuid,
    /// Empty only for an id the tenant does not know (the system's own actions).
    pub display_name: Option<String>,
}

#[derive(SimpleObject)]
pub struct ProvenanceAgency {
    pub id: uuid::Uuid,
    pub name: Option<String>,
}

#[ComplexObject]
impl ProvenanceInfo {
    /// Who entered the record, by name, from which agency, and when.
    async fn entered(&self, ctx: &Context<'_>) -> GqlResult<ProvenanceStamp> {
        stamp(
            ctx,
            self.entered_by_user_id,
            self.entered_by_agency_id,
            self.entered_at,
        )
        .await
    }

    /// Who changed it last, when it was changed after it was entered.
    async fn updated(&self, ctx: &Context<'_>) -> GqlResult<Option<ProvenanceStamp>> {
        match (self.updated_by_user_id, self.updated_at) {
            (Some(user), Some(at)) => {
                Ok(Some(stamp(ctx, user, self.updated_by_agency_id, at).await?))
            }
            _ => Ok(None),
        }
    }
}

/// A person by id and name, the name through the request's loader.
pub async fn person(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<ProvenanceUser> {
    let users = ctx
        .data::<Arc<DataLoader<UserNames>>>()
        .map_err(|_| DomainError::Unauthenticated("sign in first"))?;
    Ok(ProvenanceUser {
        id,
        display_name: users.load_one(id).await?,
    })
}

/// The names come through the request's loaders: a page of records asks once per kind.
pub async fn stamp(
    ctx: &Context<'_>,
    user: uuid::Uuid,
    agency: Option<uuid::Uuid>,
    at: chrono::DateTime<chrono::Utc>,
) -> GqlResult<ProvenanceStamp> {
    let agencies = ctx
        .data::<Arc<DataLoader<AgencyNames>>>()
        .map_err(|_| DomainError::Unauthenticated("sign in first"))?;
    let user = person(ctx, user).await?;
    let agency = match agency {
        Some(id) => Some(ProvenanceAgency {
            id,
            name: agencies.load_one(id).await?,
        }),
        None => None,
    };
    Ok(ProvenanceStamp { user, agency, at })
}

/// PROV-1 from a record's stamps.
pub fn provenance(
    created: (
        uuid::Uuid,
        Option<uuid::Uuid>,
        chrono::DateTime<chrono::Utc>,
    ),
    updated: (
        uuid::Uuid,
        Option<uuid::Uuid>,
        chrono::DateTime<chrono::Utc>,
    ),
) -> ProvenanceInfo {
    ProvenanceInfo {
        entered_by_user_id: created.0,
        entered_by_agency_id: created.1,
        entered_at: created.2,
        updated_by_user_id: Some(updated.0),
        updated_by_agency_id: updated.1,
        updated_at: Some(updated.2),
    }
}
