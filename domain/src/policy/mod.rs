//! Every rule Concord enforces is decided here, as pure functions of who asks, about what,
//! under which plan: `Decision { allowed, rule, reason }`. Resolvers ask; they never decide.
pub mod actions;
pub mod cases;
pub mod plan;
pub mod records;
pub mod roles;
pub mod service_accounts;

#[cfg(test)]
mod matrix_tests;

use crate::error::DomainError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The rule that decided, e.g. `ROLE-2` or (for plan rules) `DEM-2`.
    pub rule: &'static str,
    /// A sentence the person refused can act on.
    pub reason: String,
    /// Set when the refusal is that the viewer may not see the record at all: what a missing
    /// record of its kind is called. The caller then answers `NOT_FOUND`, exactly as for a
    /// missing one, so that a refusal never confirms that the record exists.
    pub unseen: Option<&'static str>,
    /// What an allowance asks of the person acting (written documentation, the client's
    /// direction, a correction note): the server refuses the action without it, so the
    /// console asks for it first. Empty for a refusal and an unconditional allowance.
    pub conditions: Vec<Condition>,
}

/// What an allowed action still requires of the person taking it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `DEM-2`: written documentation of the new value (another agency entered the old one).
    WrittenDocumentation,
    /// `PRO-1`: the client directed the change (another agency entered the row).
    ClientDirection,
    /// `PRO-3`: a client note saying what was corrected.
    CorrectionNote,
}

impl Decision {
    pub fn allow(rule: &'static str) -> Self {
        Self {
            allowed: true,
            rule,
            reason: String::new(),
            unseen: None,
            conditions: Vec::new(),
        }
    }

    /// Allowed on `conditions`, which `reason` says in a sentence.
    pub fn allow_on(
        rule: &'static str,
        conditions: Vec<Condition>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            conditions,
            reason: reason.into(),
            ..Self::allow(rule)
        }
    }

    pub fn refuse(rule: &'static str, reason: impl Into<String>) -> Self {
        Self {
            allowed: false,
            rule,
            reason: reason.into(),
            unseen: None,
            conditions: Vec::new(),
        }
    }

    /// A refusal to show the record at all (see `unseen`); `record` is what a missing one of
    /// its kind is called.
    pub fn unseen(rule: &'static str, record: &'static str, reason: impl Into<String>) -> Self {
        Self {
            unseen: Some(record),
            ..Self::refuse(rule, reason)
        }
    }

    /// `Ok` when allowed; otherwise the refusal as the caller will see it.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.allowed {
            Ok(())
        } else {
            Err(DomainError::Forbidden {
                rule: self.rule,
                reason: self.reason,
            })
        }
    }
}
