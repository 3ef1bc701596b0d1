//! A page of a keyset-paginated list, as the store reads it and the use cases return it.
/// One page of a keyset-paginated list: rows after the cursor, and whether more follow.
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// `rows` was fetched with `limit + 1` to learn whether another page follows.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u64) -> Self {
        let has_next = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Self { rows, has_next }
    }

    /// The page after `after` of `rows`, a short list already read whole and in id order
    /// (a client's files, conflicts or enrollments).
    pub fn of_list(
        rows: impl IntoIterator<Item = T>,
        after: Option<uuid::Uuid>,
        limit: u64,
        id: impl Fn(&T) -> uuid::Uuid,
    ) -> Self {
        let rows = rows
            .into_iter()
            .filter(|row| after.is_none_or(|after| id(row) > after))
            .take(usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX))
            .collect();
        Self::from_overfetch(rows, limit)
    }
}
