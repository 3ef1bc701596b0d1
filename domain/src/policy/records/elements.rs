//! The elements a plan can name, as data: each is a plan key, what one of its records is
//! called, and the resolution strategy whose rules decide for it. The rules never ask which
//! element they decide for, only which strategy (SPEC §3), so an element added here — with its
//! table and its fields — needs no new rule code.
//!
//! The seven built-in elements are in every plan; the HUD data elements (4.02, 4.04,
//! 4.05–4.10, 4.12) are answers over time, stored in the strategy's table (`profile_rows`,
//! one row per answer to one field), and a tenant collects one only while its plan names it.
use super::super::plan::Strategy;

#[derive(Clone, Copy, Debug)]
pub struct Element {
    key: &'static str,
    noun: &'static str,
    strategy: Strategy,
    built_in: bool,
    /// What an answers-over-time element asks (empty for the other strategies, whose records
    /// have tables of their own shape).
    fields: &'static [Field],
}

/// Two elements are the same element when they have the same plan key.
impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Element {}

impl std::hash::Hash for Element {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

/// One question of an answers-over-time element; `name` is how the API and the table name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// What it is called in a sentence (never a value: COM-1).
    pub label: &'static str,
    pub value: FieldValue,
}

/// What a field's answer may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValue {
    Text,
    Phone,
    Email,
    /// A HUD response code and what it means.
    Code(&'static [(i16, &'static str)]),
    /// A monthly amount in dollars and cents.
    Money,
}

impl Element {
    pub const CLIENT_DEMOGRAPHICS: Self =
        Self::built_in("client_demographics", "client", Strategy::SingleAnswer);
    pub const PROFILE_ASSESSMENT: Self = Self {
        fields: PROFILE_FIELDS,
        ..Self::built_in("profile_assessment", "profile row", Strategy::MultiAnswer)
    };
    pub const ENTRY_EXIT: Self = Self::built_in("entry_exit", "enrollment", Strategy::EntryExit);
    pub const FILE_ATTACHMENTS: Self =
        Self::built_in("file_attachments", "attachment", Strategy::Attachments);
    pub const CASE_MANAGER: Self = Self::built_in(
        "case_manager",
        "case-manager assignment",
        Strategy::OwnerOnly,
    );
    pub const SERVICES: Self = Self::built_in("services", "service", Strategy::NeverDeleted);
    pub const CLIENT_NOTES: Self =
        Self::built_in("client_notes", "note", Strategy::AuthorOnlyDeletion);

    /// HUD 4.02.
    pub const INCOME_AND_BENEFITS: Self = Self::hud(
        "income_and_benefits",
        "income and benefits answer",
        INCOME_FIELDS,
    );
    /// HUD 4.04.
    pub const HEALTH_INSURANCE: Self = Self::hud(
        "health_insurance",
        "health insurance answer",
        INSURANCE_FIELDS,
    );
    /// HUD 4.05–4.10, one element.
    pub const DISABLING_CONDITIONS: Self = Self::hud(
        "disabling_conditions",
        "disabling condition answer",
        DISABILITY_FIELDS,
    );
    /// HUD 4.12.
    pub const CURRENT_LIVING_SITUATION: Self = Self::hud(
        "current_living_situation",
        "current living situation answer",
        LIVING_SITUATION_FIELDS,
    );

    /// In every plan, in this order.
    pub const BUILT_IN: [Self; 7] = [
        Self::CLIENT_DEMOGRAPHICS,
        Self::PROFILE_ASSESSMENT,
        Self::ENTRY_EXIT,
        Self::FILE_ATTACHMENTS,
        Self::CASE_MANAGER,
        Self::SERVICES,
        Self::CLIENT_NOTES,
    ];

