//! Answers over time (the multi-answer strategy): profile rows (phone, email, address, …) and
//! the answers to HUD's further elements (income and benefits, health insurance, disabling
//! conditions, current living situation), one row per answer to one field, effective-dated.
//! Every element is handled by the same code, told apart only by its catalogue entry
//! (`policy::records::Element`): its plan key, its fields and what its answers may be.
//! PRO-1 (another agency's row only at the client's direction), PRO-2 (a correction adds a row
//! and end-dates the old one where the plan allows), PRO-3 (a client note says what was
//! corrected), PRO-4 (the entering agency is told and end-dates its row), PLAN-1, AUD-1, LOCK-1.
use chrono::NaiveDate;
use entities::profile_rows;
use sea_orm::Set;
use serde_json::{Value, json};
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use super::notes::{self, NoteView, require_version, visible_client};
use super::notifications::{self, Message, Outgoing, Recipient};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::actions::{RecordAction, RecordFacts};
use crate::policy::records::{self, Element, Field, FieldValue, Provenance};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page};
use crate::values::TypedValue;
use crate::webhooks::{Subject, WebhookEvent};

const MAX_VALUE_CHARS: usize = 500;
/// A monthly amount above this is a typing error, not an income.
const MAX_MONTHLY_AMOUNT: f64 = 1_000_000.0;

/// The field of `element` called `name`, or a validation error naming the fields it has.
pub fn field_of(element: Element, input: &'static str, name: &str) -> DomainResult<&'static Field> {
    element.field(name).ok_or_else(|| {
        let names: Vec<&str> = element.fields().iter().map(|f| f.name).collect();
        DomainError::validation(
            input,
            format!(
                "{} has no field {name}; its fields are {}",
                element.key(),
                names.join(", ")
            ),
        )
    })
}

/// An answer, checked against what its field takes; returned as it is stored.
pub fn parse_value(field: &Field, input: &'static str, raw: &str) -> DomainResult<String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(DomainError::validation(input, "enter a value"));
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(DomainError::validation(
            input,
            format!("keep a value to {MAX_VALUE_CHARS} characters"),
        ));
    }
    match field.value {
        FieldValue::Phone => {
            let digits = value.chars().filter(char::is_ascii_digit).count();
            if !(7..=20).contains(&digits) {
                return Err(DomainError::validation(
                    input,
                    "a phone number has 7 to 20 digits",
                ));
            }
        }
        FieldValue::Email => {
            let well_formed = value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.contains('@')
            }) && !value.contains(char::is_whitespace);
            if !well_formed {
                return Err(DomainError::validation(
                    input,
                    "enter an email address such as name@example.org",
                ));
            }
        }
        FieldValue::Code(codes) => {
            let code = value
                .parse::<i16>()
                .ok()
                .filter(|c| codes.iter().any(|(hud, _)| hud == c));
            return match code {
                Some(code) => Ok(code.to_string()),
                None => {
                    let allowed: Vec<String> = codes
                        .iter()
                        .map(|(code, meaning)| format!("{code} ({meaning})"))
                        .collect();
                    Err(DomainError::validation(
                        input,
                        format!(
                            "{} takes one of the HUD codes {}",
                            field.label,
                            allowed.join(", ")
                        ),
                    ))
                }
            };
        }
        FieldValue::Money => return parse_amount(field, input, value),
        FieldValue::Text => {}
    }
    Ok(value.to_owned())
}

/// Dollars and cents, e.g. `1250` or `1250.50`, stored with two decimals.
fn parse_amount(field: &Field, input: &'static str, value: &str) -> DomainResult<String> {
    let well_formed = value
        .split_once('.')
        .is_none_or(|(_, cents)| (1..=2).contains(&cents.len()))
        && value.chars().all(|c| c.is_ascii_digit() || c == '.');
    match value.parse::<f64>() {
        Ok(amount) if well_formed && (0.0..MAX_MONTHLY_AMOUNT).contains(&amount) => {
            Ok(format!("{amount:.2}"))
        }
        _ => Err(DomainError::validation(
            input,
            format!(
                "{} is a monthly amount in dollars and cents, such as 1250 or 1250.50",
                field.label
            ),
        )),
    }
}

