//! What a person had typed when their session ended under them (it expired or was revoked):
//! kept in this page's memory only, never stored, and put back into the same fields of the
//! same screen when the same person signs in again. Anyone else signing in finds nothing, and
//! signing out on purpose discards it.

use std::collections::HashMap;

use leptos::prelude::*;

#[derive(Default)]
struct Kept {
    /// Whose session ended.
    owner: Option<String>,
    /// Field key (screen address and field id) to what it held.
    fields: HashMap<String, String>,
}

#[derive(Clone, Copy)]
pub struct Drafts(StoredValue<Kept>);

impl Drafts {
    pub fn new() -> Self {
        Self(StoredValue::new(Kept::default()))
    }

    /// `user`'s session has ended: the fields about to close are kept for them.
    pub fn session_ended(&self, user: String) {
        self.0.update_value(|kept| {
            *kept = Kept {
                owner: Some(user),
                fields: HashMap::new(),
            }
        });
    }

    /// A field closing after its session ended.
    pub fn keep(&self, key: String, value: String) {
        if !value.is_empty() {
            self.0.update_value(|kept| {
                kept.fields.insert(key, value);
            });
        }
    }

    /// What the field `key` held for `user`, once; another person's drafts are dropped.
    pub fn take(&self, key: &str, user: &str) -> Option<String> {
        self.0
            .try_update_value(|kept| {
                if kept.owner.as_deref() != Some(user) {
                    kept.fields.clear();
                    return None;
                }
                kept.fields.remove(key)
            })
            .flatten()
    }

    pub fn discard(&self) {
        self.0.update_value(|kept| *kept = Kept::default());
    }
}

#[cfg(test)]
mod tests {
    use super::Drafts;

    #[test]
    fn what_was_typed_goes_back_to_its_owner_once() {
        let drafts = Drafts::new();
        drafts.session_ended("ana".into());
        drafts.keep("/cases/1#attempt-note".into(), "Left a message".into());
        drafts.keep("/cases/1#empty".into(), String::new());
        assert_eq!(drafts.take("/cases/1#empty", "ana"), None);
        assert_eq!(
            drafts.take("/cases/1#attempt-note", "ana").as_deref(),
            Some("Left a message")
        );
        assert_eq!(drafts.take("/cases/1#attempt-note", "ana"), None, "once");
    }

    #[test]
    fn another_person_signing_in_finds_nothing_and_leaves_nothing() {
        let drafts = Drafts::new();
        drafts.session_ended("ana".into());
        drafts.keep("/clients/7#demographic-value".into(), "1981-07-08".into());
        assert_eq!(drafts.take("/clients/7#demographic-value", "ben"), None);
        assert_eq!(drafts.take("/clients/7#demographic-value", "ana"), None);
    }

    #[test]
    fn signing_out_on_purpose_discards_the_drafts() {
        let drafts = Drafts::new();
        drafts.session_ended("ana".into());
        drafts.keep("/plan#x".into(), "typed".into());
        drafts.discard();
        assert_eq!(drafts.take("/plan#x", "ana"), None);
    }
}
