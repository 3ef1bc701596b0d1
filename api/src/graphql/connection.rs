//! Relay cursor connections over keyset pages (`id > cursor`, ids are time-ordered UUIDv7).
use std::convert::Infallible;

use async_graphql::OutputType;
use async_graphql::connection::{Connection, CursorType, Edge, OpaqueCursor};
use uuid::Uuid;

use domain::error::{DomainError, DomainResult};
use domain::page::Page;

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

pub type Cursor = OpaqueCursor<Uuid>;

/// The page size and the id to start after, from `first` and `after`.
pub fn window(first: Option<i32>, after: Option<String>) -> DomainResult<(u64, Option<Uuid>)> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(DomainError::validation(
            "first",
            format!("ask for 1 to {MAX_PAGE} items"),
        ));
    }
    let after = after
        .map(|c| Cursor::decode_cursor(&c).map(|c| c.0))
        .transpose()
        .map_err(|_| DomainError::validation("after", "this cursor is not one Concord gave out"))?;
    Ok((u64::try_from(first).unwrap_or(20), after))
}

pub fn connection<T, N: OutputType>(
    page: Page<T>,
    after: Option<Uuid>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> N,
) -> Connection<Cursor, N> {
    let Ok(connection) = try_connection::<_, _, Infallible>(page, after, id, |row| Ok(node(row)));
    connection
}

/// A connection whose nodes are read from stored rows that may fail to read.
pub fn try_connection<T, N: OutputType, E>(
    page: Page<T>,
    after: Option<Uuid>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> Result<N, E>,
) -> Result<Connection<Cursor, N>, E> {
    let mut connection = Connection::new(after.is_some(), page.has_next);
    for row in page.rows {
        let cursor = OpaqueCursor(id(&row));
        connection.edges.push(Edge::new(cursor, node(row)?));
    }
    Ok(connection)
}

/// Complexity of a list field: its children once per requested item.
pub fn list_complexity(child: usize, first: Option<i32>) -> usize {
    let first = usize::try_from(first.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)).unwrap_or(1);
    first.saturating_mul(child).saturating_add(1)
}
