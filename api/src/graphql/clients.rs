//! Clients and their demographics (DEM-1..3), with provenance on every value (PROV-1), the
//! view log (AUD-2) and stale-write refusal (LOCK-1).
use async_graphql::ID;
use async_graphql::connection::{Connection, Edge, OpaqueCursor};
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, EnumType, InputObject, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, ProvenanceStamp, permissions, provenance, stamp};
use super::cases::Case;
use super::connection::{CountedConnection, connection, ranked_window, try_connection, window};
use super::enums::{ConflictStatus, DemographicField, RecordAction, ShownIn};
use super::loaders::{CaseOfConflict, EnrollmentsOfClient};
use super::types::TypedValue;
use super::{caller, state};
use crate::error::GqlResult;
use domain::error::DomainError;
use domain::policy::Decision;
use domain::records::clients::{self, Change, ChangeOutcome, ClientView, Documentation, NewClient};
use domain::records::demographics;
use domain::records::explain;
use domain::records::search;

/// A client, as the viewer may see it.
#[derive(SimpleObject)]
pub struct Client {
    pub id: ID,
    /// The tenant-unique id to use in every communication about the client (COM-1).
    pub hmis_number: String,
    pub version: i32,
    pub demographics: Vec<DemographicValue>,
    pub provenance: ProvenanceInfo,
    pub access: Vec<Permission>,
}

/// One single-answer value with who entered it (PROV-1) and what the viewer may do with it.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DemographicValue {
    pub field: DemographicField,
    /// As shown: an SSN only masked.
    pub value: Option<String>,
    /// The same value as what it is: a date, a HUD code, a list of codes, or text.
    pub typed_value: Option<TypedValue>,
    pub entered_by_user_id: Uuid,
    pub entered_by_agency_id: Option<Uuid>,
    pub entered_at: DateTime<Utc>,
    pub documentation_type: Option<String>,
    pub access: Vec<Permission>,
}

#[ComplexObject]
impl DemographicValue {
    /// Who entered the value, by name, from which agency (by name), and when (PROV-1).
    async fn entered(&self, ctx: &Context<'_>) -> GqlResult<ProvenanceStamp> {
        stamp(
            ctx,
            self.entered_by_user_id,
            self.entered_by_agency_id,
            self.entered_at,
        )
        .await
    }
}

impl From<ClientView> for Client {
    fn from(view: ClientView) -> Self {
        let plan_version = view.plan_version;
        let demographics = view
            .demographics()
            .into_iter()
            .map(|entry| DemographicValue {
                field: entry.field.into(),
                value: entry.value,
                typed_value: entry.typed.map(Into::into),
                entered_by_user_id: entry.entered.user,
                entered_by_agency_id: entry.entered.agency,
                entered_at: entry.entered_at,
                documentation_type: entry.documentation_type,
                access: permissions(plan_version, entry.access),
            })
            .collect();
        let access = permissions(plan_version, view.access());
        let client = view.client;
        Self {
            id: client.id.into(),
            hmis_number: client.hmis_number,
            version: client.version,
            demographics,
            provenance: provenance(
                (
                    client.created_by_user,
                    client.created_by_agency,
                    client.created_at,
                ),
                (
                    client.updated_by_user,
                    client.updated_by_agency,
                    client.updated_at,
                ),
            ),
            access,
        }
    }
}

/// A value given orally that differs from the record: kept outside it (DEM-3), and followed
/// up as a case (DEM-4).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DataConflict {
    pub id: ID,
    pub client_id: Uuid,
    pub field: DemographicField,
    /// The record's value when the conflict was reported, as a client's demographics show it
    /// (an SSN masked); null when the record had none.
    pub existing_value: Option<String>,
    pub existing_entered_by_user_id: Uuid,
    pub existing_entered_by_agency_id: Option<Uuid>,
    pub existing_entered_at: DateTime<Utc>,
    /// The value reported, shown the same way; null to clear the field.
    pub proposed_value: Option<String>,
    pub reported_by_user_id: Uuid,
    pub reported_by_agency_id: Option<Uuid>,
    pub reported_at: DateTime<Utc>,
    pub status: ConflictStatus,
    pub version: i32,
}

#[ComplexObject]
impl DataConflict {
    /// Who entered the existing value, by name and agency (PROV-1): whom to contact (DEM-4).
    async fn existing_entered(&self, ctx: &Context<'_>) -> GqlResult<ProvenanceStamp> {
        stamp(
            ctx,
            self.existing_entered_by_user_id,
            self.existing_entered_by_agency_id,
            self.existing_entered_at,
        )
        .await
    }

