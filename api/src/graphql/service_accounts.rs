//! Service accounts (the Data Center's, `SVC-1`): integrations acting under their own name
//! with a role and scopes, and the client-credentials exchange that gives them a token.
use async_graphql::ID;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::connection::{CountedConnection, try_connection, window};
use super::enums::Role;
use super::{caller, client_address, state};
use crate::error::GqlResult;
use domain::auth::service_accounts::{self, NewServiceAccount};
use domain::error::DomainError;
use domain::policy::roles;
use domain::policy::service_accounts::Scopes;

/// What a service account may do within its role (`SVC-2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::policy::service_accounts::Scope")]
pub enum ServiceScope {
    /// Clients' demographics, profile rows, case managers, search.
    ClientsRead,
    ClientsWrite,
    EnrollmentsRead,
    EnrollmentsWrite,
    ServicesRead,
    ServicesWrite,
    NotesRead,
    NotesWrite,
    FilesRead,
    FilesWrite,
    /// Conflicts, escalations, inconsistencies and their notifications.
    CasesRead,
    CasesWrite,
    /// The audit log and the client view log.
    AuditRead,
    PeopleRead,
    /// Agencies, projects, users' roles and deactivation (not invitations: a person sends
    /// those, `SVC-3`).
    PeopleWrite,
    PlanWrite,
}

/// An integration of the CoC. Its decisions are audited under its name.
#[derive(SimpleObject)]
pub struct ServiceAccount {
    pub id: ID,
    /// What it sends as `client_id` (the same as `id`).
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<Uuid>,
    /// Its scopes; `null`: everything its role may do.
    pub scopes: Option<Vec<ServiceScope>>,
    pub requests_per_minute: i32,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When it last got an access token.
    pub last_token_at: Option<DateTime<Utc>>,
}

impl TryFrom<entities::service_accounts::Model> for ServiceAccount {
    type Error = DomainError;

    fn try_from(m: entities::service_accounts::Model) -> Result<Self, DomainError> {
        let scopes = service_accounts::scopes_of(&m)?;
        Ok(Self {
            id: m.id.into(),
            client_id: m.id.to_string(),
            name: m.name,
            role: roles::Role::of_row(&m.role)?.into(),
            agency_id: m.agency_id,
            scopes: scopes.map(|s| s.iter().map(Into::into).collect()),
            requests_per_minute: m.requests_per_minute,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            created_at: m.created_at,
            last_token_at: m.last_token_at,
        })
    }
}

#[derive(Default)]
pub struct ServiceAccountsQuery;

#[Object]
impl ServiceAccountsQuery {
    /// The CoC's service accounts, revoked ones too, oldest first (`SVC-1`).
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn service_accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<ServiceAccount>> {
        let window = window(ctx, first, after, last, before)?;
        let page = service_accounts::page(state(ctx)?, caller(ctx)?, window).await?;
        Ok(try_connection(page, |a| a.id, ServiceAccount::try_from)?)
    }
}

#[derive(InputObject)]
pub struct CreateServiceAccountInput {
    pub name: String,
    pub role: Role,
    /// Required for `AGENCY_ADMIN` and `USER`; absent for `DATA_CENTER`.
    pub agency_id: Option<Uuid>,
    /// Narrower than the role; leave out for everything the role may do.
    pub scopes: Option<Vec<ServiceScope>>,
    /// At most a year from now.
    pub expires_at: DateTime<Utc>,
    /// Requests it may make per minute (default 600).
    pub requests_per_minute: Option<i32>,
}

/// A service account with its secret.
#[derive(SimpleObject)]
pub struct ServiceAccountCredentialsPayload {
    pub service_account: ServiceAccount,
    pub client_id: String,
    /// Shown this once (only its hash is kept): store it with the integration.
    pub client_secret: String,
}

impl TryFrom<service_accounts::Credentials> for ServiceAccountCredentialsPayload {
    type Error = DomainError;

    fn try_from(c: service_accounts::Credentials) -> Result<Self, DomainError> {
        let service_account = ServiceAccount::try_from(c.account)?;
        Ok(Self {
            client_id: service_account.client_id.clone(),
            service_account,
            client_secret: c.client_secret,
        })
    }
}

#[derive(InputObject)]
pub struct ServiceAccountInput {
    pub id: Uuid,
}

#[derive(SimpleObject)]
pub struct RevokeServiceAccountPayload {
    pub service_account: ServiceAccount,
}

#[derive(InputObject)]
pub struct ServiceAccountTokenInput {
    pub client_id: String,
    pub client_secret: String,
}

/// An access token for a service account (send it as `Authorization: Bearer`).
#[derive(SimpleObject)]
pub struct ServiceAccountTokenPayload {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    /// `null`: everything its role may do.
    pub scopes: Option<Vec<ServiceScope>>,
}

#[derive(Default)]
pub struct ServiceAccountsMutation;

#[Object]
impl ServiceAccountsMutation {
    /// `SVC-1`: the Data Center creates an integration's account; the secret is shown once.
    async fn create_service_account(
        &self,
        ctx: &Context<'_>,
        input: CreateServiceAccountInput,
    ) -> GqlResult<ServiceAccountCredentialsPayload> {
        let requests_per_minute = input
            .requests_per_minute
            .map(|n| {
                u32::try_from(n)
                    .map_err(|_| DomainError::validation("requestsPerMinute", "a positive number"))
            })
            .transpose()?;
        let new = NewServiceAccount {
            name: input.name,
            role: input.role.into(),
            agency_id: input.agency_id,
            scopes: input
                .scopes
                .map(|scopes| scopes.into_iter().map(Into::into).collect::<Scopes>()),
            expires_at: input.expires_at,
            requests_per_minute,
        };
        let created = service_accounts::create(state(ctx)?, caller(ctx)?, new).await?;
        Ok(created.try_into()?)
    }

    /// `SVC-1`: a new secret, shown once; tokens of the old one stop working at once.
    async fn rotate_service_account_secret(
        &self,
        ctx: &Context<'_>,
        input: ServiceAccountInput,
    ) -> GqlResult<ServiceAccountCredentialsPayload> {
        let rotated = service_accounts::rotate_secret(state(ctx)?, caller(ctx)?, input.id).await?;
        Ok(rotated.try_into()?)
    }

    /// `SVC-1`: the account and every token it holds stop working at once.
    async fn revoke_service_account(
        &self,
        ctx: &Context<'_>,
        input: ServiceAccountInput,
    ) -> GqlResult<RevokeServiceAccountPayload> {
        let revoked = service_accounts::revoke(state(ctx)?, caller(ctx)?, input.id).await?;
        Ok(RevokeServiceAccountPayload {
            service_account: revoked.try_into()?,
        })
    }

    /// The client-credentials exchange, as `POST /oauth/token` does it: a 15-minute access
    /// token for the account. Wrong or revoked credentials answer `UNAUTHENTICATED`.
    async fn service_account_token(
        &self,
        ctx: &Context<'_>,
        input: ServiceAccountTokenInput,
    ) -> GqlResult<ServiceAccountTokenPayload> {
        let issued = service_accounts::issue_token(
            state(ctx)?,
            &input.client_id,
            &input.client_secret,
            &client_address(ctx),
        )
        .await?;
        Ok(ServiceAccountTokenPayload {
            access_token: issued.access_token,
            expires_at: issued.expires_at,
            scopes: issued
                .scopes
                .map(|scopes| scopes.iter().map(Into::into).collect()),
        })
    }
}
