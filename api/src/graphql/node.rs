//! Relay global object identification: the `Node` interface, `node(id:)` and `nodes(ids:)`.
//! An object's `id` is its UUIDv7, unique across every type and tenant, so it is its global
//! id; the typed form webhook payloads carry (`base64("Client:<uuid>")`) is taken as well.
//! Each node is read through the query that lists its kind, so a node the viewer may not see
//! — or of another tenant — is `NOT_FOUND`, exactly like a missing one.
use async_graphql::{Context, ID, Interface, Object};
use uuid::Uuid;

use super::attachments::Attachment;
use super::audit::AuditEntry;
use super::case_managers::CaseManagerAssignment;
use super::cases::{Case, ContactAttempt, EnrollmentInconsistency};
use super::clients::{Client, DataConflict};
use super::enrollments::Enrollment;
use super::notes::ClientNote;
use super::notifications::Notification;
use super::plan::SharingPlanVersion;
use super::profile::{ElementAnswer, ProfileRow};
use super::second_factor::WebauthnKey;
use super::service_accounts::ServiceAccount;
use super::services::Service;
use super::types::Invitation;
use super::types::{Agency, Project, Tenant, User};
use super::webhooks::{WebhookDelivery, WebhookEndpoint};
use super::{caller, state, viewer};
use crate::error::GqlResult;
use domain::audit;
use domain::auth::invitations::InvitationField;
use domain::auth::{invitations, onboarding, service_accounts, webauthn};
use domain::cases::{self, scan};
use domain::error::{DomainError, DomainResult};
use domain::global_id;
use domain::nodes::{self, Located, MAX_IDS, NodeKind};
use domain::page::{Listing, Page, Sort, Window};
use domain::policy::records::Element;
use domain::records::{
    attachments, case_managers, clients, enrollments, notes, notifications, profile, services,
};
use domain::sharing_plan::{self, VersionKey};
use domain::{tenancy, webhooks};

/// An object that `node(id:)` fetches again by its `id`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID", desc = "Its global id (a UUIDv7)."))]
pub enum Node {
    Client(Client),
    Case(Case),
    Enrollment(Enrollment),
    Service(Service),
    ClientNote(ClientNote),
    Attachment(Attachment),
    ProfileRow(ProfileRow),
    ElementAnswer(ElementAnswer),
    CaseManagerAssignment(CaseManagerAssignment),
    DataConflict(DataConflict),
    Agency(Agency),
    Project(Project),
    User(User),
    ServiceAccount(ServiceAccount),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    Invitation(Invitation),
    Notification(Notification),
    EnrollmentInconsistency(EnrollmentInconsistency),
    AuditEntry(AuditEntry),
    SharingPlanVersion(SharingPlanVersion),
    ContactAttempt(ContactAttempt),
    WebauthnKey(WebauthnKey),
    Tenant(Tenant),
}

/// The UUID behind an object's `id` (which Concord wrote from it).
pub fn uuid_of(id: &ID) -> DomainResult<Uuid> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| DomainError::internal(anyhow::anyhow!("an object id that is not a UUID")))
}

