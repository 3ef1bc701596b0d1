//! The domain's enums as GraphQL sees them. `remote` makes async-graphql generate the
//! conversions both ways, and a variant added on one side only fails to compile, so the
//! schema cannot drift from the domain.
use async_graphql::Enum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::actions::RecordAction")]
pub enum RecordAction {
    ViewClient,
    ChangeDemographicWithoutDocumentation,
    ChangeDemographicWithDocumentation,
    EditEnrollment,
    DeleteEnrollment,
    ChangeCaseManager,
    EditService,
    DeleteService,
    ReadServiceNotes,
    EditNote,
    DeleteNote,
    CorrectProfileRowAtClientDirection,
    EndDateProfileRow,
    ReadAttachment,
    DeleteAttachment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::records::services::ServiceKind")]
pub enum ServiceKind {
    Need,
    Service,
    Referral,
}

/// What a profile row answers: the fields of the `profile_assessment` element, by the same
/// names (a test holds the two lists together).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(name = "ProfileRowKind")]
pub enum ProfileKind {
    Phone,
    Email,
    Address,
    EmergencyContact,
    Other,
}

/// HUD's further data elements, collected where the tenant's plan names them (each an
/// answers-over-time element, `PRO-*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum HudElement {
    /// 4.02 Income and Benefits.
    IncomeAndBenefits,
    /// 4.04 Health Insurance.
    HealthInsurance,
    /// 4.05–4.10 Physical Disability to Substance Use Disorder, one element.
    DisablingConditions,
    /// 4.12 Current Living Situation.
    CurrentLivingSituation,
}

impl From<HudElement> for domain::policy::records::Element {
    fn from(element: HudElement) -> Self {
        match element {
            HudElement::IncomeAndBenefits => Self::INCOME_AND_BENEFITS,
            HudElement::HealthInsurance => Self::HEALTH_INSURANCE,
            HudElement::DisablingConditions => Self::DISABLING_CONDITIONS,
            HudElement::CurrentLivingSituation => Self::CURRENT_LIVING_SITUATION,
        }
    }
}

/// `PRO-2`: whose old rows a correction end-dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::plan::CorrectionEndDates")]
pub enum CorrectionEndDates {
    /// Only the corrector's own agency's rows; another agency end-dates its own (Durham v1).
    OwnRows,
    /// Any agency's row, when the correction is made at the client's direction.
    AnyAtClientDirection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::records::demographics::DemographicField")]
pub enum DemographicField {
    FirstName,
    MiddleName,
    LastName,
    NameDataQuality,
    Dob,
    DobDataQuality,
    Ssn,
    SsnDataQuality,
    RaceEthnicity,
    /// Local (HUD 3.06, no longer in the HUD CSV from FY2026).
    Gender,
    VeteranStatus,
    /// HUD FY2026 4.21.
    Sex,
}

/// Attachment categories a client file can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::records::AttachmentCategory")]
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

/// How conflicts on an element are resolved; the rules of each strategy apply to every
/// element that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(name = "ResolutionStrategy", remote = "domain::policy::plan::Strategy")]
pub enum Strategy {
    /// One answer per field, changed only with documentation (`DEM-*`).
    SingleAnswer,
    /// Several answers over time, effective-dated (`PRO-*`).
    MultiAnswer,
    /// Entry/exit records owned by the project's agency (`ENR-*`).
    EntryExit,
    /// Files, deleted or replaced only by their uploader (`ATT-*`).
    Attachments,
    /// Changed only by the owning agency (`CM-*`).
    OwnerOnly,
    /// Never deleted, edited only by the providing agency (`SRV-*`).
    NeverDeleted,
    /// Deleted or edited only by the author (`NOTE-*`).
    AuthorOnlyDeletion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::roles::Role")]
pub enum Role {
    DataCenter,
    AgencyAdmin,
    User,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::auth::invitations::InvitationStatus")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

/// Which way a sorted list runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

/// What the agencies list may be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::tenancy::AgencyField")]
pub enum AgencyOrderField {
    /// When it was created.
    Created,
    /// Its name, without regard to case.
    Name,
}

/// What the projects list may be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::tenancy::ProjectField")]
pub enum ProjectOrderField {
    /// When it was created.
    Created,
    /// Its name, without regard to case.
    Name,
}

/// What the users list may be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::tenancy::UserField")]
pub enum UserOrderField {
    /// When the account was created.
    Created,
    /// The display name, without regard to case.
    Name,
    Email,
    Role,
}

/// What the invitations list may be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::auth::invitations::InvitationField")]
pub enum InvitationOrderField {
    /// When it was first sent.
    Created,
    Email,
}

/// How a list of cases is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::cases::CaseOrder")]
pub enum CaseOrder {
    /// The case whose next deadline comes first, first; cases with none pending last.
    #[default]
    NextDue,
    Newest,
}

/// Where a data conflict stands (DEM-3); its case says how it got there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::values::ConflictStatus")]
pub enum ConflictStatus {
    Open,
    Escalated,
    /// Closed, whether settled or withdrawn.
    Resolved,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::values::TenantStatus")]
pub enum TenantStatus {
    Pending,
    Active,
    Suspended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::cases::CaseKind")]
pub enum CaseKind {
    /// `DEM-3` → `DEM-4`.
    DataConflict,
    /// `ENR-3`.
    EnrollmentError,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::cases::CaseState")]
pub enum CaseState {
    Opened,
    Contacting,
    Agreed,
    Escalable,
    Escalated,
    InAdminReview,
    InDataCenterQueue,
    Resolved,
    Withdrawn,
}

/// Which side updates the record once the two agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(name = "CaseSide", remote = "domain::policy::cases::Side")]
pub enum Side {
    Reporter,
    Owner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::cases::ContactMethod")]
pub enum ContactMethod {
    Phone,
    Email,
    InPerson,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::records::InconsistencyKind")]
pub enum InconsistencyKind {
    /// A stay that ends before it begins.
    ExitBeforeEntry,
    /// A housing move-in while another agency still has the client in emergency shelter.
    MoveInDuringShelterStay,
    /// Two agencies' stays share nights, and the plan does not list their project types as a
    /// normal concurrent pair.
    UnexpectedOverlap,
}

/// AUD-2: where a client was shown to a viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::records::clients::ShownIn")]
pub enum ShownIn {
    Profile,
    List,
    Search,
}

/// What a webhook endpoint can be told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::webhooks::WebhookEvent")]
pub enum WebhookEvent {
    /// A data conflict or an enrollment error was reported and its case opened (DEM-3, ENR-2).
    CaseOpened,
    /// A case was escalated to the agencies' administrators (DEM-4, ENR-3).
    CaseEscalated,
    /// A case reached the Data Center's queue (ENR-3), by a person or a deadline.
    CaseInDataCenterQueue,
    /// A client was created, or their demographics or profile changed.
    ClientChanged,
    /// An enrollment was created, changed or deleted.
    EnrollmentChanged,
}
