//! Single answer (`DEM-*`): one value per field, changed over another agency's only with
//! documentation; otherwise a data conflict.

use super::*;

/// What happens to a changed single-answer value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DemographicChange {
    /// Written over the record; the old value stays in history.
    Write(Decision),
    /// Not written: recorded as a data conflict for the parties to resolve (`DEM-3`).
    RecordConflict(Decision),
}

/// `DEM-2`/`DEM-3`: changing a single-answer value that `entered` entered.
pub fn change_demographic(
    viewer: &Actor,
    entered: &Provenance,
    plan: Plan<'_>,
    documented: bool,
) -> DemographicChange {
    if same_party(viewer, entered) {
        return DemographicChange::Write(Decision::allow("DEM-2"));
    }
    if !plan.document.parameters.override_requires_documentation {
        return DemographicChange::Write(Decision::allow("DEM-2"));
    }
    if documented {
        return DemographicChange::Write(Decision::allow_on(
            "DEM-2",
            vec![Condition::WrittenDocumentation],
            "another agency entered this value: it is written over with written documentation \
             of the new value",
        ));
    }
    DemographicChange::RecordConflict(Decision::refuse(
        "DEM-3",
        "another agency entered this value: without written documentation the new value is recorded \
         as a data conflict for the two agencies to reconcile, not written over the record",
    ))
}
