//! The Durham v1 rules over the shared records (SPEC §4), organised by resolution strategy.
//! Every function is pure: who asks, the record's provenance, the plan version in force.
//! Rule ids (`DEM-2`, `ATT-3`, …) are the plan's own; `PLAN-1` is the sharing rule itself:
//! an element the plan does not share is visible only inside the entering agency.
use uuid::Uuid;

use super::Decision;
use super::plan::{PlanDocument, Strategy};
use super::roles::{Actor, Role};

/// The seven built-in elements (plan keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    ClientDemographics,
    ProfileAssessment,
    EntryExit,
    FileAttachments,
    CaseManager,
    Services,
    ClientNotes,
}

impl Element {
    pub const ALL: [Element; 7] = [
        Self::ClientDemographics,
        Self::ProfileAssessment,
        Self::EntryExit,
        Self::FileAttachments,
        Self::CaseManager,
        Self::Services,
        Self::ClientNotes,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::ClientDemographics => "client_demographics",
            Self::ProfileAssessment => "profile_assessment",
            Self::EntryExit => "entry_exit",
            Self::FileAttachments => "file_attachments",
            Self::CaseManager => "case_manager",
            Self::Services => "services",
            Self::ClientNotes => "client_notes",
        }
    }

    pub fn strategy(self) -> Strategy {
        match self {
            Self::ClientDemographics => Strategy::SingleAnswer,
            Self::ProfileAssessment => Strategy::MultiAnswer,
            Self::EntryExit => Strategy::EntryExit,
            Self::FileAttachments => Strategy::Attachments,
            Self::CaseManager => Strategy::OwnerOnly,
            Self::Services => Strategy::NeverDeleted,
            Self::ClientNotes => Strategy::AuthorOnlyDeletion,
        }
    }
}

/// The plan version a decision is made under.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    pub version: i32,
    pub document: &'a PlanDocument,
}

impl Plan<'_> {
    pub fn shares(&self, element: Element) -> bool {
        self.document
            .elements
            .get(element.key())
            .is_some_and(|e| e.shared)
    }
}

/// Who entered a record (PROV-1). `agency` is `None` for the Data Center, which belongs to
/// no agency and counts as one party of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub user: Uuid,
    pub agency: Option<Uuid>,
}

/// The viewer and the record's entering party are the same agency (or both the Data Center).
pub fn same_party(viewer: &Actor, entered: &Provenance) -> bool {
    match viewer.role {
        Role::DataCenter => entered.agency.is_none(),
        Role::AgencyAdmin | Role::User => {
            viewer.agency_id.is_some() && viewer.agency_id == entered.agency
        }
    }
}

/// `PLAN-1` (and `DEM-1` for demographics): reading a record of `element`. The Data Center,
/// the CoC's HMIS lead, reads every record of its CoC whatever the plan shares between
/// agencies (except what ATT-3 and SRV-2 keep inside one agency).
pub fn read(viewer: &Actor, element: Element, entered: &Provenance, plan: Plan<'_>) -> Decision {
    let rule = if element == Element::ClientDemographics {
        "DEM-1"
    } else {
        "PLAN-1"
    };
    if viewer.role == Role::DataCenter || same_party(viewer, entered) || plan.shares(element) {
        Decision::allow(rule)
    } else {
        Decision::refuse(
            rule,
            format!(
                "the sharing plan (version {}) keeps {} inside the agency that entered them",
                plan.version,
                element.key().replace('_', " ")
            ),
        )
    }
}

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
    if documented || !plan.document.parameters.override_requires_documentation {
        return DemographicChange::Write(Decision::allow("DEM-2"));
    }
    DemographicChange::RecordConflict(Decision::refuse(
        "DEM-3",
        "another agency entered this value: without written documentation the new value is recorded \
         as a data conflict for the two agencies to reconcile, not written over the record",
    ))
}

