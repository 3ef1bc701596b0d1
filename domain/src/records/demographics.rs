//! The single-answer fields of `client_demographics` (HUD 3.01–3.07 and, from FY2026, 4.21
//! Sex; 3.06 Gender is kept as a local field, no longer in the HUD CSV) and how each value is
//! parsed, stored on the client row and shown.
use chrono::NaiveDate;
use entities::clients;
use sea_orm::Set;
use serde_json::{Value, json};

use super::ssn::{Ssn, SsnCipher, SsnOwner, mask};
use crate::error::{DomainError, DomainResult};
use crate::values::TypedValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    Gender,
    VeteranStatus,
    Sex,
}

impl DemographicField {
    pub const ALL: [Self; 12] = [
        Self::FirstName,
        Self::MiddleName,
        Self::LastName,
        Self::NameDataQuality,
        Self::Dob,
        Self::DobDataQuality,
        Self::Ssn,
        Self::SsnDataQuality,
        Self::RaceEthnicity,
        Self::Gender,
        Self::VeteranStatus,
        Self::Sex,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::MiddleName => "middle_name",
            Self::LastName => "last_name",
            Self::NameDataQuality => "name_data_quality",
            Self::Dob => "dob",
            Self::DobDataQuality => "dob_data_quality",
            Self::Ssn => "ssn",
            Self::SsnDataQuality => "ssn_data_quality",
            Self::RaceEthnicity => "race_ethnicity",
            Self::Gender => "gender",
            Self::VeteranStatus => "veteran_status",
            Self::Sex => "sex",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What the field is called in a sentence (never its value: COM-1).
    pub fn label(self) -> &'static str {
        match self {
            Self::FirstName => "first name",
            Self::MiddleName => "middle name",
            Self::LastName => "last name",
            Self::NameDataQuality => "name data quality",
            Self::Dob => "date of birth",
            Self::DobDataQuality => "date-of-birth data quality",
            Self::Ssn => "Social Security number",
            Self::SsnDataQuality => "SSN data quality",
            Self::RaceEthnicity => "race and ethnicity",
            Self::Gender => "gender",
            Self::VeteranStatus => "veteran status",
            Self::Sex => "sex",
        }
    }
}

/// A parsed value, ready to store: what goes on the client row and what the history keeps.
/// The history of an SSN keeps only its mask.
pub struct Parsed {
    pub history: Value,
    apply: Box<dyn FnOnce(&mut clients::ActiveModel) + Send>,
}

impl Parsed {
    pub fn apply(self, client: &mut clients::ActiveModel) {
        (self.apply)(client);
    }
}

/// HUD data-quality and yes/no codes: 1, 2, 8, 9, 99 (and 0 for "no").
fn hud_code(field: DemographicField, raw: &str, allowed: &[i16]) -> DomainResult<i16> {
    raw.trim()
        .parse::<i16>()
        .ok()
        .filter(|c| allowed.contains(c))
        .ok_or_else(|| {
            DomainError::validation(
                field_name(field),
                format!("use one of the HUD codes {allowed:?}"),
            )
        })
}

fn field_name(field: DemographicField) -> &'static str {
    match field {
        DemographicField::FirstName => "firstName",
        DemographicField::MiddleName => "middleName",
        DemographicField::LastName => "lastName",
        DemographicField::NameDataQuality => "nameDataQuality",
        DemographicField::Dob => "dob",
        DemographicField::DobDataQuality => "dobDataQuality",
        DemographicField::Ssn => "ssn",
        DemographicField::SsnDataQuality => "ssnDataQuality",
        DemographicField::RaceEthnicity => "raceEthnicity",
        DemographicField::Gender => "gender",
        DemographicField::VeteranStatus => "veteranStatus",
        DemographicField::Sex => "sex",
    }
}

fn name(field: DemographicField, raw: Option<&str>) -> DomainResult<Option<String>> {
    let Some(raw) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if raw.chars().count() > 100 || raw.chars().any(char::is_control) {
        return Err(DomainError::validation(
            field_name(field),
            "names are 1 to 100 characters",
        ));
    }
    Ok(Some(raw.to_owned()))
}

fn codes(field: DemographicField, raw: Option<&str>, allowed: &[i16]) -> DomainResult<Vec<i16>> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| hud_code(field, c, allowed))
        .collect()
}

const DATA_QUALITY: [i16; 5] = [1, 2, 8, 9, 99];
const NO_YES_UNKNOWN: [i16; 5] = [0, 1, 8, 9, 99];
/// HUD FY2026 4.21: 0 female, 1 male; 8 client doesn't know, 9 client prefers not to answer,
/// 99 data not collected.
const SEX: [i16; 5] = [0, 1, 8, 9, 99];
/// HUD FY2024 race and ethnicity (3.04) and gender (3.06) response codes.
const RACE_ETHNICITY: [i16; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 99];
const GENDER: [i16; 10] = [0, 1, 2, 3, 4, 5, 6, 8, 9, 99];

