//! Client notes (NOTE-1): only the author edits or deletes one; a deleted note is no longer
//! listed but its row is kept.
use async_graphql::ID;
use async_graphql::{Context, InputObject, Object, SimpleObject};
use uuid::Uuid;

use super::access::{Permission, ProvenanceInfo, permissions};
use super::connection::{CountedConnection, connection, window};
use super::{caller, state};
use crate::error::GqlResult;
use domain::records::notes::{self, NoteView};

/// A free-text note on a client's profile, with its author (PROV-1).
#[derive(SimpleObject)]
pub struct ClientNote {
    pub id: ID,
    pub client_id: Uuid,
    pub body: String,
    /// The author; `updated*` is set once the author has edited the note.
    pub provenance: ProvenanceInfo,
    pub version: i32,
    /// `edit` and `delete` (NOTE-1).
    pub access: Vec<Permission>,
}

impl From<NoteView> for ClientNote {
    fn from(view: NoteView) -> Self {
        let n = view.note;
        let edited = n.updated_at != n.created_at;
        Self {
            id: n.id.into(),
            client_id: n.client_id,
            body: n.body,
            provenance: ProvenanceInfo {
                entered_by_user_id: n.author_user_id,
                entered_by_agency_id: n.author_agency_id,
                entered_at: n.created_at,
                updated_by_user_id: edited.then_some(n.author_user_id),
                updated_by_agency_id: if edited { n.author_agency_id } else { None },
                updated_at: edited.then_some(n.updated_at),
            },
            version: n.version,
            access: permissions(view.plan_version, view.access),
        }
    }
}

#[derive(Default)]
pub struct NotesQuery;

#[Object]
impl NotesQuery {
    /// A client's notes that the viewer may see under the plan, newest first.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn client_notes(
        &self,
        ctx: &Context<'_>,
        client_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<ClientNote>> {
        let window = window(ctx, first, after, last, before)?;
        let page = notes::page(state(ctx)?, caller(ctx)?, client_id, window).await?;
        Ok(connection(page, |n| n.note.id, ClientNote::from))
    }
}

#[derive(InputObject)]
pub struct AddClientNoteInput {
    pub client_id: Uuid,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct AddClientNotePayload {
    pub note: ClientNote,
}

#[derive(InputObject)]
pub struct EditClientNoteInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct EditClientNotePayload {
    pub note: ClientNote,
}

#[derive(InputObject)]
pub struct DeleteClientNoteInput {
    pub id: Uuid,
    /// The version read (LOCK-1).
    pub expected_version: i32,
}

#[derive(SimpleObject)]
pub struct DeleteClientNotePayload {
    pub deleted_id: Uuid,
}

#[derive(Default)]
pub struct NotesMutation;

#[Object]
impl NotesMutation {
    async fn add_client_note(
        &self,
        ctx: &Context<'_>,
        input: AddClientNoteInput,
    ) -> GqlResult<AddClientNotePayload> {
        let user = caller(ctx)?;
        let note = notes::add(state(ctx)?, user, input.client_id, &input.body).await?;
        Ok(AddClientNotePayload { note: note.into() })
    }

    /// NOTE-1: the author only.
    async fn edit_client_note(
        &self,
        ctx: &Context<'_>,
        input: EditClientNoteInput,
    ) -> GqlResult<EditClientNotePayload> {
        let user = caller(ctx)?;
        let (id, version) = (input.id, input.expected_version);
        let note = notes::edit(state(ctx)?, user, id, version, &input.body).await?;
        Ok(EditClientNotePayload { note: note.into() })
    }

    /// NOTE-1: the author only. Returns the deleted note's id.
    async fn delete_client_note(
        &self,
        ctx: &Context<'_>,
        input: DeleteClientNoteInput,
    ) -> GqlResult<DeleteClientNotePayload> {
        let user = caller(ctx)?;
        let deleted_id = notes::delete(state(ctx)?, user, input.id, input.expected_version).await?;
        Ok(DeleteClientNotePayload { deleted_id })
    }
}
