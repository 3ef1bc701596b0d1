//! Which table holds a record of a given id: ids are UUIDv7, unique across every table and
//! tenant, so an id alone names one record (Relay's `node(id:)`).
use entities::{
    agencies, attachments, case_manager_assignments, cases, client_notes, clients, data_conflicts,
    enrollments, profile_rows, projects, service_accounts, services, users, webhook_endpoints,
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
}

/// Where a record is: its kind, and for a client's records the client (and a profile row's
/// element), which the use cases that list them are asked by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub kind: NodeKind,
    pub client_id: Option<Uuid>,
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
        ($entity:ident, $kind:expr, client: $client:ident) => {
            if !left.is_empty() {
                let rows: Vec<(Uuid, Uuid)> = $entity::Entity::find()
                    .select_only()
                    .column($entity::Column::Id)
                    .column($entity::Column::$client)
                    .filter($entity::Column::TenantId.eq(tenant_id))
                    .filter($entity::Column::Id.is_in(left.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                for (id, client_id) in rows {
                    left.retain(|l| *l != id);
                    found.push((
                        id,
                        Located {
                            kind: $kind,
                            client_id: Some(client_id),
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
                            client_id: None,
                            element: None,
                        },
                    ));
                }
            }
        };
    }
    probe!(clients, NodeKind::Client, client: Id);
    probe!(enrollments, NodeKind::Enrollment, client: ClientId);
    probe!(services, NodeKind::Service, client: ClientId);
    probe!(client_notes, NodeKind::ClientNote, client: ClientId);
    probe!(cases, NodeKind::Case, client: ClientId);
    probe!(data_conflicts, NodeKind::DataConflict, client: ClientId);
    probe!(attachments, NodeKind::Attachment, client: ClientId);
    probe!(case_manager_assignments, NodeKind::CaseManagerAssignment, client: ClientId);
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
        for (id, client_id, element) in rows {
            left.retain(|l| *l != id);
            found.push((
                id,
                Located {
                    kind: NodeKind::ProfileRow,
                    client_id: Some(client_id),
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
    Ok(found)
}