/// Parses `raw` (a string as the API receives it; `None` clears the field) for `field`.
/// `owner`: the client the value belongs to (an SSN is sealed for it).
pub fn parse(
    field: DemographicField,
    raw: Option<&str>,
    cipher: &SsnCipher,
    owner: SsnOwner,
    today: NaiveDate,
) -> DomainResult<Parsed> {
    let parsed = match field {
        DemographicField::FirstName | DemographicField::MiddleName | DemographicField::LastName => {
            let value = name(field, raw)?;
            let history = json!(value);
            Parsed {
                history,
                apply: Box::new(move |c| match field {
                    DemographicField::FirstName => c.first_name = Set(value),
                    DemographicField::MiddleName => c.middle_name = Set(value),
                    _ => c.last_name = Set(value),
                }),
            }
        }
        DemographicField::Dob => {
            let value = raw
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d"))
                .transpose()
                .map_err(|_| {
                    DomainError::validation("dob", "write the date of birth as YYYY-MM-DD")
                })?;
            if value.is_some_and(|d| d > today || d.year_ce().1 < 1900) {
                return Err(DomainError::validation(
                    "dob",
                    "the date of birth must be between 1900 and today",
                ));
            }
            Parsed {
                history: json!(value),
                apply: Box::new(move |c| c.dob = Set(value)),
            }
        }
        DemographicField::Ssn => {
            let ssn = raw
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(Ssn::parse)
                .transpose()?;
            let sealed = ssn.as_ref().map(|s| cipher.encrypt(s, owner)).transpose()?;
            let last4 = ssn.as_ref().map(|s| s.last4().to_owned());
            Parsed {
                history: json!(last4.as_deref().map(mask)),
                apply: Box::new(move |c| {
                    c.ssn_ciphertext = Set(sealed);
                    c.ssn_last4 = Set(last4);
                }),
            }
        }
        DemographicField::NameDataQuality
        | DemographicField::DobDataQuality
        | DemographicField::SsnDataQuality
        | DemographicField::VeteranStatus
        | DemographicField::Sex => {
            let allowed: &[i16] = match field {
                DemographicField::VeteranStatus => &NO_YES_UNKNOWN,
                DemographicField::Sex => &SEX,
                _ => &DATA_QUALITY,
            };
            let code = hud_code(field, raw.unwrap_or("99"), allowed)?;
            Parsed {
                history: json!(code),
                apply: Box::new(move |c| match field {
                    DemographicField::NameDataQuality => c.name_data_quality = Set(code),
                    DemographicField::DobDataQuality => c.dob_data_quality = Set(code),
                    DemographicField::SsnDataQuality => c.ssn_data_quality = Set(code),
                    DemographicField::Sex => c.sex = Set(code),
                    _ => c.veteran_status = Set(code),
                }),
            }
        }
        DemographicField::RaceEthnicity | DemographicField::Gender => {
            let allowed: &[i16] = if field == DemographicField::Gender {
                &GENDER
            } else {
                &RACE_ETHNICITY
            };
            let list = codes(field, raw, allowed)?;
            let value = json!(list);
            Parsed {
                history: value.clone(),
                apply: Box::new(move |c| match field {
                    DemographicField::Gender => c.gender = Set(value),
                    _ => c.race_ethnicity = Set(value),
                }),
            }
        }
    };
    Ok(parsed)
}

/// A value as the field's history and a data conflict keep it, shown as `shown` shows the
/// record's: text as it is, a code as its number, a list of codes comma-separated (an SSN is
/// kept only as its mask).
pub fn shown_stored(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => Some(other.to_string()),
    }
}

/// The value shown for `field` (an SSN masked).
pub fn shown(client: &clients::Model, field: DemographicField) -> Option<String> {
    let list = |v: &Value| v.as_array().and(shown_stored(v));
    match field {
        DemographicField::FirstName => client.first_name.clone(),
        DemographicField::MiddleName => client.middle_name.clone(),
        DemographicField::LastName => client.last_name.clone(),
        DemographicField::NameDataQuality => Some(client.name_data_quality.to_string()),
        DemographicField::Dob => client.dob.map(|d| d.to_string()),
        DemographicField::DobDataQuality => Some(client.dob_data_quality.to_string()),
        DemographicField::Ssn => client.ssn_last4.as_deref().map(mask),
        DemographicField::SsnDataQuality => Some(client.ssn_data_quality.to_string()),
        DemographicField::RaceEthnicity => list(&client.race_ethnicity),
        DemographicField::Gender => list(&client.gender),
        DemographicField::VeteranStatus => Some(client.veteran_status.to_string()),
        DemographicField::Sex => Some(client.sex.to_string()),
    }
}

/// `field`'s value as what it is (an SSN only masked, as text).
pub fn typed(client: &clients::Model, field: DemographicField) -> Option<TypedValue> {
    let codes = |v: &Value| {
        v.as_array().map(|items| {
            TypedValue::Codes(
                items
                    .iter()
                    .filter_map(Value::as_i64)
                    .filter_map(|code| i16::try_from(code).ok())
                    .collect(),
            )
        })
    };
    let text = |v: &Option<String>| v.clone().map(TypedValue::Text);
    match field {
        DemographicField::FirstName => text(&client.first_name),
        DemographicField::MiddleName => text(&client.middle_name),
        DemographicField::LastName => text(&client.last_name),
        DemographicField::NameDataQuality => Some(TypedValue::code(client.name_data_quality)),
        DemographicField::Dob => client.dob.map(TypedValue::Date),
        DemographicField::DobDataQuality => Some(TypedValue::code(client.dob_data_quality)),
        DemographicField::Ssn => text(&client.ssn_last4.as_deref().map(mask)),
        DemographicField::SsnDataQuality => Some(TypedValue::code(client.ssn_data_quality)),
        DemographicField::RaceEthnicity => codes(&client.race_ethnicity),
        DemographicField::Gender => codes(&client.gender),
        DemographicField::VeteranStatus => Some(TypedValue::code(client.veteran_status)),
        DemographicField::Sex => Some(TypedValue::code(client.sex)),
    }
}

use chrono::Datelike as _;