/// A stored answer of `field` as what it is: a HUD code with its meaning, an amount in cents,
/// or text.
pub fn typed_value(field: &Field, value: &str) -> TypedValue {
    match field.value {
        FieldValue::Code(_) => match value.parse::<i16>() {
            Ok(code) => TypedValue::Code {
                code,
                label: value_label(field, value),
            },
            Err(_) => TypedValue::Text(value.to_owned()),
        },
        FieldValue::Money => match cents(value) {
            Some(cents) => TypedValue::Money { cents },
            None => TypedValue::Text(value.to_owned()),
        },
        FieldValue::Text | FieldValue::Phone | FieldValue::Email => {
            TypedValue::Text(value.to_owned())
        }
    }
}

/// "1250.50" (as `parse_amount` stores amounts) in cents.
fn cents(amount: &str) -> Option<i64> {
    let (dollars, fraction) = amount.split_once('.').unwrap_or((amount, "00"));
    if fraction.len() != 2 {
        return None;
    }
    let dollars: i64 = dollars.parse().ok()?;
    let fraction: i64 = fraction.parse().ok()?;
    dollars.checked_mul(100)?.checked_add(fraction)
}

/// What a stored answer means, for a HUD code ("Yes", "Place not meant for habitation").
pub fn value_label(field: &Field, value: &str) -> Option<&'static str> {
    let FieldValue::Code(codes) = field.value else {
        return None;
    };
    let code = value.parse::<i16>().ok()?;
    codes
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, meaning)| *meaning)
}

/// The element and field a stored row answers.
fn element_of(row: &profile_rows::Model) -> DomainResult<(Element, &'static Field)> {
    Element::by_key(&row.element)
        .and_then(|element| Some((element, element.field(&row.kind)?)))
        .ok_or_else(|| {
            DomainError::internal(anyhow::anyhow!("a row of an unknown element or field"))
        })
}

/// What the rules need to know about a row.
pub(super) fn facts(row: &profile_rows::Model) -> DomainResult<RecordFacts> {
    let (element, _) = element_of(row)?;
    Ok(RecordFacts::ProfileRow {
        element,
        entered: entered(row),
    })
}

fn entered(row: &profile_rows::Model) -> Provenance {
    Provenance {
        user: row.created_by_user,
        agency: row.created_by_agency,
    }
}

fn shown(row: &profile_rows::Model) -> Value {
    json!({ "version": row.version, "value": row.value, "startDate": row.start_date, "endDate": row.end_date })
}

/// A row as one viewer may see it, with what that viewer may do to it.
pub struct ProfileRowView {
    pub row: profile_rows::Model,
    pub element: Element,
    pub field: &'static Field,
    pub access: Vec<(&'static str, Decision)>,
    pub plan_version: i32,
}

impl ProfileRowView {
    fn new(ctx: &RecordCtx, row: profile_rows::Model) -> DomainResult<Self> {
        let (element, field) = element_of(&row)?;
        let facts = facts(&row)?;
        // The hint assumes the console will ask for the client's direction and the note, so
        // its rule (PRO-1 or PRO-2) tells the console whether it must.
        let correct = ctx.decide(RecordAction::CorrectProfileRowAtClientDirection, &facts);
        Ok(Self {
            element,
            field,
            access: vec![
                ("correct", correct),
                (
                    "endDate",
                    ctx.decide(RecordAction::EndDateProfileRow, &facts),
                ),
            ],
            plan_version: ctx.plan_version,
            row,
        })
    }

    /// What the stored answer means, for a HUD code.
    pub fn value_label(&self) -> Option<&'static str> {
        value_label(self.field, &self.row.value)
    }

    /// The answer as what it is.
    pub fn typed_value(&self) -> TypedValue {
        typed_value(self.field, &self.row.value)
    }
}

