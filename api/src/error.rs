//! The crate's errors. `ApiError` is what a caller may learn, mapped once to the GraphQL
//! `extensions.code` of SPEC §6; everything else is logged whole and shown as `INTERNAL`
//! with the request's id.
use std::borrow::Cow;

use async_graphql::ErrorExtensions;

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
#[non_exhaustive]
pub enum ApiError {
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
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
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
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl ApiError {
    /// The one mapping to a GraphQL error: message, `extensions.code` and, for refusals, the
    /// rule id.
    pub fn into_graphql(self) -> async_graphql::Error {
        let err = self;
        if let ApiError::Internal(source) = &err {
            // The whole chain goes to the log; the caller sees only the code.
            tracing::error!(error = format!("{source:#}"), "internal error");
        }
        let code = err.code();
        async_graphql::Error::new(err.to_string()).extend_with(|_, ext| {
            ext.set("code", code);
            match &err {
                ApiError::PlanRule { rule, .. } | ApiError::Forbidden { rule, .. } => {
                    ext.set("rule", *rule)
                }
                ApiError::Validation { field, .. } => ext.set("field", field.as_ref()),
                ApiError::Conflict { current, .. } => {
                    if let Ok(current) = async_graphql::Value::from_json(current.clone()) {
                        ext.set("current", current);
                    }
                }
                ApiError::RateLimited { retry_after_secs } => {
                    ext.set("retryAfterSeconds", *retry_after_secs)
                }
                _ => {}
            }
        })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What resolvers return. Deliberately not `Display`: async-graphql converts any `Display`
/// error by its message alone, which would drop the code and rule.
#[derive(Clone, Debug)]
pub struct GqlError(async_graphql::Error);

impl<E: Into<ApiError>> From<E> for GqlError {
    fn from(err: E) -> Self {
        Self(err.into().into_graphql())
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(err: GqlError) -> Self {
        err.0
    }
}

pub type GqlResult<T> = Result<T, GqlError>;