/// The UUID a node id names: the id itself, or a webhook payload's typed global id.
fn parse(id: &ID) -> Option<Uuid> {
    Uuid::parse_str(id.as_str())
        .ok()
        .or_else(|| global_id::decode(id.as_str()).map(|(_, uuid)| uuid))
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this id, whatever its type. `NOT_FOUND` when there is none the viewer
    /// may see: missing, of another tenant, or refused (the refusal is in the audit log).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Node> {
        let uuid = parse(&id).ok_or(DomainError::NotFound("node"))?;
        if viewer(ctx).platform_admin().is_ok() {
            return Ok(platform_tenant(ctx, uuid).await?);
        }
        let located = nodes::locate(state(ctx)?, caller(ctx)?, &[uuid]).await?;
        let at = located.get(&uuid).ok_or(DomainError::NotFound("node"))?;
        Ok(fetch(ctx, uuid, at).await?)
    }

    /// The objects with these ids (at most 100), in the same order; `null` for each that
    /// `node` would answer `NOT_FOUND`.
    #[graphql(complexity = "ids.len().saturating_mul(child_complexity).saturating_add(1)")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> GqlResult<Vec<Option<Node>>> {
        if ids.len() > MAX_IDS {
            return Err(DomainError::validation(
                "ids",
                format!("ask for at most {MAX_IDS} ids at once"),
            )
            .into());
        }
        let uuids: Vec<Option<Uuid>> = ids.iter().map(parse).collect();
        if viewer(ctx).platform_admin().is_ok() {
            let mut answer = Vec::with_capacity(uuids.len());
            for uuid in uuids {
                answer.push(match uuid {
                    Some(uuid) => found(platform_tenant(ctx, uuid).await)?,
                    None => None,
                });
            }
            return Ok(answer);
        }
        let wanted: Vec<Uuid> = uuids.iter().flatten().copied().collect();
        let located = nodes::locate(state(ctx)?, caller(ctx)?, &wanted).await?;
        let mut answer = Vec::with_capacity(uuids.len());
        for uuid in uuids {
            let node = match uuid.and_then(|u| located.get(&u).map(|at| (u, at))) {
                None => None,
                Some((uuid, at)) => found(fetch(ctx, uuid, at).await)?,
            };
            answer.push(node);
        }
        Ok(answer)
    }
}