pub struct NewProfileRow {
    pub element: Element,
    pub client_id: Uuid,
    /// The name of one of the element's fields (`PHONE`, `TOTAL_MONTHLY_INCOME`, …).
    pub field: String,
    pub value: String,
    pub start_date: NaiveDate,
}

fn new_row(
    ctx: &RecordCtx,
    client_id: Uuid,
    (element, field): (Element, &Field),
    value: String,
    start_date: NaiveDate,
) -> profile_rows::ActiveModel {
    let by = ctx.stamp();
    profile_rows::ActiveModel {
        tenant_id: Set(ctx.tenant()),
        id: Set(Uuid::now_v7()),
        client_id: Set(client_id),
        element: Set(element.key().to_owned()),
        kind: Set(field.name.to_owned()),
        value: Set(value),
        start_date: Set(start_date),
        end_date: Set(None),
        at_client_direction: Set(false),
        corrects_row_id: Set(None),
        created_by_user: Set(by.user),
        created_by_agency: Set(by.agency),
        created_at: Set(ctx.now),
        updated_by_user: Set(by.user),
        updated_by_agency: Set(by.agency),
        updated_at: Set(ctx.now),
        version: Set(1),
    }
}

pub async fn add(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: NewProfileRow,
) -> DomainResult<ProfileRowView> {
    const ACTION: &str = "profile.add";
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let client = visible_client(&ctx, state, input.client_id, ACTION).await?;
    ctx.require(
        state,
        ACTION,
        client.id,
        records::collect(input.element, ctx.plan()),
    )
    .await?;
    let field = field_of(input.element, "field", &input.field)?;
    let value = parse_value(field, "value", &input.value)?;
    let row = store::profile::insert(
        ctx.tx(),
        new_row(
            &ctx,
            client.id,
            (input.element, field),
            value,
            input.start_date,
        ),
    )
    .await?;
    ctx.audit_write(
        ACTION,
        row.id,
        json!({ "client_id": client.id, "element": row.element, "kind": row.kind, "before": null, "after": shown(&row) }),
    )
    .await?;
    ctx.emit(
        WebhookEvent::ClientChanged,
        client.id,
        Subject::Client(client.id),
    )
    .await?;
    let view = ProfileRowView::new(&ctx, row)?;
    ctx.commit().await?;
    Ok(view)
}

/// A client's rows of `element` this viewer may see (PLAN-1), current and ended.
/// A page of a client's rows of `element` that the viewer may see (PLAN-1), current and
/// ended, in the order they were entered.
pub async fn list(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    element: Element,
    window: Window,
) -> DomainResult<Page<ProfileRowView>> {
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    let client = visible_client(&ctx, state, client_id, "profile.list").await?;
    let actor = ctx.actor();
    let rows = store::profile::for_client(ctx.tx(), ctx.tenant(), client.id, element.key())
        .await?
        .into_iter()
        .filter(|r| records::read(&actor, element, &entered(r), ctx.plan()).allowed)
        .map(|r| ProfileRowView::new(&ctx, r))
        .collect::<DomainResult<Vec<_>>>()?;
    ctx.commit().await?;
    Ok(Page::of_list(rows, window, |v| v.row.id))
}

/// A row of `element` the viewer may see (PLAN-1), with its client. A row of another element
/// is not found: each element's API acts on its own rows only.
async fn visible_row(
    ctx: &RecordCtx,
    state: &AppState,
    action: &str,
    (id, element): (Uuid, Element),
) -> DomainResult<(profile_rows::Model, entities::clients::Model)> {
    let row = store::profile::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .filter(|row| row.element == element.key())
        .ok_or(DomainError::NotFound(element.record_noun()))?;
    // An action on a row is decided by the row's own read rule, as `explain` decides it,
    // not by whether the client's demographics are shared.
    ctx.require(
        state,
        action,
        row.id,
        records::read(&ctx.actor(), element, &entered(&row), ctx.plan()),
    )
    .await?;
    let client = ctx.client(row.client_id).await?;
    Ok((row, client))
}

