//! Answers over time, multi-answer and effective-dated (PRO-1..PRO-4): profile rows (typed by
//! `ProfileRowKind`) and the answers to HUD's further elements (by field name, with the
//! element's catalogue in `hudElementFields`). Both call the same use cases.
use async_graphql::ID;
use async_graphql::{Context, Enum, EnumType, InputObject, Object, OutputType, SimpleObject};
use chrono::NaiveDate;
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, permissions};
use super::connection::{CountedConnection, try_connection, window};
use super::enums::{HudElement, ProfileKind};
use super::notes::ClientNote;
use super::types::TypedValue;
use super::{caller, state};
use crate::error::GqlResult;
use domain::error::DomainError;
use domain::page::Window;
use domain::policy::records::{Element, FieldValue};
use domain::records::profile::{
    self, Correction, CorrectionOutcome, NewProfileRow, ProfileRowView,
};

/// One answer (a phone number, an address, …) valid from `startDate` until `endDate`.
#[derive(SimpleObject)]
pub struct ProfileRow {
    pub id: ID,
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

/// One answer to one field of a HUD element, as of `informationDate` until `endDate`.
#[derive(SimpleObject)]
pub struct ElementAnswer {
    pub id: ID,
    pub client_id: Uuid,
    pub element: HudElement,
    /// The field answered, e.g. `TOTAL_MONTHLY_INCOME` (see `hudElementFields`).
    pub field: String,
    /// A HUD code (`1`) or an amount in dollars (`1250.00`) or text, as the field takes.
    pub value: String,
    /// What a HUD code means (`Yes`, `Place not meant for habitation`).
    pub value_label: Option<String>,
    /// The answer as what it is: a HUD code with its meaning, an amount in cents, or text.
    pub typed_value: TypedValue,
    pub information_date: NaiveDate,
    /// Empty while the answer is current.
    pub end_date: Option<NaiveDate>,
    /// PRO-1: the client directed this change to another agency's answer.
    pub at_client_direction: bool,
    /// The answer this one corrects (PRO-2).
    pub corrects_answer_id: Option<Uuid>,
    pub provenance: ProvenanceInfo,
    pub version: i32,
    /// `correct` (PRO-1 or PRO-2) and `endDate` (PRO-4).
    pub access: Vec<Permission>,
}

/// What the stamps of a row say about who entered and changed it (PROV-1).
fn row_provenance(r: &entities::profile_rows::Model) -> ProvenanceInfo {
    let updated = r.updated_at != r.created_at;
    ProvenanceInfo {
        entered_by_user_id: r.created_by_user,
        entered_by_agency_id: r.created_by_agency,
        entered_at: r.created_at,
        updated_by_user_id: updated.then_some(r.updated_by_user),
        updated_by_agency_id: if updated { r.updated_by_agency } else { None },
        updated_at: updated.then_some(r.updated_at),
    }
}

/// The schema's name of a profile row kind: the field's name in the element's catalogue.
fn kind_name(kind: ProfileKind) -> &'static str {
    ProfileKind::items()
        .iter()
        .find(|item| item.value == kind)
        .map_or("", |item| item.name)
}

fn hud_element(element: Element) -> Option<HudElement> {
    HudElement::items()
        .iter()
        .map(|item| item.value)
        .find(|hud| Element::from(*hud) == element)
}

fn unknown_field() -> DomainError {
    DomainError::internal(anyhow::anyhow!("a row outside its element's API"))
}

impl TryFrom<ProfileRowView> for ProfileRow {
    type Error = DomainError;

    fn try_from(view: ProfileRowView) -> Result<Self, DomainError> {
        let kind = ProfileKind::items()
            .iter()
            .find(|item| item.name == view.field.name)
            .map(|item| item.value)
            .ok_or_else(unknown_field)?;
        let provenance = row_provenance(&view.row);
        let r = view.row;
        Ok(Self {
            id: r.id.into(),
            client_id: r.client_id,
            kind,
            value: r.value,
            start_date: r.start_date,
            end_date: r.end_date,
            at_client_direction: r.at_client_direction,
            corrects_row_id: r.corrects_row_id,
            provenance,
            version: r.version,
            access: permissions(view.plan_version, view.access),
        })
    }
}