    /// Every element Concord has a table for: the built-in ones, then HUD's.
    pub const ALL: [Self; 11] = [
        Self::CLIENT_DEMOGRAPHICS,
        Self::PROFILE_ASSESSMENT,
        Self::ENTRY_EXIT,
        Self::FILE_ATTACHMENTS,
        Self::CASE_MANAGER,
        Self::SERVICES,
        Self::CLIENT_NOTES,
        Self::INCOME_AND_BENEFITS,
        Self::HEALTH_INSURANCE,
        Self::DISABLING_CONDITIONS,
        Self::CURRENT_LIVING_SITUATION,
    ];

    const fn built_in(key: &'static str, noun: &'static str, strategy: Strategy) -> Self {
        Self {
            key,
            noun,
            strategy,
            built_in: true,
            fields: &[],
        }
    }

    const fn hud(key: &'static str, noun: &'static str, fields: &'static [Field]) -> Self {
        Self {
            key,
            noun,
            strategy: Strategy::MultiAnswer,
            built_in: false,
            fields,
        }
    }

    pub fn by_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.key == key)
    }

    /// The element's plan key.
    pub fn key(self) -> &'static str {
        self.key
    }

    /// What one record of the element is called when it is not found.
    pub fn record_noun(self) -> &'static str {
        self.noun
    }

    pub fn strategy(self) -> Strategy {
        self.strategy
    }

    /// In every plan; the others are collected only where the plan names them.
    pub fn is_built_in(self) -> bool {
        self.built_in
    }

    pub fn fields(self) -> &'static [Field] {
        self.fields
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const fn field(name: &'static str, label: &'static str, value: FieldValue) -> Field {
    Field { name, label, value }
}

const PROFILE_FIELDS: &[Field] = &[
    field("PHONE", "phone", FieldValue::Phone),
    field("EMAIL", "email", FieldValue::Email),
    field("ADDRESS", "address", FieldValue::Text),
    field("EMERGENCY_CONTACT", "emergency contact", FieldValue::Text),
    field("OTHER", "profile", FieldValue::Text),
];

/// HUD's answer to a yes/no question, with the data-quality answers.
const NO_YES_DATA_QUALITY: &[(i16, &str)] = &[
    (0, "No"),
    (1, "Yes"),
    (8, "Client doesn't know"),
    (9, "Client prefers not to answer"),
    (99, "Data not collected"),
];

/// HUD's answer for one source among several (asked only after "any source: yes").
const NO_YES: &[(i16, &str)] = &[(0, "No"), (1, "Yes")];