    /// Who reported the conflict, by name and agency.
    async fn reported(&self, ctx: &Context<'_>) -> GqlResult<ProvenanceStamp> {
        stamp(
            ctx,
            self.reported_by_user_id,
            self.reported_by_agency_id,
            self.reported_at,
        )
        .await
    }

    /// The case that follows it up (DEM-4), with its timeline.
    async fn case(&self, ctx: &Context<'_>) -> GqlResult<Option<Case>> {
        case_of(ctx, &self.id).await
    }

    /// Which steps the viewer may take on it now (its case's: `logAttempt`, `agree`,
    /// `escalate`, `withdraw`), each with the rule that decides it.
    async fn access(&self, ctx: &Context<'_>) -> GqlResult<Vec<Permission>> {
        Ok(case_of(ctx, &self.id)
            .await?
            .map(|case| case.access)
            .unwrap_or_default())
    }
}

/// The conflict's case, loaded once per request for every conflict asked about.
async fn case_of(ctx: &Context<'_>, conflict_id: &ID) -> GqlResult<Option<Case>> {
    let conflict_id = super::node::uuid_of(conflict_id)?;
    let loader = ctx
        .data::<std::sync::Arc<DataLoader<CaseOfConflict>>>()
        .map_err(|_| DomainError::Unauthenticated("sign in first"))?;
    loader.load_one(conflict_id).await
}

impl TryFrom<entities::data_conflicts::Model> for DataConflict {
    type Error = DomainError;

