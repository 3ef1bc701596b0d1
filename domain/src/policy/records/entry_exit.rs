//! Entry/exit (`ENR-*`): owned by the project's agency; overlapping stays flagged.
use uuid::Uuid;

use super::*;

/// `ENR-1`: only users of the agency that owns the project change or delete its enrollments.
pub fn change_enrollment(viewer: &Actor, project_agency: Uuid) -> Decision {
    if viewer.agency_id == Some(project_agency) {
        Decision::allow("ENR-1")
    } else {
        Decision::refuse(
            "ENR-1",
            "never delete or modify another agency's entry/exit: report the error to that \
             agency instead (reportEnrollmentError, ENR-3)",
        )
    }
}

/// `ENR-2`: whether two overlapping enrollments' project types are a normal pair.
pub fn concurrent_enrollment_is_normal(plan: Plan<'_>, a: i16, b: i16) -> bool {
    plan.document
        .parameters
        .concurrent_project_types
        .iter()
        .any(|[x, y]| (*x == a && *y == b) || (*x == b && *y == a))
}
