//! Keyset pages of a list, as the store reads them and the use cases return them: which part of
//! the list a caller asks for (`Window`) and what it gets (`Page`).
use uuid::Uuid;

/// Which way a page runs from its cursor, in the list's own order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The rows after the cursor (Relay's `first`/`after`).
    Forward,
    /// The rows just before the cursor (Relay's `last`/`before`).
    Backward,
}

/// The part of a list a caller asks for: at most `limit` rows after (or before) the row whose
/// id is `cursor`, or from the list's start (or end) without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub limit: u64,
    pub cursor: Option<Uuid>,
    pub direction: Direction,
    /// Whether the whole list's length is wanted too; counting costs a query, so only when
    /// asked for.
    pub count: bool,
}

impl Window {
    /// The first `limit` rows after `cursor`.
    pub fn after(cursor: Option<Uuid>, limit: u64) -> Self {
        Self {
            limit,
            cursor,
            direction: Direction::Forward,
            count: false,
        }
    }

    /// The last `limit` rows before `cursor`.
    pub fn before(cursor: Option<Uuid>, limit: u64) -> Self {
        Self {
            direction: Direction::Backward,
            ..Self::after(cursor, limit)
        }
    }

    /// The one row that has `id`, in a list in ascending (`true`) or descending id order: the
    /// first row after the id just before it. Keyset lists hold no row between the two.
    pub fn only(id: Uuid, ascending: bool) -> Self {
        let before = if ascending {
            id.as_u128().wrapping_sub(1)
        } else {
            id.as_u128().wrapping_add(1)
        };
        Self::after(Some(Uuid::from_u128(before)), 1)
    }

    pub fn counted(self, count: bool) -> Self {
        Self { count, ..self }
    }

    pub fn is_backward(&self) -> bool {
        self.direction == Direction::Backward
    }

    /// How many rows to read: one more than the page, to learn whether the list goes on.
    pub fn overfetch(&self) -> u64 {
        self.limit.saturating_add(1)
    }
}

/// How a list is sorted: by one of its fields (`F`, each list's own), ascending or descending.
/// Rows with the same value keep their creation order (ids are time-ordered), so that every
/// row has one place and a cursor one meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort<F> {
    pub by: F,
    pub descending: bool,
}

impl<F> Sort<F> {
    pub fn ascending(by: F) -> Self {
        Self {
            by,
            descending: false,
        }
    }

    pub fn descending(by: F) -> Self {
        Self {
            by,
            descending: true,
        }
    }
}

/// What a person asks of a list: which rows (`filter`, each list's own) in which order.
#[derive(Clone, Debug, Default)]
pub struct Listing<Filter, Field> {
    pub filter: Filter,
    pub sort: Sort<Field>,
}

/// Text a list is narrowed to (rows whose name or address holds it), checked once: trimmed,
/// and at most `MAX_CHARS` characters. Empty text narrows nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainsText(String);

impl ContainsText {
    pub const MAX_CHARS: usize = 200;

    /// `None` for empty or blank text; a validation error on `field` when it is too long.
    pub fn parse(
        field: &'static str,
        text: Option<&str>,
    ) -> crate::error::DomainResult<Option<Self>> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if text.chars().count() > Self::MAX_CHARS {
            return Err(crate::error::DomainError::validation(
                field,
                "search with at most 200 characters",
            ));
        }
        Ok(Some(Self(text.to_lowercase())))
    }

    /// The text, lower-cased (lists compare without case).
    pub fn as_lowercase(&self) -> &str {
        &self.0
    }
}

/// One page of a keyset-paginated list, in the list's order.
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub info: PageInfo,
}