    fn try_from(m: entities::data_conflicts::Model) -> Result<Self, DomainError> {
        let field = demographics::DemographicField::from_key(&m.field).ok_or_else(|| {
            DomainError::internal(anyhow::anyhow!("unknown field {:?} on a conflict", m.field))
        })?;
        Ok(Self {
            id: m.id.into(),
            client_id: m.client_id,
            field: field.into(),
            existing_value: demographics::shown_stored(&m.existing_value),
            existing_entered_by_user_id: m.existing_entered_by_user,
            existing_entered_by_agency_id: m.existing_entered_by_agency,
            existing_entered_at: m.existing_entered_at,
            proposed_value: demographics::shown_stored(&m.proposed_value),
            reported_by_user_id: m.reported_by_user,
            reported_by_agency_id: m.reported_by_agency,
            reported_at: m.reported_at,
            status: domain::values::ConflictStatus::parse(&m.status)?.into(),
            version: m.version,
        })
    }
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ClientViewEntry {
    pub viewer_user_id: Uuid,
    pub viewer_agency_id: Option<Uuid>,
    pub viewed_at: DateTime<Utc>,
    /// Where the client was shown: its profile, a list of clients or a search.
    pub shown_in: ShownIn,
}

#[ComplexObject]
impl ClientViewEntry {
    /// Who was shown the client, by name, from which agency, and when.
    async fn viewer(&self, ctx: &Context<'_>) -> GqlResult<ProvenanceStamp> {
        stamp(
            ctx,
            self.viewer_user_id,
            self.viewer_agency_id,
            self.viewed_at,
        )
        .await
    }
}

#[derive(Union)]
pub enum DemographicChangeResult {
    Written(Client),
    ConflictRecorded(DataConflict),
}

#[derive(InputObject, Default)]
pub struct CreateClientInput {
    /// Leave empty to have Concord assign one.
    pub hmis_number: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub name_data_quality: Option<i32>,
    /// YYYY-MM-DD.
    pub dob: Option<String>,
    pub dob_data_quality: Option<i32>,
    pub ssn: Option<String>,
    pub ssn_data_quality: Option<i32>,
    /// HUD 3.04 codes.
    pub race_ethnicity: Option<Vec<i32>>,
    /// HUD 3.06 codes (a local element from FY2026).
    pub gender: Option<Vec<i32>>,
    pub veteran_status: Option<i32>,
    /// HUD FY2026 4.21: 0 female, 1 male, 8 client doesn't know, 9 client prefers not to
    /// answer, 99 data not collected.
    pub sex: Option<i32>,
}

impl CreateClientInput {
    fn values(self) -> Vec<(demographics::DemographicField, Option<String>)> {
        let code = |c: Option<i32>| c.map(|c| c.to_string());
        let list = |l: Option<Vec<i32>>| {
            l.map(|l| {
                l.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        };
        [
            (demographics::DemographicField::FirstName, self.first_name),
            (demographics::DemographicField::MiddleName, self.middle_name),
            (demographics::DemographicField::LastName, self.last_name),
            (
                demographics::DemographicField::NameDataQuality,
                code(self.name_data_quality),
            ),
            (demographics::DemographicField::Dob, self.dob),
            (
                demographics::DemographicField::DobDataQuality,
                code(self.dob_data_quality),
            ),
            (demographics::DemographicField::Ssn, self.ssn),
            (
                demographics::DemographicField::SsnDataQuality,
                code(self.ssn_data_quality),
            ),
            (
                demographics::DemographicField::RaceEthnicity,
                list(self.race_ethnicity),
            ),
            (demographics::DemographicField::Gender, list(self.gender)),
            (
                demographics::DemographicField::VeteranStatus,
                code(self.veteran_status),
            ),
            (demographics::DemographicField::Sex, code(self.sex)),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .collect()
    }
}

/// Which clients a list holds; every filter given must hold.
#[derive(InputObject, Default)]
pub struct ClientFilter {
    /// Exactly this HMIS number.
    pub hmis_number: Option<String>,
    /// Part of the first, middle or last name, in any case.
    pub name: Option<String>,
    pub dob: Option<chrono::NaiveDate>,
    /// Enrolled, now or before, in this project (PLAN-1: one whose enrollments the viewer
    /// reads).
    pub project_id: Option<Uuid>,
}

#[derive(InputObject)]
pub struct DocumentationInput {
    /// The written documentation the client showed, e.g. "birth certificate" (DEM-2).
    pub document_type: String,
    /// The uploaded copy, when there is one.
    pub attachment_id: Option<Uuid>,
}

#[derive(InputObject)]
pub struct ChangeDemographicInput {
    pub client_id: Uuid,
    /// The client version the change was based on (LOCK-1).
    pub expected_version: i32,
    pub field: DemographicField,
    /// The new value as text (dates YYYY-MM-DD, HUD codes as numbers, lists comma-separated);
    /// empty to clear.
    pub value: Option<String>,
    pub documentation: Option<DocumentationInput>,
}

#[derive(Default)]
pub struct ClientsQuery;

#[Object]
impl ClientsQuery {
    /// A client's profile. Every read is recorded (AUD-2).
    async fn client(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Client> {
        Ok(clients::view(state(ctx)?, caller(ctx)?, id).await?.into())
    }

    /// The clients the viewer may see under the plan, narrowed by `filter`.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ClientFilter>,
    ) -> GqlResult<CountedConnection<ClientSummary>> {
        let window = window(ctx, first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let filter = clients::ListFilter {
            hmis_number: filter.hmis_number,
            name: filter.name,
            dob: filter.dob,
            project_id: filter.project_id,
        };
        let (page, plan_version) = clients::page(state(ctx)?, caller(ctx)?, filter, window).await?;
        Ok(connection(
            page,
            |(c, _)| c.id,
            |(c, v)| ClientSummary::new(c, v, plan_version),
        ))
    }

    /// Clients by name (typos forgiven on PostgreSQL), partial name, HMIS number or date of
    /// birth (YYYY-MM-DD), best match first; only clients the viewer may see.
    // Relay's four paging arguments beside the list's own filters.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn search_clients(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        dob: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<Connection<OpaqueCursor<usize>, ClientSearchHit>> {
        let (offset, limit) = ranked_window(first, after, last, before)?;
        let dob = dob
            .map(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d"))
            .transpose()
            .map_err(|_| {
                domain::error::DomainError::validation(
                    "dob",
                    "write the date of birth as YYYY-MM-DD",
                )
            })?;
        let (hits, plan_version) = search::search(
            state(ctx)?,
            caller(ctx)?,
            query.as_deref().unwrap_or(""),
            dob,
            u64::try_from(offset).unwrap_or(u64::MAX),
            limit,
        )
        .await?;
        let backward = last.is_some();
        let mut page = Connection::new(offset > 0, hits.info.has_next || backward);
        page.edges
            .extend(hits.rows.into_iter().enumerate().map(|(i, hit)| {
                Edge::new(
                    OpaqueCursor(offset.saturating_add(i)),
                    ClientSearchHit {
                        score: hit.score,
                        client: ClientSummary::new(hit.client, hit.view, plan_version),
                    },
                )
            }));
        Ok(page)
    }

    /// The decision the server would make for `action` on a record, asked before acting:
    /// allowed or not, the rule, and the plan version in force.
    async fn explain(
        &self,
        ctx: &Context<'_>,
        action: RecordAction,
        record_id: Uuid,
        field: Option<DemographicField>,
    ) -> GqlResult<Permission> {
        let explained = explain::explain(
            state(ctx)?,
            caller(ctx)?,
            action.into(),
            record_id,
            field.map(Into::into),
        )
        .await?;
        // The action as the schema spells it (`EDIT_ENROLLMENT`), the value the caller sent.
        let name = RecordAction::items()
            .iter()
            .find(|item| item.value == action)
            .map_or("", |item| item.name);
        Ok(Permission::new(
            name,
            explained.decision,
            Some(explained.plan_version),
        ))
    }

    /// Data conflicts recorded on a client (DEM-3).
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn data_conflicts(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<DataConflict>> {
        let window = window(ctx, first, after, last, before)?;
        let conflicts = clients::conflicts(state(ctx)?, caller(ctx)?, client_id, window).await?;
        Ok(try_connection(conflicts, |c| c.id, DataConflict::try_from)?)
    }

    /// Who was shown a client, where and when, newest first (AUD-2; the Data Center only).
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_views(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<ClientViewEntry>> {
        let window = window(ctx, first, after, last, before)?;
        let views = clients::views(state(ctx)?, caller(ctx)?, client_id, window).await?;
        Ok(connection(
            views,
            |v| v.id,
            |v| ClientViewEntry {
                viewer_user_id: v.viewer_user_id,
                viewer_agency_id: v.viewer_agency_id,
                viewed_at: v.viewed_at,
                shown_in: v.shown_in.into(),
            },
        ))
    }
}

#[derive(SimpleObject)]
pub struct ClientSearchHit {
    pub client: ClientSummary,
    /// 1 for an exact match; name similarity (0–1) otherwise.
    pub score: f32,
}

/// A client in a list: the HMIS number and name, without recording a profile view.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ClientSummary {
    pub id: Uuid,
    pub hmis_number: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub dob: Option<String>,
    /// `view` (DEM-1): opening the profile, which is recorded (AUD-2).
    pub access: Vec<Permission>,
}

#[ComplexObject]
impl ClientSummary {
    /// The client's enrollments the viewer may see, loaded for a whole page at once.
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<super::enrollments::Enrollment>> {
        let loader = ctx
            .data::<std::sync::Arc<DataLoader<EnrollmentsOfClient>>>()
            .map_err(|_| domain::error::DomainError::Unauthenticated("sign in first"))?;
        Ok(loader.load_one(self.id).await?.unwrap_or_default())
    }
}

impl ClientSummary {
    fn new(m: entities::clients::Model, view: Decision, plan_version: i32) -> Self {
        Self {
            id: m.id,
            hmis_number: m.hmis_number,
            first_name: m.first_name,
            last_name: m.last_name,
            dob: m.dob.map(|d| d.to_string()),
            access: permissions(plan_version, [("view", view)]),
        }
    }
}

#[derive(SimpleObject)]
pub struct CreateClientPayload {
    pub client: Client,
}

#[derive(Default)]
pub struct ClientsMutation;

#[Object]
impl ClientsMutation {
    async fn create_client(
        &self,
        ctx: &Context<'_>,
        input: CreateClientInput,
    ) -> GqlResult<CreateClientPayload> {
        let hmis_number = input.hmis_number.clone();
        let new = NewClient {
            hmis_number,
            values: input.values(),
        };
        let client = clients::create(state(ctx)?, caller(ctx)?, new).await?;
        Ok(CreateClientPayload {
            client: client.into(),
        })
    }

    /// Changes one single-answer value. Another agency's value is overwritten only with
    /// documentation (DEM-2); otherwise the new value is recorded as a data conflict (DEM-3).
    async fn change_client_demographic(
        &self,
        ctx: &Context<'_>,
        input: ChangeDemographicInput,
    ) -> GqlResult<DemographicChangeResult> {
        let change = Change {
            client_id: input.client_id,
            expected_version: input.expected_version,
            field: input.field.into(),
            value: input.value,
            documentation: input.documentation.map(|d| Documentation {
                document_type: d.document_type,
                attachment_id: d.attachment_id,
            }),
        };
        Ok(
            match clients::change(state(ctx)?, caller(ctx)?, change).await? {
                ChangeOutcome::Written(view) => DemographicChangeResult::Written((*view).into()),
                ChangeOutcome::ConflictRecorded(conflict) => {
                    DemographicChangeResult::ConflictRecorded((*conflict).try_into()?)
                }
            },
        )
    }
}