pub struct Correction {
    pub row_id: Uuid,
    /// The element the row answers, as the caller's API names it.
    pub element: Element,
    pub expected_version: i32,
    pub new_value: String,
    pub start_date: NaiveDate,
    /// PRO-1: the client directed the change (recorded on the new row).
    pub at_client_direction: bool,
    /// PRO-3: written as a client note in the same transaction.
    pub correction_note: Option<String>,
}

pub struct CorrectionOutcome {
    /// The new row (PRO-2).
    pub row: ProfileRowView,
    /// The row it corrects, end-dated when the corrector's agency entered it.
    pub corrected: ProfileRowView,
    pub note: Option<NoteView>,
    /// PRO-4: the entering agency's administrators were told.
    pub entering_agency_notified: bool,
}

/// The audited name of a correction.
const CORRECT: &str = "profile.correct";

/// The action's decision as `explain` and `access` give it (at the client's direction, with
/// the note), then what this request actually brings: its direction and its note.
async fn decide_correction(
    ctx: &RecordCtx,
    state: &AppState,
    old: &profile_rows::Model,
    input: &Correction,
    note_given: bool,
) -> DomainResult<records::ProfileCorrection> {
    let asked = ctx.decide(
        RecordAction::CorrectProfileRowAtClientDirection,
        &facts(old)?,
    );
    ctx.require(state, CORRECT, old.id, asked).await?;
    let decision = records::correct_profile(
        &ctx.actor(),
        &entered(old),
        ctx.plan(),
        input.at_client_direction,
        note_given,
    );
    ctx.require(state, CORRECT, old.id, decision.decision.clone())
        .await?;
    Ok(decision)
}

/// PRO-2: the old row is end-dated here where the plan lets the corrector (its own row, or
/// any at the client's direction); otherwise it stays open for its agency to end-date
/// (PRO-4). It ends where the new row starts, never before it began.
async fn end_old_row(
    ctx: &RecordCtx,
    state: &AppState,
    old: &profile_rows::Model,
    new_start: NaiveDate,
    expected_version: i32,
) -> DomainResult<()> {
    let end = new_start.max(old.start_date);
    let written = store::profile::set_end_date(
        ctx.tx(),
        ctx.tenant(),
        old.id,
        old.version,
        end,
        ctx.stamp(),
        ctx.now,
    )
    .await?;
    if !written {
        let conflict = lost_race(ctx, old.id, expected_version).await;
        return Err(ctx.refuse_stale(state, CORRECT, old.id, conflict).await);
    }
    Ok(())
}

