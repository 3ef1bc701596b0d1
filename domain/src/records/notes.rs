//! Client notes: NOTE-1 (only the author edits or deletes; a deletion keeps the row), PLAN-1
//! (visibility), PROV-1 (the author), AUD-1 and LOCK-1.
use entities::{client_notes, clients};
use sea_orm::Set;
use serde_json::{Value, json};
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::actions::{RecordAction, RecordFacts};
use crate::policy::records::{self, Element, Provenance};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::notes::NoteWrite;
use crate::store::{self, Page};

const MAX_BODY_CHARS: usize = 10_000;

/// A note as one viewer may see it, with what that viewer may do to it.
pub struct NoteView {
    pub note: client_notes::Model,
    pub access: Vec<(&'static str, Decision)>,
    pub plan_version: i32,
}

impl NoteView {
    pub(super) fn new(ctx: &RecordCtx, note: client_notes::Model) -> Self {
        let facts = facts(&note);
        Self {
            access: vec![
                ("edit", ctx.decide(RecordAction::EditNote, &facts)),
                ("delete", ctx.decide(RecordAction::DeleteNote, &facts)),
            ],
            plan_version: ctx.plan_version,
            note,
        }
    }
}

/// What the rules need to know about a note.
pub(super) fn facts(note: &client_notes::Model) -> RecordFacts {
    RecordFacts::Note {
        author: author(note),
    }
}

pub(super) fn author(note: &client_notes::Model) -> Provenance {
    Provenance {
        user: note.author_user_id,
        agency: note.author_agency_id,
    }
}

pub fn parse_body(field: &'static str, raw: &str) -> DomainResult<String> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(DomainError::validation(field, "write the note"));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(DomainError::validation(
            field,
            format!("keep a note to {MAX_BODY_CHARS} characters"),
        ));
    }
    Ok(body.to_owned())
}

/// The client a record is written on or read from, if the viewer may see the client at all
/// (DEM-1 / PLAN-1 on its demographics). Shared by the notes and profile use cases.
pub(super) async fn visible_client(
    ctx: &RecordCtx,
    state: &AppState,
    client_id: Uuid,
    action: &str,
) -> DomainResult<clients::Model> {
    let client = ctx.client(client_id).await?;
    let creator = Provenance {
        user: client.created_by_user,
        agency: client.created_by_agency,
    };
    ctx.require(
        state,
        action,
        client.id,
        records::read(
            &ctx.actor(),
            Element::CLIENT_DEMOGRAPHICS,
            &creator,
            ctx.plan(),
        ),
    )
    .await?;
    Ok(client)
}

/// LOCK-1: a stale write is refused with the record as it is now, and the refusal audited.
pub(super) async fn require_version(
    ctx: &RecordCtx,
    state: &AppState,
    action: &str,
    subject: Uuid,
    expected: i32,
    current_version: i32,
    current: impl FnOnce() -> Value,
) -> DomainResult<()> {
    let decision = records::check_version(expected, current_version);
    if decision.allowed {
        return Ok(());
    }
    let conflict = DomainError::Conflict {
        message: decision.reason,
        current: current(),
    };
    Err(ctx.refuse_stale(state, action, subject, conflict).await)
}

fn shown(note: &client_notes::Model) -> Value {
    json!({ "version": note.version, "body": note.body, "updatedAt": note.updated_at })
}

/// Writes a note inside the caller's transaction (also the PRO-3 note of a correction and the
/// DEM-4 note of an escalated conflict).
pub(crate) async fn insert(
    ctx: &RecordCtx,
    client_id: Uuid,
    body: String,
) -> DomainResult<client_notes::Model> {
    let by = ctx.stamp();
    let note = store::notes::insert(
        ctx.tx(),
        client_notes::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(Uuid::now_v7()),
            client_id: Set(client_id),
            body: Set(body),
            author_user_id: Set(by.user),
            author_agency_id: Set(by.agency),
            created_at: Set(ctx.now),
            updated_at: Set(ctx.now),
            deleted_at: Set(None),
            version: Set(1),
        },
    )
    .await?;
    ctx.audit_write(
        "note.add",
        note.id,
        json!({ "client_id": client_id, "before": null, "after": { "body": note.body } }),
    )
    .await?;
    Ok(note)
}