const INCOME_FIELDS: &[Field] = &[
    field(
        "INCOME_FROM_ANY_SOURCE",
        "income from any source",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field(
        "TOTAL_MONTHLY_INCOME",
        "total monthly income",
        FieldValue::Money,
    ),
    field("EARNED_INCOME", "earned income", FieldValue::Money),
    field(
        "UNEMPLOYMENT_INSURANCE",
        "unemployment insurance",
        FieldValue::Money,
    ),
    field("SSI", "Supplemental Security Income", FieldValue::Money),
    field(
        "SSDI",
        "Social Security Disability Insurance",
        FieldValue::Money,
    ),
    field(
        "VA_DISABILITY_COMPENSATION",
        "VA service-connected disability compensation",
        FieldValue::Money,
    ),
    field("TANF", "TANF", FieldValue::Money),
    field("CHILD_SUPPORT", "child support", FieldValue::Money),
    field(
        "SOCIAL_SECURITY_RETIREMENT",
        "Social Security retirement income",
        FieldValue::Money,
    ),
    field("OTHER_INCOME", "other income", FieldValue::Money),
    field(
        "BENEFITS_FROM_ANY_SOURCE",
        "non-cash benefits from any source",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field("SNAP", "SNAP", FieldValue::Code(NO_YES)),
    field("WIC", "WIC", FieldValue::Code(NO_YES)),
];

const INSURANCE_FIELDS: &[Field] = &[
    field(
        "INSURANCE_FROM_ANY_SOURCE",
        "health insurance from any source",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field("MEDICAID", "Medicaid", FieldValue::Code(NO_YES)),
    field("MEDICARE", "Medicare", FieldValue::Code(NO_YES)),
    field(
        "SCHIP",
        "State Children's Health Insurance Program",
        FieldValue::Code(NO_YES),
    ),
    field(
        "VHA",
        "Veterans Health Administration",
        FieldValue::Code(NO_YES),
    ),
    field(
        "EMPLOYER_PROVIDED",
        "employer-provided health insurance",
        FieldValue::Code(NO_YES),
    ),
    field("COBRA", "COBRA", FieldValue::Code(NO_YES)),
    field(
        "PRIVATE_PAY",
        "private-pay health insurance",
        FieldValue::Code(NO_YES),
    ),
    field(
        "STATE_ADULTS",
        "state health insurance for adults",
        FieldValue::Code(NO_YES),
    ),
    field(
        "INDIAN_HEALTH_SERVICE",
        "Indian Health Service",
        FieldValue::Code(NO_YES),
    ),
    field(
        "OTHER_INSURANCE",
        "other health insurance",
        FieldValue::Code(NO_YES),
    ),
];

const DISABILITY_FIELDS: &[Field] = &[
    field(
        "PHYSICAL_DISABILITY",
        "physical disability (4.05)",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field(
        "DEVELOPMENTAL_DISABILITY",
        "developmental disability (4.06)",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field(
        "CHRONIC_HEALTH_CONDITION",
        "chronic health condition (4.07)",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field(
        "HIV_AIDS",
        "HIV/AIDS (4.08)",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field(
        "MENTAL_HEALTH_DISORDER",
        "mental health disorder (4.09)",
        FieldValue::Code(NO_YES_DATA_QUALITY),
    ),
    field(
        "SUBSTANCE_USE_DISORDER",
        "substance use disorder (4.10)",
        FieldValue::Code(&[
            (0, "No"),
            (1, "Alcohol use disorder"),
            (2, "Drug use disorder"),
            (3, "Both alcohol and drug use disorders"),
            (8, "Client doesn't know"),
            (9, "Client prefers not to answer"),
            (99, "Data not collected"),
        ]),
    ),
];

/// HUD's living situation codes (FY2024 and later), as 4.12 asks them.
const LIVING_SITUATIONS: &[(i16, &str)] = &[
    (101, "Place not meant for habitation"),
    (
        116,
        "Emergency shelter, including hotel or motel paid for with emergency shelter voucher",
    ),
    (118, "Safe Haven"),
    (215, "Foster care home or foster care group home"),
    (
        206,
        "Hospital or other residential non-psychiatric medical facility",
    ),
    (207, "Jail, prison or juvenile detention facility"),
    (225, "Long-term care facility or nursing home"),
    (204, "Psychiatric hospital or other psychiatric facility"),
    (205, "Substance abuse treatment facility or detox center"),
    (302, "Transitional housing for homeless persons"),
    (
        329,
        "Residential project or halfway house with no homeless criteria",
    ),
    (
        314,
        "Hotel or motel paid for without emergency shelter voucher",
    ),
    (332, "Host Home (non-crisis)"),
    (312, "Staying or living with family, temporary tenure"),
    (313, "Staying or living with friends, temporary tenure"),
    (327, "Moved from one HOPWA funded project to HOPWA TH"),
    (
        336,
        "Staying or living in a friend's room, apartment or house",
    ),
    (
        335,
        "Staying or living in a family member's room, apartment or house",
    ),
    (410, "Rental by client, no ongoing housing subsidy"),
    (435, "Rental by client, with ongoing housing subsidy"),
    (421, "Owned by client, with ongoing housing subsidy"),
    (411, "Owned by client, no ongoing housing subsidy"),
    (17, "Other"),
    (37, "Worker unable to determine"),
    (8, "Client doesn't know"),
    (9, "Client prefers not to answer"),
    (99, "Data not collected"),
];

const LIVING_SITUATION_FIELDS: &[Field] = &[
    field(
        "LIVING_SITUATION",
        "current living situation",
        FieldValue::Code(LIVING_SITUATIONS),
    ),
    field("LOCATION_DETAILS", "location details", FieldValue::Text),
];
