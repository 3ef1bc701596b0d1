//! Owner only (`CM-*`): changed only by the assigning agency.
use uuid::Uuid;

use super::*;

/// `CM-2`: only users of the assigning agency change or remove its case-manager assignment.
pub fn change_case_manager(viewer: &Actor, assigning_agency: Uuid) -> Decision {
    if viewer.agency_id == Some(assigning_agency) {
        Decision::allow("CM-2")
    } else {
        Decision::refuse(
            "CM-2",
            "only users of the assigning agency may change or remove its case manager",
        )
    }
}