pub async fn add(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    body: &str,
) -> DomainResult<NoteView> {
    let ctx = RecordCtx::begin(state, caller, Scope::NotesWrite).await?;
    let client = visible_client(&ctx, state, client_id, "note.add").await?;
    let note = insert(&ctx, client.id, parse_body("body", body)?).await?;
    let view = NoteView::new(&ctx, note);
    ctx.commit().await?;
    Ok(view)
}

/// A note the viewer may see and may change (PLAN-1, then NOTE-1), at the version they read.
async fn changeable(
    ctx: &RecordCtx,
    state: &AppState,
    decided: RecordAction,
    action: &str,
    id: Uuid,
    expected_version: i32,
) -> DomainResult<client_notes::Model> {
    let note = store::notes::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .ok_or(DomainError::NotFound("note"))?;
    ctx.require(state, action, note.id, ctx.decide(decided, &facts(&note)))
        .await?;
    require_version(
        ctx,
        state,
        action,
        note.id,
        expected_version,
        note.version,
        || shown(&note),
    )
    .await?;
    Ok(note)
}

/// A versioned write lost a race after the check: refuse with what won.
async fn lost_race(ctx: &RecordCtx, id: Uuid, expected_version: i32) -> DomainError {
    match store::notes::get(ctx.tx(), ctx.tenant(), id).await {
        Ok(Some(note)) => DomainError::Conflict {
            message: format!(
                "someone changed this note since you read it (version {expected_version}, now {})",
                note.version
            ),
            current: shown(&note),
        },
        Ok(None) => DomainError::NotFound("note"),
        Err(e) => e,
    }
}

pub async fn edit(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
    expected_version: i32,
    body: &str,
) -> DomainResult<NoteView> {
    let ctx = RecordCtx::begin(state, caller, Scope::NotesWrite).await?;
    let before = changeable(
        &ctx,
        state,
        RecordAction::EditNote,
        "note.edit",
        id,
        expected_version,
    )
    .await?;
    let body = parse_body("body", body)?;
    let written = store::notes::write(
        ctx.tx(),
        ctx.tenant(),
        id,
        expected_version,
        NoteWrite::Body(&body),
        ctx.now,
    )
    .await?;
    if !written {
        let conflict = lost_race(&ctx, id, expected_version).await;
        return Err(ctx.refuse_stale(state, "note.edit", id, conflict).await);
    }
    ctx.audit_write(
        "note.edit",
        id,
        json!({ "client_id": before.client_id, "rule": "NOTE-1", "before": { "body": before.body, "version": before.version }, "after": { "body": body, "version": before.version + 1 } }),
    )
    .await?;
    let note = store::notes::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .ok_or(DomainError::NotFound("note"))?;
    let view = NoteView::new(&ctx, note);
    ctx.commit().await?;
    Ok(view)
}

/// NOTE-1: the author's deletion hides the note; the row stays (the database refuses DELETE).
pub async fn delete(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
    expected_version: i32,
) -> DomainResult<Uuid> {
    let ctx = RecordCtx::begin(state, caller, Scope::NotesWrite).await?;
    let before = changeable(
        &ctx,
        state,
        RecordAction::DeleteNote,
        "note.delete",
        id,
        expected_version,
    )
    .await?;
    let written = store::notes::write(
        ctx.tx(),
        ctx.tenant(),
        id,
        expected_version,
        NoteWrite::Delete,
        ctx.now,
    )
    .await?;
    if !written {
        let conflict = lost_race(&ctx, id, expected_version).await;
        return Err(ctx.refuse_stale(state, "note.delete", id, conflict).await);
    }
    ctx.audit_write(
        "note.delete",
        id,
        json!({ "client_id": before.client_id, "rule": "NOTE-1", "before": { "body": before.body, "version": before.version }, "after": { "deleted_at": ctx.now } }),
    )
    .await?;
    ctx.commit().await?;
    Ok(id)
}

/// The client's notes this viewer may see, newest first.
pub async fn page(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<NoteView>> {
    let ctx = RecordCtx::read(state, caller, Scope::NotesRead).await?;
    let client = visible_client(&ctx, state, client_id, "note.list").await?;
    // The plan's sharing narrows the query; `read` below still decides every row.
    let scope = ctx.narrowed_to(Element::CLIENT_NOTES);
    let page = store::notes::page(ctx.tx(), ctx.tenant(), client.id, scope, window).await?;
    let actor = ctx.actor();
    let rows = page
        .rows
        .into_iter()
        .filter(|n| records::read(&actor, Element::CLIENT_NOTES, &author(n), ctx.plan()).allowed)
        .map(|n| NoteView::new(&ctx, n))
        .collect();
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}
