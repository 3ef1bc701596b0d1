//! Values that were checked on the way in: if one of these exists, it is valid.
use chrono::NaiveDate;
use entities::tenants;

use crate::error::{DomainError, DomainResult};

/// A HUD CoC code such as `NC-502`: a state or territory code, a dash, three digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CocCode(String);

impl CocCode {
    pub fn parse(raw: &str) -> DomainResult<Self> {
        let code = raw.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let valid = bytes.len() == 6
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2] == b'-'
            && bytes[3..].iter().all(u8::is_ascii_digit);
        if !valid {
            return Err(DomainError::validation(
                "cocCode",
                "a HUD CoC code is two letters, a dash and three digits, like NC-502",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tenant's short name in URLs and at login: 3–40 lower-case letters, digits and dashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> DomainResult<Self> {
        let slug = raw.trim().to_ascii_lowercase();
        let valid = (3..=40).contains(&slug.len())
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        if !valid {
            return Err(DomainError::validation(
                "slug",
                "use 3 to 40 lower-case letters, digits and dashes, not starting or ending with a dash",
            ));
        }
        Ok(Self(slug))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, compared without regard to case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> DomainResult<Self> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.matches('@').count() == 1;
        if !valid {
            return Err(DomainError::validation(
                field,
                "enter an e-mail address like name@example.org",
            ));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name shown to people (CoC, agency, project, user): 1–200 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &'static str, raw: &str) -> DomainResult<Self> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(DomainError::validation(field, "enter 1 to 200 characters"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// HUD project type codes, FY2024+ (SPEC §2).
pub const HUD_PROJECT_TYPES: [(i16, &str); 14] = [
    (0, "Emergency Shelter – Entry Exit"),
    (1, "Emergency Shelter – Night-by-Night"),
    (2, "Transitional Housing"),
    (3, "PH – Permanent Supportive Housing"),
    (4, "Street Outreach"),
    (6, "Services Only"),
    (7, "Other"),
    (8, "Safe Haven"),
    (9, "PH – Housing Only"),
    (10, "PH – Housing with Services"),
    (11, "Day Shelter"),
    (12, "Homelessness Prevention"),
    (13, "PH – Rapid Re-Housing"),
    (14, "Coordinated Entry"),
];

pub fn parse_project_type(code: i32) -> DomainResult<i16> {
    HUD_PROJECT_TYPES
        .iter()
        .map(|(c, _)| *c)
        .find(|c| i32::from(*c) == code)
        .ok_or_else(|| {
            DomainError::validation(
                "projectType",
                format!("{code} is not a HUD project type code (0–4, 6–14)"),
            )
        })
}

/// Where a tenant stands with the platform: waiting for approval, active, or suspended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantStatus {
    Pending,
    Active,
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
            Self::Suspended => "SUSPENDED",
        }
    }

    /// The status a stored row holds; an unknown one is a broken row, not a suspension.
    pub fn of(model: &tenants::Model) -> DomainResult<Self> {
        match model.status.as_str() {
            "ACTIVE" => Ok(Self::Active),
            "PENDING" => Ok(Self::Pending),
            "SUSPENDED" => Ok(Self::Suspended),
            other => Err(DomainError::internal(anyhow::anyhow!(
                "unknown tenant status {other:?} stored"
            ))),
        }
    }

    /// Whether the row's tenant is active (an unreadable status is not).
    pub fn is_active(model: &tenants::Model) -> bool {
        model.status == Self::Active.as_str()
    }
}

/// Where a data conflict (DEM-3) stands; its case (DEM-4) says how it got there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictStatus {
    Open,
    Escalated,
    /// Closed, whether settled or withdrawn.
    Resolved,
}

impl ConflictStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Escalated => "ESCALATED",
            Self::Resolved => "RESOLVED",
        }
    }

    pub fn parse(raw: &str) -> DomainResult<Self> {
        match raw {
            "OPEN" => Ok(Self::Open),
            "ESCALATED" => Ok(Self::Escalated),
            "RESOLVED" => Ok(Self::Resolved),
            other => Err(DomainError::internal(anyhow::anyhow!(
                "unknown conflict status {other:?} stored"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coc_codes_look_like_hud_codes() {
        assert_eq!(
            CocCode::parse(" nc-502 ").map(|c| c.0).ok(),
            Some("NC-502".into())
        );
        assert!(CocCode::parse("NC502").is_err());
        assert!(CocCode::parse("N1-502").is_err());
    }

    #[test]
    fn slugs_and_emails_are_normalised() {
        assert!(Slug::parse("durham-coc").is_ok());
        assert!(Slug::parse("-bad").is_err());
        assert!(Slug::parse("a b").is_err());
        assert_eq!(
            Email::parse("e", "Ann@Example.org").map(|e| e.0).ok(),
            Some("ann@example.org".into())
        );
        assert!(Email::parse("e", "ann@@example.org").is_err());
        assert!(Email::parse("e", "ann").is_err());
    }

    #[test]
    fn project_type_five_is_retired() {
        assert!(parse_project_type(5).is_err());
        assert_eq!(parse_project_type(13).ok(), Some(13));
    }
}

/// A stored value as what it is — text, a date, a HUD code, a list of codes, an amount — so
/// that an API client never parses text to learn it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedValue {
    Text(String),
    Date(NaiveDate),
    /// A HUD response code, with what it means where Concord knows it.
    Code {
        code: i16,
        label: Option<&'static str>,
    },
    Codes(Vec<i16>),
    /// Dollars and cents, in cents.
    Money {
        cents: i64,
    },
}

impl TypedValue {
    pub fn code(code: i16) -> Self {
        Self::Code { code, label: None }
    }
}