/// Where a page lies in its list (Relay's `pageInfo`, and `totalCount`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageInfo {
    /// Rows come before this page (after a cursor, this is assumed rather than read).
    pub has_previous: bool,
    pub has_next: bool,
    /// The whole list's length, when the window asked for it.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// `rows` were read in the window's direction (backward: in reverse list order) with
    /// `window.overfetch()` as the limit.
    pub fn from_overfetch(mut rows: Vec<T>, window: Window) -> Self {
        let more = rows.len() as u64 > window.limit;
        rows.truncate(usize::try_from(window.limit).unwrap_or(usize::MAX));
        let went_past_cursor = window.cursor.is_some();
        match window.direction {
            Direction::Forward => Self {
                rows,
                info: PageInfo {
                    has_previous: went_past_cursor,
                    has_next: more,
                    total: None,
                },
            },
            Direction::Backward => {
                rows.reverse();
                Self {
                    rows,
                    info: PageInfo {
                        has_previous: more,
                        has_next: went_past_cursor,
                        total: None,
                    },
                }
            }
        }
    }

    /// The window's page of `rows`, a short list already read whole in ascending id order (a
    /// client's files, conflicts or enrollments); its length is known, so it is always given.
    pub fn of_list(
        rows: impl IntoIterator<Item = T>,
        window: Window,
        id: impl Fn(&T) -> Uuid,
    ) -> Self {
        let rows: Vec<T> = rows.into_iter().collect();
        let total = rows.len() as u64;
        let in_window: Vec<T> = match window.direction {
            Direction::Forward => rows
                .into_iter()
                .filter(|row| window.cursor.is_none_or(|cursor| id(row) > cursor))
                .take(usize::try_from(window.overfetch()).unwrap_or(usize::MAX))
                .collect(),
            Direction::Backward => rows
                .into_iter()
                .rev()
                .filter(|row| window.cursor.is_none_or(|cursor| id(row) < cursor))
                .take(usize::try_from(window.overfetch()).unwrap_or(usize::MAX))
                .collect(),
        };
        Self::from_overfetch(in_window, window).with_total(Some(total))
    }

    pub fn with_total(self, total: Option<u64>) -> Self {
        Self {
            info: PageInfo { total, ..self.info },
            ..self
        }
    }

    /// The same page with each row turned into another (a view of it, say).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            info: self.info,
        }
    }

    /// A page with nothing in it (the list is empty for this viewer).
    pub fn empty() -> Self {
        Self {
            rows: Vec::new(),
            info: PageInfo {
                has_previous: false,
                has_next: false,
                total: Some(0),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    #[test]
    fn filter_text_is_trimmed_lowercased_and_bounded() {
        assert_eq!(ContainsText::parse("name", Some("   ")).ok(), Some(None));
        assert_eq!(ContainsText::parse("name", None).ok(), Some(None));
        let text = ContainsText::parse("name", Some("  Helping "))
            .ok()
            .flatten();
        assert_eq!(
            text.as_ref().map(ContainsText::as_lowercase),
            Some("helping")
        );
        let long = "é".repeat(ContainsText::MAX_CHARS + 1);
        assert!(matches!(
            ContainsText::parse("name", Some(&long)),
            Err(crate::error::DomainError::Validation { ref field, .. }) if field == "name"
        ));
        let longest = "é".repeat(ContainsText::MAX_CHARS);
        assert!(ContainsText::parse("name", Some(&longest)).is_ok());
    }

    #[test]
    fn a_forward_page_starts_after_its_cursor() {
        let page = Page::of_list(ids(5), Window::after(Some(Uuid::from_u128(2)), 2), |id| *id);
        assert_eq!(page.rows, vec![Uuid::from_u128(3), Uuid::from_u128(4)]);
        assert!(page.info.has_previous && page.info.has_next);
        assert_eq!(page.info.total, Some(5));
    }

    #[test]
    fn a_backward_page_ends_before_its_cursor_in_list_order() {
        let page = Page::of_list(ids(5), Window::before(Some(Uuid::from_u128(4)), 2), |id| {
            *id
        });
        assert_eq!(page.rows, vec![Uuid::from_u128(2), Uuid::from_u128(3)]);
        assert!(page.info.has_previous && page.info.has_next);
        let start = Page::of_list(ids(5), Window::before(Some(Uuid::from_u128(3)), 5), |id| {
            *id
        });
        assert_eq!(start.rows, vec![Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert!(!start.info.has_previous);
    }

    #[test]
    fn the_last_page_without_a_cursor_is_the_lists_end() {
        let page = Page::of_list(ids(5), Window::before(None, 2), |id| *id);
        assert_eq!(page.rows, vec![Uuid::from_u128(4), Uuid::from_u128(5)]);
        assert!(page.info.has_previous && !page.info.has_next);
    }

    #[test]
    fn only_finds_the_one_row_in_either_order() {
        let id = Uuid::from_u128(3);
        let ascending = Page::of_list(ids(5), Window::only(id, true), |id| *id);
        assert_eq!(ascending.rows, vec![id]);
    }
}
