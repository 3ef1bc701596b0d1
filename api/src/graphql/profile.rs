//! Profile rows (contact and profile answers), multi-answer and effective-dated: PRO-1..PRO-4.
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, permissions};
use super::enums::ProfileKind;
use super::notes::ClientNote;
use super::{caller, state};
use crate::error::GqlResult;
use domain::records::profile::{self, Correction, NewProfileRow, ProfileRowView};

/// One answer (a phone number, an address, …) valid from `startDate` until `endDate`.
#[derive(SimpleObject)]
pub struct ProfileRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub kind: ProfileKind,
    pub value: String,
    pub start_date: NaiveDate,
    /// Empty while the row is current.
    pub end_date: Option<NaiveDate>,
    /// PRO-1: the client directed this change to another agency's row.
    pub at_client_direction: bool,
    /// The row this one corrects (PRO-2).
    pub corrects_row_id: Option<Uuid>,
    pub provenance: ProvenanceInfo,
    pub version: i32,
    /// `correct` (PRO-1 for another agency's row, PRO-2 for one's own) and `endDate` (PRO-4).
    pub access: Vec<Permission>,
}

impl From<ProfileRowView> for ProfileRow {
    fn from(view: ProfileRowView) -> Self {
        let r = view.row;
        let updated = r.updated_at != r.created_at;
        Self {
            id: r.id,
            client_id: r.client_id,
            kind: view.kind.into(),
            value: r.value,
            start_date: r.start_date,
            end_date: r.end_date,
            at_client_direction: r.at_client_direction,
            corrects_row_id: r.corrects_row_id,
            provenance: ProvenanceInfo {
                entered_by_user_id: r.created_by_user,
                entered_by_agency_id: r.created_by_agency,
                entered_at: r.created_at,
                updated_by_user_id: updated.then_some(r.updated_by_user),
                updated_by_agency_id: if updated { r.updated_by_agency } else { None },
                updated_at: updated.then_some(r.updated_at),
            },
            version: r.version,
            access: permissions(view.plan_version, view.access),
        }
    }
}

#[derive(InputObject)]
pub struct AddProfileRowInput {
    pub client_id: Uuid,
    pub kind: ProfileKind,
    pub value: String,
    pub start_date: NaiveDate,
}

#[derive(InputObject)]
pub struct CorrectProfileRowInput {
    pub row_id: Uuid,
    /// The version of the row as read (LOCK-1).
    pub expected_version: i32,
    pub new_value: String,
    /// When the new row starts; the corrector's own old row ends that day.
    pub start_date: NaiveDate,
    /// PRO-1: required to change another agency's row.
    pub at_client_direction: bool,
    /// PRO-3: the client note saying what was corrected (see `profileCorrectionNoteDraft`).
    pub correction_note: Option<String>,
}

/// What a correction did.
#[derive(SimpleObject)]
pub struct ProfileCorrectionResult {
    /// The new row.
    pub row: ProfileRow,
    /// The corrected row: end-dated when the corrector's agency entered it, otherwise still
    /// open for its agency to end-date.
    pub corrected_row: ProfileRow,
    /// The client note written with the correction (PRO-3).
    pub note: Option<ClientNote>,
    /// The entering agency's administrators were told (PRO-4).
    pub entering_agency_notified: bool,
}

#[derive(Default)]
pub struct ProfileQuery;

#[Object]
impl ProfileQuery {
    /// A client's profile rows the viewer may see under the plan, current and ended.
    async fn client_profile_rows(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
    ) -> GqlResult<Vec<ProfileRow>> {
        let rows = profile::list(state(ctx)?, caller(ctx)?, client_id).await?;
        Ok(rows.into_iter().map(ProfileRow::from).collect())
    }

    /// PRO-3: a suggested client note for correcting a row, for the console to pre-fill.
    async fn profile_correction_note_draft(
        &self,
        ctx: &Context<'_>,
        row_id: Uuid,
        new_value: Option<String>,
    ) -> GqlResult<String> {
        let user = caller(ctx)?;
        Ok(profile::correction_note_draft(state(ctx)?, user, row_id, new_value.as_deref()).await?)
    }
}

#[derive(Default)]
pub struct ProfileMutation;

#[Object]
impl ProfileMutation {
    async fn add_profile_row(
        &self,
        ctx: &Context<'_>,
        input: AddProfileRowInput,
    ) -> GqlResult<ProfileRow> {
        let new = NewProfileRow {
            client_id: input.client_id,
            kind: input.kind.into(),
            value: input.value,
            start_date: input.start_date,
        };
        Ok(profile::add(state(ctx)?, caller(ctx)?, new).await?.into())
    }

    /// PRO-1..PRO-4: adds a corrected row; never edits the old one in place.
    async fn correct_profile_row(
        &self,
        ctx: &Context<'_>,
        input: CorrectProfileRowInput,
    ) -> GqlResult<ProfileCorrectionResult> {
        let correction = Correction {
            row_id: input.row_id,
            expected_version: input.expected_version,
            new_value: input.new_value,
            start_date: input.start_date,
            at_client_direction: input.at_client_direction,
            correction_note: input.correction_note,
        };
        let outcome = profile::correct(state(ctx)?, caller(ctx)?, correction).await?;
        Ok(ProfileCorrectionResult {
            row: outcome.row.into(),
            corrected_row: outcome.corrected.into(),
            note: outcome.note.map(ClientNote::from),
            entering_agency_notified: outcome.entering_agency_notified,
        })
    }

    /// PRO-4: only the agency that entered the row end-dates it.
    async fn end_date_profile_row(
        &self,
        ctx: &Context<'_>,
        row_id: Uuid,
        expected_version: i32,
        end_date: NaiveDate,
    ) -> GqlResult<ProfileRow> {
        let user = caller(ctx)?;
        Ok(
            profile::end_date(state(ctx)?, user, row_id, expected_version, end_date)
                .await?
                .into(),
        )
    }
}