pub async fn correct(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: Correction,
) -> DomainResult<CorrectionOutcome> {
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let (old, client) = visible_row(&ctx, state, CORRECT, (input.row_id, input.element)).await?;
    ctx.require(
        state,
        CORRECT,
        old.id,
        records::collect(input.element, ctx.plan()),
    )
    .await?;
    let note = input
        .correction_note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| notes::parse_body("correctionNote", n))
        .transpose()?;
    let decision = decide_correction(&ctx, state, &old, &input, note.is_some()).await?;
    require_version(
        &ctx,
        state,
        CORRECT,
        old.id,
        input.expected_version,
        old.version,
        || shown(&old),
    )
    .await?;
    let (element, field) = element_of(&old)?;
    let value = parse_value(field, "newValue", &input.new_value)?;

    let mut row = new_row(&ctx, client.id, (element, field), value, input.start_date);
    row.at_client_direction = Set(input.at_client_direction);
    row.corrects_row_id = Set(Some(old.id));
    let row = store::profile::insert(ctx.tx(), row).await?;

    if decision.may_end_date_old_row && old.end_date.is_none() {
        end_old_row(&ctx, state, &old, input.start_date, input.expected_version).await?;
    }
    let note = match note {
        Some(body) => Some(notes::insert(&ctx, client.id, body).await?),
        None => None,
    };
    if decision.notify_entering_agency {
        notifications::send(
            ctx.tx(),
            ctx.tenant(),
            Outgoing {
                to: Recipient::Agency(old.created_by_agency),
                hmis_number: &client.hmis_number,
                message: Message::ProfileCorrected { field },
                case_id: None,
            },
            ctx.now,
        )
        .await?;
    }
    let corrected = store::profile::get(ctx.tx(), ctx.tenant(), old.id)
        .await?
        .ok_or(DomainError::NotFound(element.record_noun()))?;
    ctx.audit_write(
        CORRECT,
        row.id,
        json!({
            "client_id": client.id,
            "element": row.element,
            "kind": row.kind,
            "rule": decision.decision.rule,
            "plan_version": ctx.plan_version,
            "corrects_row_id": old.id,
            "at_client_direction": input.at_client_direction,
            "before": shown(&old),
            "after": { "new_row": shown(&row), "corrected_row": shown(&corrected) },
            "note_id": note.as_ref().map(|n| n.id),
            "notified_agency": decision.notify_entering_agency.then_some(old.created_by_agency),
        }),
    )
    .await?;
    ctx.emit(
        WebhookEvent::ClientChanged,
        client.id,
        Subject::Client(client.id),
    )
    .await?;
    let outcome = CorrectionOutcome {
        row: ProfileRowView::new(&ctx, row)?,
        corrected: ProfileRowView::new(&ctx, corrected)?,
        note: note.map(|n| NoteView::new(&ctx, n)),
        entering_agency_notified: decision.notify_entering_agency,
    };
    ctx.commit().await?;
    Ok(outcome)
}

/// A versioned write lost a race after the check: refuse with what won.
async fn lost_race(ctx: &RecordCtx, id: Uuid, expected_version: i32) -> DomainError {
    match store::profile::get(ctx.tx(), ctx.tenant(), id).await {
        Ok(Some(row)) => DomainError::Conflict {
            message: format!(
                "someone changed this row since you read it (version {expected_version}, now {})",
                row.version
            ),
            current: shown(&row),
        },
        Ok(None) => DomainError::NotFound("answer"),
        Err(e) => e,
    }
}

/// PRO-4: the entering agency (or the Data Center, for its own rows) end-dates a row.
pub async fn end_date(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    (id, element): (Uuid, Element),
    expected_version: i32,
    end_date: NaiveDate,
) -> DomainResult<ProfileRowView> {
    const ACTION: &str = "profile.end_date";
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let (old, client) = visible_row(&ctx, state, ACTION, (id, element)).await?;
    ctx.require(
        state,
        ACTION,
        old.id,
        ctx.decide(RecordAction::EndDateProfileRow, &facts(&old)?),
    )
    .await?;
    require_version(
        &ctx,
        state,
        ACTION,
        old.id,
        expected_version,
        old.version,
        || shown(&old),
    )
    .await?;
    if end_date < old.start_date {
        return Err(DomainError::validation(
            "endDate",
            format!("a row cannot end before it started ({})", old.start_date),
        ));
    }
    let written = store::profile::set_end_date(
        ctx.tx(),
        ctx.tenant(),
        old.id,
        expected_version,
        end_date,
        ctx.stamp(),
        ctx.now,
    )
    .await?;
    if !written {
        let conflict = lost_race(&ctx, old.id, expected_version).await;
        return Err(ctx.refuse_stale(state, ACTION, old.id, conflict).await);
    }
    let row = store::profile::get(ctx.tx(), ctx.tenant(), old.id)
        .await?
        .ok_or(DomainError::NotFound(element.record_noun()))?;
    ctx.audit_write(
        ACTION,
        row.id,
        json!({ "client_id": client.id, "element": row.element, "kind": row.kind, "rule": "PRO-4", "before": shown(&old), "after": shown(&row) }),
    )
    .await?;
    ctx.emit(
        WebhookEvent::ClientChanged,
        client.id,
        Subject::Client(client.id),
    )
    .await?;
    let view = ProfileRowView::new(&ctx, row)?;
    ctx.commit().await?;
    Ok(view)
}

