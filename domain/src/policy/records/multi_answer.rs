//! Answers over time (`PRO-*`): effective-dated rows, corrected at the client's direction.

use super::*;
use crate::policy::plan::CorrectionEndDates;

/// The outcome of correcting a profile row (`PRO-1`–`PRO-3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileCorrection {
    pub decision: Decision,
    /// The correction end-dates the old row (`PRO-2`: the corrector's own, or any agency's at
    /// the client's direction where the plan allows it); otherwise its agency is asked.
    pub may_end_date_old_row: bool,
    /// The entering agency's administrators are told (`PRO-4`).
    pub notify_entering_agency: bool,
}

pub fn correct_profile(
    viewer: &Actor,
    entered: &Provenance,
    plan: Plan<'_>,
    at_client_direction: bool,
    correction_note_given: bool,
) -> ProfileCorrection {
    let own = same_party(viewer, entered);
    let decision = if !own && !at_client_direction {
        Decision::refuse(
            "PRO-1",
            "another agency entered this row: change it only at the client's direction, and record that it was",
        )
    } else if plan.document.parameters.correction_note_required && !correction_note_given {
        Decision::refuse("PRO-3", "add a client note saying what was corrected")
    } else {
        let mut conditions = Vec::new();
        let mut asks = Vec::new();
        if !own {
            conditions.push(Condition::ClientDirection);
            asks.push("at the client's direction (another agency entered this row)");
        }
        if plan.document.parameters.correction_note_required {
            conditions.push(Condition::CorrectionNote);
            asks.push("with a client note saying what was corrected");
        }
        let rule = if own { "PRO-2" } else { "PRO-1" };
        if conditions.is_empty() {
            Decision::allow(rule)
        } else {
            Decision::allow_on(rule, conditions, format!("allowed {}", asks.join(", ")))
        }
    };
    let any_row = plan.document.parameters.correction_end_dates
        == CorrectionEndDates::AnyAtClientDirection
        && at_client_direction;
    ProfileCorrection {
        decision,
        may_end_date_old_row: own || any_row,
        notify_entering_agency: !own,
    }
}

/// `PRO-4`: only the entering agency (or the Data Center's own rows) end-dates a row.
pub fn end_date_profile(viewer: &Actor, entered: &Provenance) -> Decision {
    if same_party(viewer, entered) {
        Decision::allow("PRO-4")
    } else {
        Decision::refuse(
            "PRO-4",
            "only the agency that entered this row can end-date it; its administrator has been told",
        )
    }
}
