//! Which table holds a record of a given id: ids are UUIDv7, unique across every table and
//! tenant, so an id alone names one record (Relay's `node(id:)`).
use entities::{
    agencies, attachments, audit_log, case_attempts, case_manager_assignments, cases, client_notes,
    clients, data_conflicts, enrollments, inconsistencies, invitations, notifications,
    plan_versions, profile_rows, projects, service_accounts, services, users, webauthn_credentials,
    webhook_deliveries, webhook_endpoints,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::DomainResult;

/// The kinds of record that can be fetched by id alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Client,
    Case,
    Enrollment,
    Service,
    ClientNote,
    Attachment,
    ProfileRow,
    CaseManagerAssignment,
    DataConflict,
    Agency,
    Project,
    User,
    ServiceAccount,
    WebhookEndpoint,
    WebhookDelivery,
    Invitation,
    Notification,
    EnrollmentInconsistency,
    AuditEntry,
    SharingPlanVersion,
    ContactAttempt,
    WebauthnKey,
}

/// Where a record is: its kind, and what the use case that lists its kind is asked by — the
/// record it belongs to (a client's records their client, a delivery its endpoint, a contact
/// attempt its case, a security key its person) and a profile row's element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub kind: NodeKind,
    pub owner_id: Option<Uuid>,
    pub element: Option<String>,
}

/// The ids among `ids` that are records of the tenant, and where each is. One small query per
/// kind, stopping when every id is found.
pub async fn locate(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<(Uuid, Located)>> {
    let mut found: Vec<(Uuid, Located)> = Vec::new();
    let mut left: Vec<Uuid> = ids.to_vec();
    // One query shape, asked of each table in turn: the tables differ only in their entity.
    macro_rules! probe {
        ($entity:ident, $kind:expr, owner: $owner:ident) => {
            if !left.is_empty() {
                let rows: Vec<(Uuid, Uuid)> = $entity::Entity::find()
                    .select_only()
                    .column($entity::Column::Id)
                    .column($entity::Column::$owner)
                    .filter($entity::Column::TenantId.eq(tenant_id))
                    .filter($entity::Column::Id.is_in(left.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                for (id, owner_id) in rows {
                    left.retain(|l| *l != id);
                    found.push((
                        id,
                        Located {
                            kind: $kind,
                            owner_id: Some(owner_id),
                            element: None,
                        },
                    ));
                }
            }
        };
        ($entity:ident, $kind:expr) => {
            if !left.is_empty() {
                let rows: Vec<Uuid> = $entity::Entity::find()
                    .select_only()
                    .column($entity::Column::Id)
                    .filter($entity::Column::TenantId.eq(tenant_id))
                    .filter($entity::Column::Id.is_in(left.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                for id in rows {
                    left.retain(|l| *l != id);
                    found.push((
                        id,
                        Located {
                            kind: $kind,
                            owner_id: None,
                            element: None,
                        },
                    ));
                }
            }
        };
    }
    probe!(clients, NodeKind::Client, owner: Id);
    probe!(enrollments, NodeKind::Enrollment, owner: ClientId);
    probe!(services, NodeKind::Service, owner: ClientId);
    probe!(client_notes, NodeKind::ClientNote, owner: ClientId);
    probe!(cases, NodeKind::Case, owner: ClientId);
    probe!(data_conflicts, NodeKind::DataConflict, owner: ClientId);
    probe!(attachments, NodeKind::Attachment, owner: ClientId);
    probe!(case_manager_assignments, NodeKind::CaseManagerAssignment, owner: ClientId);
    if !left.is_empty() {
        // A profile row is listed by its client and element.
        let rows: Vec<(Uuid, Uuid, String)> = profile_rows::Entity::find()
            .select_only()
            .column(profile_rows::Column::Id)
            .column(profile_rows::Column::ClientId)
            .column(profile_rows::Column::Element)
            .filter(profile_rows::Column::TenantId.eq(tenant_id))
            .filter(profile_rows::Column::Id.is_in(left.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (id, owner_id, element) in rows {
            left.retain(|l| *l != id);
            found.push((
                id,
                Located {
                    kind: NodeKind::ProfileRow,
                    owner_id: Some(owner_id),
                    element: Some(element),
                },
            ));
        }
    }
    probe!(agencies, NodeKind::Agency);
    probe!(projects, NodeKind::Project);
    probe!(users, NodeKind::User);
    probe!(service_accounts, NodeKind::ServiceAccount);
    probe!(webhook_endpoints, NodeKind::WebhookEndpoint);
    probe!(invitations, NodeKind::Invitation);
    probe!(notifications, NodeKind::Notification);
    probe!(inconsistencies, NodeKind::EnrollmentInconsistency);
    probe!(webhook_deliveries, NodeKind::WebhookDelivery, owner: EndpointId);
    probe!(audit_log, NodeKind::AuditEntry);
    probe!(plan_versions, NodeKind::SharingPlanVersion);
    probe!(case_attempts, NodeKind::ContactAttempt, owner: CaseId);
    probe!(webauthn_credentials, NodeKind::WebauthnKey, owner: UserId);
    Ok(found)
}
