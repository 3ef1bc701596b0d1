//! The `access` block every returned record carries (SPEC §6): for each action the console
//! would offer, whether this viewer may take it and, if not, the rule and a sentence — so the
//! console never offers what the server would refuse.
use async_graphql::{Enum, SimpleObject};

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
pub struct ProvenanceInfo {
    pub entered_by_user_id: uuid::Uuid,
    /// Empty when the Data Center entered it.
    pub entered_by_agency_id: Option<uuid::Uuid>,
    pub entered_at: chrono::DateTime<chrono::Utc>,
    pub updated_by_user_id: Option<uuid::Uuid>,
    pub updated_by_agency_id: Option<uuid::Uuid>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
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
