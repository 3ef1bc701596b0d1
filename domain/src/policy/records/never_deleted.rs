//! Never deleted (`SRV-*`): edited only by the provider, never deleted; notes kept with it.
use uuid::Uuid;

use super::*;

/// `SRV-1`: only the providing agency edits a service transaction.
pub fn edit_service(viewer: &Actor, provider_agency: Uuid) -> Decision {
    if viewer.agency_id == Some(provider_agency) {
        Decision::allow("SRV-1")
    } else {
        Decision::refuse(
            "SRV-1",
            "only the providing agency may edit a service transaction",
        )
    }
}

/// `SRV-1`: service transactions, needs and referrals are never deleted, by anyone.
pub fn delete_service() -> Decision {
    Decision::refuse(
        "SRV-1",
        "service transactions, needs and referrals are never deleted",
    )
}

/// `SRV-2`: case-management minutes and notes, by default only for the providing agency.
pub fn read_service_notes(viewer: &Actor, provider_agency: Uuid, plan: Plan<'_>) -> Decision {
    if viewer.agency_id == Some(provider_agency) || plan.document.parameters.service_notes_shared {
        Decision::allow("SRV-2")
    } else {
        Decision::refuse(
            "SRV-2",
            "case-management notes stay with the providing agency under this plan",
        )
    }
}
