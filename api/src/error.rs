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
    /// What a caller learns of an error besides its message, the same on every route:
    /// `code` and, where they apply, the `rule`, the `field`, the `current` record of a
    /// conflict and `retryAfterSeconds`. An internal error is logged whole here and shows
    /// only its code.
    pub fn extensions(&self) -> serde_json::Value {
        if let ApiError::Internal(source) = self {
            tracing::error!(error = format!("{source:#}"), "internal error");
        }
        let mut ext = serde_json::json!({ "code": self.code() });
        match self {
            ApiError::PlanRule { rule, .. } | ApiError::Forbidden { rule, .. } => {
                ext["rule"] = serde_json::json!(rule);
            }
            ApiError::Validation { field, .. } => ext["field"] = serde_json::json!(field),
            ApiError::Conflict { current, .. } => ext["current"] = current.clone(),
            ApiError::RateLimited { retry_after_secs } => {
                ext["retryAfterSeconds"] = serde_json::json!(retry_after_secs);
            }
            _ => {}
        }
        ext
    }

    /// The HTTP status of the error on the plain HTTP routes (`/files`).
    pub fn http_status(&self) -> u16 {
        match self {
            ApiError::Unauthenticated(_) => 401,
            ApiError::Forbidden { .. } | ApiError::PlanRule { .. } => 403,
            ApiError::NotFound(_) => 404,
            ApiError::Validation { .. } => 400,
            ApiError::Conflict { .. } => 409,
            ApiError::RateLimited { .. } => 429,
            ApiError::Internal(_) => 500,
        }
    }

    /// The GraphQL error: the message and `extensions` as above.
    pub fn into_graphql(self) -> async_graphql::Error {
        let extensions = self.extensions();
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            for (key, value) in extensions.as_object().into_iter().flatten() {
                if let Ok(value) = async_graphql::Value::from_json(value.clone()) {
                    ext.set(key, value);
                }
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
