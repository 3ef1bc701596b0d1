//! The domain's errors. `DomainError` is what a caller may learn; the API maps it once to
//! GraphQL's `extensions` and to HTTP statuses (`concord_api::error`). Everything else is
//! `Internal`: logged whole there and shown only as `INTERNAL` with the request's id.
use std::borrow::Cow;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("setting {0}: {1}")]
    Setting(&'static str, String),
    #[error("database: {0}")]
    Database(String),
    #[error("{0}")]
    UnsafeDatabaseRole(String),
    #[error("signing keys: {0}")]
    Keys(String),
    #[error("redis: {0}")]
    Redis(String),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// A role rule refused (`ROLE-*`, see `policy::roles`).
    #[error("{reason}")]
    Forbidden { rule: &'static str, reason: String },
    #[error("{reason}")]
    PlanRule { rule: &'static str, reason: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// `field` names the offending input: an argument (`email`) or a dotted path inside one
    /// (`parameters.contact_window_days`).
    #[error("{field}: {message}")]
    Validation {
        field: Cow<'static, str>,
        message: String,
    },
    /// LOCK-1: a stale write; `current` holds the record as it is now.
    #[error("{message}")]
    Conflict {
        message: String,
        current: serde_json::Value,
    },
    /// The password was right and the account has a second factor: sign in again with a code
    /// from the authenticator app or a backup code (`AUTH-2FA`).
    /// For a user with security keys, `webauthn` is the sign-in ceremony to answer:
    /// `{ "challengeId", "options" }`.
    #[error("enter a code from your authenticator app or a backup code, or use your security key")]
    SecondFactorRequired { webauthn: Option<serde_json::Value> },
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// The database or Redis cannot be reached (down, restarting, refusing connections):
    /// worth trying again shortly, unlike an internal error. The source says which.
    #[error("a service Concord depends on is not available; try again shortly")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl DomainError {
    pub fn validation(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden { .. } => "FORBIDDEN",
            Self::PlanRule { .. } => "PLAN_RULE",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Validation { .. } => "VALIDATION",
            Self::Conflict { .. } => "CONFLICT",
            Self::SecondFactorRequired { .. } => "SECOND_FACTOR_REQUIRED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<sea_orm::DbErr> for DomainError {
    fn from(err: sea_orm::DbErr) -> Self {
        if database_unreachable(&err) {
            Self::Unavailable(err.into())
        } else {
            Self::Internal(err.into())
        }
    }
}

/// Whether `err` says the database could not be reached, rather than that a statement
/// failed: no connection to be had (any failure to connect), a connection lost, or the server
/// ending connections (SQLSTATE classes 08, connection exception, and 57, operator
/// intervention).
fn database_unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let sqlx_error = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            e.as_ref()
        }
        _ => return false,
    };
    match sqlx_error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57")),
        _ => false,
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
