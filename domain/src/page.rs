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
}