/// `nodes` answers `null` for what `node` answers `NOT_FOUND`.
fn found(fetched: DomainResult<Node>) -> DomainResult<Option<Node>> {
    match fetched {
        Ok(node) => Ok(Some(node)),
        Err(DomainError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A platform administrator's node: a tenant, as `platformTenants` lists it (they read no
/// tenant's records).
async fn platform_tenant(ctx: &Context<'_>, id: Uuid) -> DomainResult<Node> {
    let page = onboarding::tenants_page(state(ctx)?, Window::only(id, true)).await?;
    Ok(Node::Tenant(first(page, id, |t| t.id)?.try_into()?))
}

/// Reads the node `id`, located at `at`, as its kind's list would show it. A refusal (the plan,
/// a role, a service account's scopes) is answered as `NOT_FOUND`, exactly like a missing
/// id, so that an id never tells what kind of record it is; the refusal itself is audited.
async fn fetch(ctx: &Context<'_>, id: Uuid, at: &Located) -> DomainResult<Node> {
    match fetch_listed(ctx, id, at).await {
        Err(DomainError::Forbidden { .. }) => Err(DomainError::NotFound("node")),
        other => other,
    }
}

/// Reads the node `id` through the query that lists its kind: asked for the page that starts
/// just before `id`, which holds `id` first when the viewer may see it.
async fn fetch_listed(ctx: &Context<'_>, id: Uuid, at: &Located) -> DomainResult<Node> {
    let state = state(ctx)?;
    let caller = caller(ctx)?;
    let oldest_first = Window::only(id, true);
    let newest_first = Window::only(id, false);
    let owner = || at.owner_id.ok_or(DomainError::NotFound("node"));
    let node = match at.kind {
        NodeKind::Client => Node::Client(clients::view(state, caller, id).await?.into()),
        NodeKind::Case => Node::Case(cases::get(state, caller, id).await?.into()),
        NodeKind::Enrollment => {
            let page = enrollments::of_client(state, caller, owner()?, oldest_first).await?;
            Node::Enrollment(first(page, id, |v| v.enrollment.id)?.into())
        }
        NodeKind::Service => {
            let page = services::of_client(state, caller, owner()?, oldest_first).await?;
            Node::Service(first(page, id, |v| v.service.id)?.into())
        }
        NodeKind::ClientNote => {
            let page = notes::page(state, caller, owner()?, newest_first).await?;
            Node::ClientNote(first(page, id, |n| n.note.id)?.into())
        }
        NodeKind::Attachment => {
            let page = attachments::of_client(state, caller, owner()?, oldest_first).await?;
            Node::Attachment(first(page, id, |v| v.row.id)?.into())
        }
        NodeKind::ProfileRow => {
            let element = at
                .element
                .as_deref()
                .and_then(Element::by_key)
                .ok_or(DomainError::NotFound("node"))?;
            let page = profile::list(state, caller, owner()?, element, oldest_first).await?;
            let row = first(page, id, |v| v.row.id)?;
            if element == Element::PROFILE_ASSESSMENT {
                Node::ProfileRow(row.try_into()?)
            } else {
                Node::ElementAnswer(row.try_into()?)
            }
        }
        NodeKind::CaseManagerAssignment => {
            let page = case_managers::of_client(state, caller, owner()?, oldest_first).await?;
            Node::CaseManagerAssignment(first(page, id, |v| v.assignment.id)?.into())
        }
        NodeKind::DataConflict => {
            let page = clients::conflicts(state, caller, owner()?, oldest_first).await?;
            Node::DataConflict(first(page, id, |c| c.id)?.try_into()?)
        }
        NodeKind::Agency => {
            let page = tenancy::agencies(state, caller, Listing::default(), oldest_first).await?;
            Node::Agency(first(page, id, |a| a.id)?.into())
        }
        NodeKind::Project => {
            let page = tenancy::projects(state, caller, Listing::default(), oldest_first).await?;
            Node::Project(first(page, id, |p| p.id)?.into())
        }
        NodeKind::User => {
            let page = tenancy::users(state, caller, Listing::default(), oldest_first).await?;
            Node::User(first(page, id, |u| u.id)?.try_into()?)
        }
        NodeKind::ServiceAccount => {
            let page = service_accounts::page(state, caller, oldest_first).await?;
            Node::ServiceAccount(first(page, id, |a| a.id)?.try_into()?)
        }
        NodeKind::WebhookEndpoint => {
            let endpoints = webhooks::endpoints(state, caller).await?;
            let endpoint = endpoints.into_iter().find(|e| e.id == id);
            Node::WebhookEndpoint(endpoint.ok_or(DomainError::NotFound("node"))?.try_into()?)
        }
        NodeKind::WebhookDelivery => {
            let page = webhooks::deliveries(state, caller, owner()?, newest_first).await?;
            Node::WebhookDelivery(first(page, id, |d| d.id)?.try_into()?)
        }
        NodeKind::Invitation => {
            let newest = Listing {
                sort: Sort::descending(InvitationField::Created),
                ..Listing::default()
            };
            let page = invitations::page(state, caller, newest, newest_first).await?;
            Node::Invitation(first(page, id, |i| i.invitation.id)?.try_into()?)
        }
        NodeKind::Notification => {
            let page = notifications::page(state, caller, false, newest_first).await?;
            Node::Notification(first(page, id, |m| m.message.id)?.into())
        }
        NodeKind::EnrollmentInconsistency => {
            let page = scan::page(state, caller, newest_first).await?;
            Node::EnrollmentInconsistency(first(page, id, |f| f.row.id)?.into())
        }
        NodeKind::SharingPlanVersion => Node::SharingPlanVersion(
            sharing_plan::version(state, caller, VersionKey::Id(id))
                .await?
                .into(),
        ),
        NodeKind::ContactAttempt => {
            let case = cases::get(state, caller, owner()?).await?;
            let attempt = case.attempts.iter().find(|a| a.id == id).cloned();
            Node::ContactAttempt(
                attempt
                    .and_then(ContactAttempt::of)
                    .ok_or(DomainError::NotFound("node"))?,
            )
        }
        NodeKind::WebauthnKey => {
            // A person's own keys only: nobody else's, and no service account's.
            let keys = webauthn::keys(state, viewer(ctx).signed_in()?).await?;
            let key = keys.into_iter().find(|k| k.id == id);
            Node::WebauthnKey(key.ok_or(DomainError::NotFound("node"))?.into())
        }
        NodeKind::AuditEntry => {
            let page = audit::search(state, caller, audit::Query::default(), newest_first).await?;
            Node::AuditEntry(first(page, id, |e| e.id)?.try_into()?)
        }
    };
    Ok(node)
}

/// The row of `page` that is `id`, or `NOT_FOUND`.
fn first<T>(page: Page<T>, id: Uuid, id_of: impl Fn(&T) -> Uuid) -> DomainResult<T> {
    page.rows
        .into_iter()
        .find(|row| id_of(row) == id)
        .ok_or(DomainError::NotFound("node"))
}
