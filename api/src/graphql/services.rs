//! Needs, services and referrals: SRV-1 (never deleted, edited only by the provider, every
//! version kept) and SRV-2 (case-management notes stay with the provider unless shared).
use async_graphql::ID;
use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, permissions, provenance};
use super::connection::{CountedConnection, connection, window};
use super::enums::ServiceKind;
use super::{caller, state};
use crate::error::GqlResult;
use domain::records::services::{self, HistoryView, NewService, ServiceChange, ServiceView};

/// A need, service or referral, provided by one agency.
#[derive(SimpleObject)]
pub struct Service {
    pub id: ID,
    pub client_id: Uuid,
    pub enrollment_id: Option<Uuid>,
    pub kind: ServiceKind,
    pub service_type: String,
    pub service_date: NaiveDate,
    pub provider_agency_id: Uuid,
    /// Empty when the plan keeps case-management notes from the viewer (SRV-2; see the
    /// `readNotes` entry of `access`).
    pub cm_minutes: Option<i32>,
    pub cm_note: Option<String>,
    pub version: i32,
    pub provenance: ProvenanceInfo,
    /// `edit`, `delete`, `readNotes`.
    pub access: Vec<Permission>,
}

impl From<ServiceView> for Service {
    fn from(v: ServiceView) -> Self {
        let s = v.service;
        let shown = v.notes.allowed;
        Self {
            id: s.id.into(),
            client_id: s.client_id,
            enrollment_id: s.enrollment_id,
            kind: v.kind.into(),
            service_type: s.service_type,
            service_date: s.service_date,
            provider_agency_id: s.provider_agency_id,
            cm_minutes: s.cm_minutes.filter(|_| shown),
            cm_note: s.cm_note.filter(|_| shown),
            version: s.version,
            provenance: provenance(
                (s.created_by_user, s.created_by_agency, s.created_at),
                (s.updated_by_user, s.updated_by_agency, s.updated_at),
            ),
            access: permissions(v.plan_version, v.access),
        }
    }
}

/// One kept version of a service (SRV-1): what it held and who wrote it, when.
#[derive(SimpleObject)]
pub struct ServiceVersion {
    pub service_id: Uuid,
    pub version: i32,
    pub kind: ServiceKind,
    pub service_type: String,
    pub service_date: NaiveDate,
    pub enrollment_id: Option<Uuid>,
    /// Empty when the plan keeps case-management notes from the viewer (SRV-2).
    pub cm_minutes: Option<i32>,
    pub cm_note: Option<String>,
    pub changed_by_user_id: Uuid,
    pub changed_by_agency_id: Option<Uuid>,
    pub changed_at: DateTime<Utc>,
    /// `readNotes`.
    pub access: Vec<Permission>,
}

impl ServiceVersion {
    fn from_view(v: HistoryView, plan_version: i32) -> Self {
        let shown = v.notes.allowed;
        Self {
            service_id: v.entry.service_id,
            version: v.entry.version,
            kind: v.kept.kind.into(),
            service_type: v.kept.service_type,
            service_date: v.kept.service_date,
            enrollment_id: v.kept.enrollment_id,
            cm_minutes: v.kept.cm_minutes.filter(|_| shown),
            cm_note: v.kept.cm_note.filter(|_| shown),
            changed_by_user_id: v.entry.changed_by_user,
            changed_by_agency_id: v.entry.changed_by_agency,
            changed_at: v.entry.changed_at,
            access: permissions(plan_version, [("readNotes", v.notes)]),
        }
    }
}

#[derive(InputObject)]
pub struct RecordServiceInput {
    pub client_id: Uuid,
    /// The client's enrollment in one of the viewer's agency's projects, if any.
    pub enrollment_id: Option<Uuid>,
    pub kind: ServiceKind,
    pub service_type: String,
    pub service_date: NaiveDate,
    /// Case-management minutes (0–1440).
    pub cm_minutes: Option<i32>,
    pub cm_note: Option<String>,
}

/// Omitted fields stay as they are; `null` clears `enrollmentId`, `cmMinutes`, `cmNote`.
#[derive(InputObject)]
pub struct UpdateServiceInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
    pub kind: Option<ServiceKind>,
    pub service_type: Option<String>,
    pub service_date: Option<NaiveDate>,
    pub enrollment_id: MaybeUndefined<Uuid>,
    pub cm_minutes: MaybeUndefined<i32>,
    pub cm_note: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct ServicesQuery;

#[Object]
impl ServicesQuery {
    /// The client's needs, services and referrals the viewer may see, oldest first.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_services(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<Service>> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let window = window(ctx, first, after, last, before)?;
        let page = services::of_client(state, user, client_id, window).await?;
        Ok(connection(page, |v| v.service.id, Service::from))
    }

    /// Every version of a service, newest first (SRV-1).
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn service_history(
        &self,
        ctx: &Context<'_>,
        service_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<ServiceVersion>> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let window = window(ctx, first, after, last, before)?;
        let (page, plan_version) = services::history(state, user, service_id, window).await?;
        Ok(connection(
            page,
            |v| v.entry.id,
            |v| ServiceVersion::from_view(v, plan_version),
        ))
    }
}

#[derive(InputObject)]
pub struct DeleteServiceInput {
    pub id: Uuid,
}

#[derive(SimpleObject)]
pub struct RecordServicePayload {
    pub service: Service,
}

#[derive(SimpleObject)]
pub struct UpdateServicePayload {
    pub service: Service,
}

#[derive(SimpleObject)]
pub struct DeleteServicePayload {
    pub deleted_id: Uuid,
}

#[derive(Default)]
pub struct ServicesMutation;

#[Object]
impl ServicesMutation {
    /// Records a need, service or referral provided by the viewer's agency.
    async fn record_service(
        &self,
        ctx: &Context<'_>,
        input: RecordServiceInput,
    ) -> GqlResult<RecordServicePayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let new = NewService {
            client_id: input.client_id,
            enrollment_id: input.enrollment_id,
            kind: input.kind.into(),
            service_type: input.service_type,
            service_date: input.service_date,
            cm_minutes: input.cm_minutes,
            cm_note: input.cm_note,
        };
        let service = services::record(state, user, new).await?.into();
        Ok(RecordServicePayload { service })
    }

    /// Edits a service of the viewer's agency (SRV-1, LOCK-1); the new version is kept.
    async fn update_service(
        &self,
        ctx: &Context<'_>,
        input: UpdateServiceInput,
    ) -> GqlResult<UpdateServicePayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let change = ServiceChange {
            id: input.id,
            expected_version: input.expected_version,
            kind: input.kind.map(Into::into),
            service_type: input.service_type,
            service_date: input.service_date,
            enrollment_id: input.enrollment_id.into(),
            cm_minutes: input.cm_minutes.into(),
            cm_note: input.cm_note.into(),
        };
        let service = services::update(state, user, change).await?.into();
        Ok(UpdateServicePayload { service })
    }

    /// Always refused: services, needs and referrals are never deleted (SRV-1).
    async fn delete_service(
        &self,
        ctx: &Context<'_>,
        input: DeleteServiceInput,
    ) -> GqlResult<DeleteServicePayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let deleted_id = services::delete(state, user, input.id).await?;
        Ok(DeleteServicePayload { deleted_id })
    }
}