impl TryFrom<ProfileRowView> for ElementAnswer {
    type Error = DomainError;

    fn try_from(view: ProfileRowView) -> Result<Self, DomainError> {
        let element = hud_element(view.element).ok_or_else(unknown_field)?;
        let value_label = view.value_label().map(str::to_owned);
        let typed_value = view.typed_value().into();
        let provenance = row_provenance(&view.row);
        let r = view.row;
        Ok(Self {
            id: r.id.into(),
            client_id: r.client_id,
            element,
            field: view.field.name.to_owned(),
            value: r.value,
            value_label,
            typed_value,
            information_date: r.start_date,
            end_date: r.end_date,
            at_client_direction: r.at_client_direction,
            corrects_answer_id: r.corrects_row_id,
            provenance,
            version: r.version,
            access: permissions(view.plan_version, view.access),
        })
    }
}

/// One field of a HUD element: what it asks and what it takes.
#[derive(SimpleObject)]
pub struct ElementField {
    pub name: String,
    pub label: String,
    pub takes: ElementFieldKind,
    /// The HUD codes a `CODE` field takes, with what each means.
    pub codes: Vec<HudCode>,
}

/// What a HUD element's field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum ElementFieldKind {
    /// One of the field's HUD codes.
    Code,
    /// A monthly amount in dollars and cents.
    Money,
    Text,
    Phone,
    Email,
}

#[derive(SimpleObject)]
pub struct HudCode {
    pub code: i32,
    pub label: String,
}

#[derive(InputObject)]
pub struct AddProfileRowInput {
    pub client_id: Uuid,
    pub kind: ProfileKind,
    pub value: String,
    pub start_date: NaiveDate,
}

#[derive(InputObject)]
pub struct AddElementAnswerInput {
    pub client_id: Uuid,
    pub element: HudElement,
    /// One of the element's fields (see `hudElementFields`).
    pub field: String,
    pub value: String,
    pub information_date: NaiveDate,
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

#[derive(InputObject)]
pub struct CorrectElementAnswerInput {
    pub answer_id: Uuid,
    pub element: HudElement,
    /// The version of the answer as read (LOCK-1).
    pub expected_version: i32,
    pub new_value: String,
    /// When the new answer holds from; the old one ends that day where PRO-2 allows.
    pub information_date: NaiveDate,
    /// PRO-1: required to change another agency's answer.
    pub at_client_direction: bool,
    /// PRO-3: the client note saying what was corrected.
    pub correction_note: Option<String>,
}

/// What a correction did.
#[derive(SimpleObject)]
pub struct ProfileCorrectionResult {
    /// The new row.
    pub row: ProfileRow,
    /// The corrected row: end-dated where PRO-2 lets the corrector, otherwise still open for
    /// its agency to end-date.
    pub corrected_row: ProfileRow,
    /// The client note written with the correction (PRO-3).
    pub note: Option<ClientNote>,
    /// The entering agency's administrators were told (PRO-4).
    pub entering_agency_notified: bool,
}

/// What a correction of a HUD element's answer did.
#[derive(SimpleObject)]
pub struct ElementAnswerCorrectionResult {
    pub answer: ElementAnswer,
    /// End-dated where PRO-2 lets the corrector, otherwise open for its agency to end-date.
    pub corrected_answer: ElementAnswer,
    pub note: Option<ClientNote>,
    pub entering_agency_notified: bool,
}

/// A page of a client's rows of `element`, as the viewer may see them.
async fn rows_page<T>(
    ctx: &Context<'_>,
    client_id: Uuid,
    element: Element,
    window: Window,
) -> GqlResult<CountedConnection<T>>
where
    T: TryFrom<ProfileRowView, Error = DomainError> + OutputType,
{
    let page = profile::list(state(ctx)?, caller(ctx)?, client_id, element, window).await?;
    Ok(try_connection(page, |v| v.row.id, T::try_from)?)
}

fn correction_parts<T: TryFrom<ProfileRowView, Error = DomainError>>(
    outcome: CorrectionOutcome,
) -> GqlResult<(T, T, Option<ClientNote>, bool)> {
    Ok((
        T::try_from(outcome.row)?,
        T::try_from(outcome.corrected)?,
        outcome.note.map(ClientNote::from),
        outcome.entering_agency_notified,
    ))
}

#[derive(Default)]
pub struct ProfileQuery;

#[Object]
impl ProfileQuery {
    /// A client's profile rows the viewer may see under the plan, current and ended, in the
    /// order they were entered.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_profile_rows(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<ProfileRow>> {
        let window = window(ctx, first, after, last, before)?;
        rows_page(ctx, client_id, Element::PROFILE_ASSESSMENT, window).await
    }

