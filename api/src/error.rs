//! The API's one error mapping: a `DomainError` becomes GraphQL's `extensions` (SPEC §6)
//! and, on the plain HTTP routes (`/files`), a status with the same body, so that both
//! routes tell a caller the same things.
use async_graphql::ErrorExtensions;
use domain::error::DomainError;

pub trait ErrorResponse {
    /// What a caller learns of an error besides its message, the same on every route.
    fn extensions(&self) -> serde_json::Value;
    /// The HTTP status of the error on the plain HTTP routes.
    fn http_status(&self) -> u16;
    /// The GraphQL error: the message and `extensions`.
    fn into_graphql(self) -> async_graphql::Error;
}

impl ErrorResponse for DomainError {
    /// What a caller learns of an error besides its message, the same on every route:
    /// `code` and, where they apply, the `rule`, the `field`, the `current` record of a
    /// conflict and `retryAfterSeconds`. An internal error is logged whole here and shows
    /// only its code.
    fn extensions(&self) -> serde_json::Value {
        match self {
            Self::Internal(source) => {
                tracing::error!(error = format!("{source:#}"), "internal error");
            }
            Self::Unavailable(source) => {
                tracing::warn!(error = format!("{source:#}"), "service unavailable");
            }
            _ => {}
        }
        let mut ext = serde_json::json!({ "code": self.code() });
        match self {
            Self::PlanRule { rule, .. } | Self::Forbidden { rule, .. } => {
                ext["rule"] = serde_json::json!(rule);
            }
            Self::SecondFactorRequired { webauthn } => {
                ext["rule"] = serde_json::json!(domain::auth::second_factor::CODE_RULE);
                if let Some(ceremony) = webauthn {
                    ext["webauthn"] = ceremony.clone();
                }
            }
            Self::Validation { field, .. } => ext["field"] = serde_json::json!(field),
            Self::Conflict { current, .. } => ext["current"] = current.clone(),
            Self::RateLimited { retry_after_secs } => {
                ext["retryAfterSeconds"] = serde_json::json!(retry_after_secs);
            }
            _ => {}
        }
        ext
    }

    /// The HTTP status of the error on the plain HTTP routes (`/files`).
    fn http_status(&self) -> u16 {
        match self {
            Self::Unauthenticated(_) | Self::SecondFactorRequired { .. } => 401,
            Self::Forbidden { .. } | Self::PlanRule { .. } => 403,
            Self::NotFound(_) => 404,
            Self::Validation { .. } => 400,
            Self::Conflict { .. } => 409,
            Self::RateLimited { .. } => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }

    /// The GraphQL error: the message and `extensions` as above.
    fn into_graphql(self) -> async_graphql::Error {
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

/// What resolvers return. Deliberately not `Display`: async-graphql converts any `Display`
/// error by its message alone, which would drop the code and rule.
#[derive(Clone, Debug)]
pub struct GqlError(async_graphql::Error);

impl<E: Into<DomainError>> From<E> for GqlError {
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
