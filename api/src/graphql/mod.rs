//! The GraphQL API: one module per area, thin resolvers that parse input, call a use case of
//! `domain`, and map its answer.
mod access;
mod attachments;
mod audit;
mod case_managers;
mod cases;
mod clients;
mod connection;
mod enrollments;
mod enums;
mod identity;
pub mod limits;
pub mod loaders;
mod node;
mod notes;
mod notifications;
mod plan;
pub mod platform;
mod profile;
#[cfg(test)]
mod sdl_compat;
mod second_factor;
mod service_accounts;
mod services;
mod tenancy;
mod types;
mod users;
mod webhooks;

use async_graphql::{EmptySubscription, MergedObject, Schema};

use domain::auth::{ClientAddress, PasswordWork, Viewer};
use domain::caller::Caller;
use domain::error::{DomainError, DomainResult};
use domain::read_scope::ReadScope;
use domain::settings::Settings;
use domain::state::AppState;

#[derive(MergedObject, Default)]
pub struct Query(
    identity::IdentityQuery,
    attachments::AttachmentsQuery,
    tenancy::TenancyQuery,
    users::UsersQuery,
    platform::PlatformQuery,
    plan::PlanQuery,
    clients::ClientsQuery,
    profile::ProfileQuery,
    notes::NotesQuery,
    notifications::NotificationsQuery,
    enrollments::EnrollmentsQuery,
    case_managers::CaseManagersQuery,
    cases::CasesQuery,
    services::ServicesQuery,
    audit::AuditQuery,
    webhooks::WebhooksQuery,
    second_factor::SecondFactorQuery,
    service_accounts::ServiceAccountsQuery,
    node::NodeQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    identity::IdentityMutation,
    attachments::AttachmentsMutation,
    tenancy::TenancyMutation,
    users::UsersMutation,
    platform::PlatformMutation,
    plan::PlanMutation,
    clients::ClientsMutation,
    profile::ProfileMutation,
    notes::NotesMutation,
    notifications::NotificationsMutation,
    enrollments::EnrollmentsMutation,
    case_managers::CaseManagersMutation,
    cases::CasesMutation,
    services::ServicesMutation,
    webhooks::WebhooksMutation,
    second_factor::SecondFactorMutation,
    service_accounts::ServiceAccountsMutation,
);

pub type ConcordSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema with its limits: depth, complexity (list fields multiply by their page size),
/// top-level fields (`limits`, what stops a thousand aliases) and directives. In production the schema
/// cannot be introspected and errors suggest no field names.
/// With `clock`, the platform administrator's `advanceClock` exists (`CONCORD_CLOCK=manual`).
pub fn build_schema(
    state: AppState,
    settings: &Settings,
    clock: Option<platform::ClockControl>,
) -> ConcordSchema {
    let mut builder =
        Schema::build(Query::default(), Mutation::default(), EmptySubscription).data(state);
    if let Some(clock) = clock {
        builder = builder.data(clock);
    }
    let builder = builder
        .extension(limits::QueryLimits)
        .limit_depth(settings.limits.max_depth)
        .limit_complexity(settings.limits.max_complexity)
        .limit_directives(5)
        .limit_recursive_depth(32);
    let builder = if settings.is_production() {
        builder.disable_introspection().disable_suggestions()
    } else {
        builder
    };
    builder.finish()
}

/// The schema in SDL, as checked in at `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .finish()
        .sdl()
}

fn state<'a>(ctx: &async_graphql::Context<'a>) -> DomainResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|e| DomainError::internal(anyhow::anyhow!(e.message)))
}

fn viewer<'a>(ctx: &async_graphql::Context<'a>) -> &'a Viewer {
    ctx.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous)
}

/// The signed-in person or service account of a tenant, with the request's shared reads when
/// it has them (`ReadScope`): what their use cases are called with.
fn caller<'a>(ctx: &async_graphql::Context<'a>) -> DomainResult<Caller<'a>> {
    Ok(Caller::reading(
        viewer(ctx).acting()?,
        ctx.data_opt::<ReadScope>(),
    ))
}

/// `caller`, also for a person who must still enrol a second factor (`Viewer::Enrolling`):
/// for the few operations open to them.
fn signed_in_caller<'a>(ctx: &async_graphql::Context<'a>) -> DomainResult<Caller<'a>> {
    Ok(Caller::reading(
        viewer(ctx).signed_in()?,
        ctx.data_opt::<ReadScope>(),
    ))
}

fn client_address(ctx: &async_graphql::Context<'_>) -> ClientAddress {
    ctx.data_opt::<ClientAddress>().cloned().unwrap_or_default()
}

/// Takes this request's one unit of password hashing (see `PasswordWork`).
fn take_password_work(ctx: &async_graphql::Context<'_>) -> DomainResult<()> {
    ctx.data::<PasswordWork>()
        .map_err(|e| DomainError::internal(anyhow::anyhow!(e.message)))?
        .take()
}