    /// A client's answers to one HUD element that the viewer may see, current and ended, in
    /// the order they were entered.
    // Relay's four paging arguments beside the list's own filters.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_element_answers(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        element: HudElement,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<ElementAnswer>> {
        let window = window(ctx, first, after, last, before)?;
        rows_page(ctx, client_id, element.into(), window).await
    }

    /// What a HUD element asks: its fields and the codes each takes (fixed by HUD's data
    /// standards: a bounded list, not paged).
    async fn hud_element_fields(
        &self,
        ctx: &Context<'_>,
        element: HudElement,
    ) -> GqlResult<Vec<ElementField>> {
        // Like every other field, for people signed in.
        caller(ctx)?;
        Ok(Element::from(element)
            .fields()
            .iter()
            .map(|f| {
                let (takes, codes) = match f.value {
                    FieldValue::Code(codes) => (ElementFieldKind::Code, codes),
                    FieldValue::Money => (ElementFieldKind::Money, &[][..]),
                    FieldValue::Text => (ElementFieldKind::Text, &[][..]),
                    FieldValue::Phone => (ElementFieldKind::Phone, &[][..]),
                    FieldValue::Email => (ElementFieldKind::Email, &[][..]),
                };
                ElementField {
                    name: f.name.to_owned(),
                    label: f.label.to_owned(),
                    takes,
                    codes: codes
                        .iter()
                        .map(|(code, label)| HudCode {
                            code: i32::from(*code),
                            label: (*label).to_owned(),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// PRO-3: a suggested client note for correcting a row, for the console to pre-fill.
    async fn profile_correction_note_draft(
        &self,
        ctx: &Context<'_>,
        row_id: Uuid,
        new_value: Option<String>,
    ) -> GqlResult<String> {
        let user = caller(ctx)?;
        Ok(profile::correction_note_draft(
            state(ctx)?,
            user,
            (row_id, Element::PROFILE_ASSESSMENT),
            new_value.as_deref(),
        )
        .await?)
    }
}

#[derive(InputObject)]
pub struct EndDateProfileRowInput {
    pub row_id: Uuid,
    /// The version of the row as read (LOCK-1).
    pub expected_version: i32,
    pub end_date: NaiveDate,
}

#[derive(SimpleObject)]
pub struct AddProfileRowPayload {
    pub row: ProfileRow,
}

#[derive(SimpleObject)]
pub struct AddElementAnswerPayload {
    pub answer: ElementAnswer,
}

#[derive(SimpleObject)]
pub struct EndDateProfileRowPayload {
    pub row: ProfileRow,
}

#[derive(InputObject)]
pub struct EndDateElementAnswerInput {
    pub answer_id: Uuid,
    pub element: HudElement,
    /// The version of the answer as read (LOCK-1).
    pub expected_version: i32,
    pub end_date: NaiveDate,
}

#[derive(SimpleObject)]
pub struct EndDateElementAnswerPayload {
    pub answer: ElementAnswer,
}

#[derive(Default)]
pub struct ProfileMutation;

#[Object]
impl ProfileMutation {
    async fn add_profile_row(
        &self,
        ctx: &Context<'_>,
        input: AddProfileRowInput,
    ) -> GqlResult<AddProfileRowPayload> {
        let new = NewProfileRow {
            element: Element::PROFILE_ASSESSMENT,
            client_id: input.client_id,
            field: kind_name(input.kind).to_owned(),
            value: input.value,
            start_date: input.start_date,
        };
        let added = profile::add(state(ctx)?, caller(ctx)?, new).await?;
        Ok(AddProfileRowPayload {
            row: added.try_into()?,
        })
    }

    /// PLAN-1: only while the tenant's plan names the element.
    async fn add_element_answer(
        &self,
        ctx: &Context<'_>,
        input: AddElementAnswerInput,
    ) -> GqlResult<AddElementAnswerPayload> {
        let new = NewProfileRow {
            element: input.element.into(),
            client_id: input.client_id,
            field: input.field,
            value: input.value,
            start_date: input.information_date,
        };
        let added = profile::add(state(ctx)?, caller(ctx)?, new).await?;
        Ok(AddElementAnswerPayload {
            answer: added.try_into()?,
        })
    }

    /// PRO-1..PRO-4: adds a corrected row; never edits the old one in place.
    async fn correct_profile_row(
        &self,
        ctx: &Context<'_>,
        input: CorrectProfileRowInput,
    ) -> GqlResult<ProfileCorrectionResult> {
        let correction = Correction {
            row_id: input.row_id,
            element: Element::PROFILE_ASSESSMENT,
            expected_version: input.expected_version,
            new_value: input.new_value,
            start_date: input.start_date,
            at_client_direction: input.at_client_direction,
            correction_note: input.correction_note,
        };
        let outcome = profile::correct(state(ctx)?, caller(ctx)?, correction).await?;
        let (row, corrected_row, note, entering_agency_notified) = correction_parts(outcome)?;
        Ok(ProfileCorrectionResult {
            row,
            corrected_row,
            note,
            entering_agency_notified,
        })
    }

    /// PRO-1..PRO-4 for a HUD element's answer: adds a corrected answer.
    async fn correct_element_answer(
        &self,
        ctx: &Context<'_>,
        input: CorrectElementAnswerInput,
    ) -> GqlResult<ElementAnswerCorrectionResult> {
        let correction = Correction {
            row_id: input.answer_id,
            element: input.element.into(),
            expected_version: input.expected_version,
            new_value: input.new_value,
            start_date: input.information_date,
            at_client_direction: input.at_client_direction,
            correction_note: input.correction_note,
        };
        let outcome = profile::correct(state(ctx)?, caller(ctx)?, correction).await?;
        let (answer, corrected_answer, note, entering_agency_notified) = correction_parts(outcome)?;
        Ok(ElementAnswerCorrectionResult {
            answer,
            corrected_answer,
            note,
            entering_agency_notified,
        })
    }

    /// PRO-4: only the agency that entered the row end-dates it.
    async fn end_date_profile_row(
        &self,
        ctx: &Context<'_>,
        input: EndDateProfileRowInput,
    ) -> GqlResult<EndDateProfileRowPayload> {
        let user = caller(ctx)?;
        let row = (input.row_id, Element::PROFILE_ASSESSMENT);
        let ended = profile::end_date(
            state(ctx)?,
            user,
            row,
            input.expected_version,
            input.end_date,
        )
        .await?;
        Ok(EndDateProfileRowPayload {
            row: ended.try_into()?,
        })
    }

    /// PRO-4: only the agency that entered the answer end-dates it.
    async fn end_date_element_answer(
        &self,
        ctx: &Context<'_>,
        input: EndDateElementAnswerInput,
    ) -> GqlResult<EndDateElementAnswerPayload> {
        let user = caller(ctx)?;
        let answer = (input.answer_id, input.element.into());
        let ended = profile::end_date(
            state(ctx)?,
            user,
            answer,
            input.expected_version,
            input.end_date,
        )
        .await?;
        Ok(EndDateElementAnswerPayload {
            answer: ended.try_into()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ProfileRowKind` names the profile element's fields: a row stored under a name the
    /// enum lacks could not be shown.
    #[test]
    fn profile_row_kinds_are_the_profile_elements_fields() {
        let kinds: Vec<&str> = ProfileKind::items().iter().map(|i| i.name).collect();
        let fields: Vec<&str> = Element::PROFILE_ASSESSMENT
            .fields()
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(kinds, fields);
        for item in HudElement::items() {
            assert_eq!(hud_element(Element::from(item.value)), Some(item.value));
            assert!(!Element::from(item.value).is_built_in());
        }
    }
}