/// The outcome of correcting a profile row (`PRO-1`–`PRO-3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileCorrection {
    pub decision: Decision,
    /// The correcting user may end-date the old row (`PRO-2`); otherwise its agency is asked.
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
        Decision::allow(if own { "PRO-2" } else { "PRO-1" })
    };
    ProfileCorrection {
        decision,
        may_end_date_old_row: own,
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

/// `ENR-1`: only users of the agency that owns the project change or delete its enrollments.
pub fn change_enrollment(viewer: &Actor, project_agency: Uuid) -> Decision {
    if viewer.agency_id == Some(project_agency) {
        Decision::allow("ENR-1")
    } else {
        Decision::refuse(
            "ENR-1",
            "never delete or modify another agency's entry/exit: report the error to that agency instead",
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

/// Attachment categories a client file can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentCategory {
    BirthCertificate,
    HomelessnessVerification,
    DisabilityVerification,
    ServiceAgreement,
    IdentityDocument,
    SsnCard,
    SsnOnFileDisclosure,
    Medical,
    Other,
}

/// `ATT-2`/`ATT-3`: may this upload be stored at all?
pub fn upload_attachment(
    plan: Plan<'_>,
    category: AttachmentCategory,
    file_name: &str,
    no_diagnosis_confirmed: bool,
) -> Decision {
    if plan.document.parameters.ssn_card_uploads_forbidden
        && (category == AttachmentCategory::SsnCard || names_ssn_card(file_name))
    {
        return Decision::refuse(
            "ATT-2",
            "copies of Social Security cards are never stored; upload an \"SSN on file at <agency>\" disclosure or add a client note instead",
        );
    }
    if category == AttachmentCategory::DisabilityVerification && !no_diagnosis_confirmed {
        return Decision::refuse(
            "ATT-3",
            "confirm that the disability verification includes no specific diagnosis",
        );
    }
    Decision::allow("ATT-2")
}

/// A file name that says it holds a Social Security number or card ("ssn.jpg", "SSN card.pdf",
/// "Social_Security-Card.png", "soc sec.png"). Disclosures ("SSN on file at …") are allowed.
pub fn names_ssn_card(file_name: &str) -> bool {
    let name: String = file_name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = name.split_whitespace().collect();
    let joined = words.join(" ");
    let says_ssn = words
        .iter()
        .any(|w| *w == "ssn" || *w == "ss" || w.starts_with("ssncard"))
        || joined.contains("social security")
        || joined.contains("soc sec")
        || joined.contains("socsec");
    let disclosure = joined.contains("on file") || joined.contains("disclosure");
    says_ssn && !disclosure
}

/// `ATT-3`: medical files are visible only inside the uploading agency; others as the plan says.
pub fn read_attachment(
    viewer: &Actor,
    uploaded: &Provenance,
    medical: bool,
    plan: Plan<'_>,
) -> Decision {
    if medical {
        if same_party(viewer, uploaded) {
            return Decision::allow("ATT-3");
        }
        return Decision::refuse(
            "ATT-3",
            "files with medical information are visible only inside the uploading agency",
        );
    }
    read(viewer, Element::FileAttachments, uploaded, plan)
}

/// `ATT-1`: only the uploader deletes or replaces a file.
pub fn delete_attachment(viewer: &Actor, uploaded: &Provenance) -> Decision {
    if viewer.user_id == uploaded.user {
        Decision::allow("ATT-1")
    } else {
        Decision::refuse(
            "ATT-1",
            "only the user who uploaded a file may delete or replace it",
        )
    }
}

/// `SRV-3`: a document attaches to a service transaction of the same client.
pub fn attach_to_service(client_id: Uuid, service_client_id: Uuid) -> Decision {
    if service_client_id == client_id {
        Decision::allow("SRV-3")
    } else {
        Decision::refuse(
            "SRV-3",
            "this service transaction belongs to another client: attach the document to one of this client's services",
        )
    }
}

/// Which enrollments' documents a viewer is shown in the ATT-4 checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChecklistScope {
    /// The Data Center: every agency's.
    All,
    /// An agency's users: their agency's projects.
    Agency(Uuid),
    Nothing,
}

/// `ATT-4`: the Data Center sees the whole CoC; agency users see their agency's enrollments.
pub fn checklist_scope(viewer: &Actor) -> ChecklistScope {
    match (viewer.role, viewer.agency_id) {
        (Role::DataCenter, _) => ChecklistScope::All,
        (_, Some(agency)) => ChecklistScope::Agency(agency),
        (_, None) => ChecklistScope::Nothing,
    }
}

/// `ATT-4`: what a head of household should carry — a birth certificate, third-party
/// verification of homelessness and, where disabled, verification of disability — minus
/// what `holds` says is on file.
pub fn missing_documents(
    disabled: bool,
    holds: impl Fn(AttachmentCategory) -> bool,
) -> Vec<AttachmentCategory> {
    let mut required = vec![
        AttachmentCategory::BirthCertificate,
        AttachmentCategory::HomelessnessVerification,
    ];
    if disabled {
        required.push(AttachmentCategory::DisabilityVerification);
    }
    required.into_iter().filter(|c| !holds(*c)).collect()
}

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

/// `NOTE-1`: only the author edits or deletes a client note.
pub fn change_note(viewer: &Actor, author: Uuid) -> Decision {
    if viewer.user_id == author {
        Decision::allow("NOTE-1")
    } else {
        Decision::refuse(
            "NOTE-1",
            "notes are never deleted or edited except by their author",
        )
    }
}

/// `LOCK-1`: a write names the version it read.
pub fn check_version(expected: i32, current: i32) -> Decision {
    if expected == current {
        Decision::allow("LOCK-1")
    } else {
        Decision::refuse(
            "LOCK-1",
            format!(
                "someone changed this record since you read it (version {expected}, now {current})"
            ),
        )
    }
}