/// PRO-3: the sentence the console pre-fills as the correction's client note.
pub async fn correction_note_draft(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    row: (Uuid, Element),
    new_value: Option<&str>,
) -> DomainResult<String> {
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    let (row, _) = visible_row(&ctx, state, "profile.note_draft", row).await?;
    let (_, field) = element_of(&row)?;
    let own = records::same_party(&ctx.actor(), &entered(&row));
    ctx.commit().await?;
    let new_value = new_value.map(str::trim).filter(|v| !v.is_empty());
    Ok(draft(field, &row.value, new_value, own))
}

fn draft(field: &Field, old: &str, new: Option<&str>, own: bool) -> String {
    let changed = new.map_or_else(
        || format!("{old} is no longer right"),
        |new| format!("{old} replaced by {new}"),
    );
    let direction = if own {
        ""
    } else {
        " at the client's direction"
    };
    format!("Corrected {}{direction}: {changed}.", field.label)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    fn field(element: Element, name: &str) -> &'static Field {
        element.field(name).expect("a field of the element")
    }

    #[test]
    fn a_phone_needs_digits_and_an_email_an_at_sign() {
        let profile = Element::PROFILE_ASSESSMENT;
        assert!(parse_value(field(profile, "PHONE"), "value", "(919) 555-0100").is_ok());
        assert!(parse_value(field(profile, "PHONE"), "value", "call me").is_err());
        assert!(parse_value(field(profile, "EMAIL"), "value", "a@b.org").is_ok());
        assert!(parse_value(field(profile, "EMAIL"), "value", "a b@c").is_err());
        assert!(parse_value(field(profile, "ADDRESS"), "value", "  ").is_err());
    }

    #[test]
    fn a_hud_answer_takes_only_its_fields_codes_or_an_amount() {
        let any = field(Element::INCOME_AND_BENEFITS, "INCOME_FROM_ANY_SOURCE");
        assert_eq!(parse_value(any, "value", " 1 ").ok().as_deref(), Some("1"));
        assert_eq!(parse_value(any, "value", "99").ok().as_deref(), Some("99"));
        let refused = parse_value(any, "value", "2").expect_err("not a HUD code");
        assert!(
            refused.to_string().contains("8 (Client doesn't know)"),
            "{refused}"
        );

        let total = field(Element::INCOME_AND_BENEFITS, "TOTAL_MONTHLY_INCOME");
        assert_eq!(
            parse_value(total, "value", "1250").ok().as_deref(),
            Some("1250.00")
        );
        assert_eq!(
            parse_value(total, "value", "1250.5").ok().as_deref(),
            Some("1250.50")
        );
        for bad in ["-5", "12.345", "1e3", "lots", "2000000"] {
            assert!(parse_value(total, "value", bad).is_err(), "{bad}");
        }
        let situation = field(Element::CURRENT_LIVING_SITUATION, "LIVING_SITUATION");
        assert_eq!(
            value_label(situation, "101"),
            Some("Place not meant for habitation")
        );
        assert!(parse_value(situation, "value", "1").is_err());
        assert!(field_of(Element::HEALTH_INSURANCE, "field", "PHONE").is_err());
    }

    #[test]
    fn pro_3_the_draft_names_the_field_and_the_direction() {
        assert_eq!(
            draft(
                field(Element::PROFILE_ASSESSMENT, "PHONE"),
                "919-555-0100",
                Some("919-555-0199"),
                false
            ),
            "Corrected phone at the client's direction: 919-555-0100 replaced by 919-555-0199."
        );
        assert_eq!(
            draft(
                field(Element::PROFILE_ASSESSMENT, "EMAIL"),
                "a@b.org",
                None,
                true
            ),
            "Corrected email: a@b.org is no longer right."
        );
    }
}
