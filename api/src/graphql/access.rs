//! The `access` block every returned record carries (SPEC §6): for each action the console
//! would offer, whether this viewer may take it and, if not, the rule and a sentence — so the
//! console never offers what the server would refuse.
use async_graphql::SimpleObject;

use domain::policy::Decision;

#[derive(SimpleObject, Clone, Debug)]
pub struct Permission {
    /// The action, e.g. `edit`, `delete`, `endDate`.
    pub action: String,
    pub allowed: bool,
    /// The rule that decides it (`DEM-2`, `ATT-1`, …).
    pub rule: String,
    /// Why not, in a sentence; empty when allowed.
    pub reason: String,
    /// The sharing-plan version the decision was made under; empty for role rules
    /// (`ROLE-*`), which no plan changes.
    pub plan_version: Option<i32>,
}

/// The access block from `(action, decision)` pairs.
pub fn permissions(
    plan_version: i32,
    decisions: impl IntoIterator<Item = (&'static str, Decision)>,
) -> Vec<Permission> {
    decisions
        .into_iter()
        .map(|(action, d)| Permission {
            action: action.to_owned(),
            allowed: d.allowed,
            rule: d.rule.to_owned(),
            reason: d.reason,
            plan_version: Some(plan_version),
        })
        .collect()
}

/// The access block for decisions of the role rules (`ROLE-*`), which no plan version makes.
pub fn role_permissions(
    decisions: impl IntoIterator<Item = (&'static str, Decision)>,
) -> Vec<Permission> {
    decisions
        .into_iter()
        .map(|(action, d)| Permission {
            action: action.to_owned(),
            allowed: d.allowed,
            rule: d.rule.to_owned(),
            reason: d.reason,
            plan_version: None,
        })
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
