//! Author-only deletion (`NOTE-*`).
use uuid::Uuid;

use super::*;

/// `NOTE-1`: only the author edits or deletes a client note.
pub fn change_note(viewer: &Actor, author: Uuid) -> Decision {
    if viewer.user_id == author {
        Decision::allow("NOTE-1")
    } else {
        Decision::refuse(
            "NOTE-1",
            "notes are never deleted or edited except by their author",
        )
    }
}
