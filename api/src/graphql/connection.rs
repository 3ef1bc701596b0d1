//! Relay cursor connections over keyset pages (ids are time-ordered UUIDv7), forward and
//! backward.
use std::convert::Infallible;

use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{Context, InputObject, InputType, Object, ObjectType, OutputType};
use uuid::Uuid;

use domain::error::{DomainError, DomainResult};
use domain::page::{Page, Sort, Window};

use super::enums::{
    AgencyOrderField, InvitationOrderField, OrderDirection, ProjectOrderField, UserOrderField,
};

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

pub type Cursor = OpaqueCursor<Uuid>;

/// The window a client asks for with Relay's arguments: `first` rows `after` a cursor, or the
/// `last` rows `before` one. `totalCount` is counted only where the query selects it.
pub fn window(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> DomainResult<Window> {
    let cursor = |field: &'static str, given: Option<String>| -> DomainResult<Option<Uuid>> {
        given
            .map(|c| Cursor::decode_cursor(&c).map(|c| c.0))
            .transpose()
            .map_err(|_| DomainError::validation(field, "this cursor is not one Concord gave out"))
    };
    let backward = last.is_some() || before.is_some();
    let window = match (backward, first.is_some() || after.is_some()) {
        (true, true) => {
            return Err(DomainError::validation(
                "last",
                "page forward with first and after, or backward with last and before, not both",
            ));
        }
        (true, false) => Window::before(cursor("before", before)?, page_size("last", last)?),
        (false, _) => Window::after(cursor("after", after)?, page_size("first", first)?),
    };
    Ok(window.counted(ctx.look_ahead().field("totalCount").exists()))
}

/// A window of a ranked list (search hits, best first), whose cursors are positions: the
/// offset of its first row and how many rows. Backward pages need a cursor (`before`): the
/// ranked list's end is not read.
pub fn ranked_window(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> DomainResult<(usize, u64)> {
    let position = |field: &'static str, given: Option<String>| -> DomainResult<Option<usize>> {
        given
            .map(|c| OpaqueCursor::<usize>::decode_cursor(&c).map(|c| c.0))
            .transpose()
            .map_err(|_| DomainError::validation(field, "this cursor is not one Concord gave out"))
    };
    match (
        last.is_some() || before.is_some(),
        first.is_some() || after.is_some(),
    ) {
        (true, true) => Err(DomainError::validation(
            "last",
            "page forward with first and after, or backward with last and before, not both",
        )),
        (true, false) => {
            let before = position("before", before)?.ok_or_else(|| {
                DomainError::validation("before", "page backward from a hit's cursor")
            })?;
            let last = page_size("last", last)?;
            let start = before.saturating_sub(usize::try_from(last).unwrap_or(usize::MAX));
            Ok((start, u64::try_from(before - start).unwrap_or(last)))
        }
        (false, _) => {
            let start = position("after", after)?.map_or(0, |p| p.saturating_add(1));
            Ok((start, page_size("first", first)?))
        }
    }
}

fn page_size(field: &'static str, asked: Option<i32>) -> DomainResult<u64> {
    let asked = asked.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&asked) {
        return Err(DomainError::validation(
            field,
            format!("ask for 1 to {MAX_PAGE} items"),
        ));
    }
    Ok(u64::try_from(asked).unwrap_or(20))
}

/// `totalCount` on a connection: the whole list's length for this viewer, across its pages.
pub struct TotalCount(Option<u64>);

#[Object]
impl TotalCount {
    /// How many items the whole list holds for this viewer, across all its pages.
    async fn total_count(&self) -> async_graphql::Result<i32> {
        let counted = self
            .0
            .ok_or_else(|| async_graphql::Error::new("the list was not counted"))?;
        Ok(i32::try_from(counted).unwrap_or(i32::MAX))
    }
}

/// A cursor connection with `totalCount`.
pub type CountedConnection<N> = Connection<Cursor, N, TotalCount>;

pub fn connection<T, N: OutputType>(
    page: Page<T>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> N,
) -> CountedConnection<N> {
    let Ok(connection) = try_connection::<_, _, Infallible>(page, id, |row| Ok(node(row)));
    connection
}

/// A connection whose nodes are read from stored rows that may fail to read.
pub fn try_connection<T, N: OutputType, E>(
    page: Page<T>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> Result<N, E>,
) -> Result<CountedConnection<N>, E> {
    let total = TotalCount(page.info.total);
    edges(page, id, node, total)
}

/// A connection without `totalCount`, for a list too long to count on every request (the
/// audit log).
pub fn uncounted_connection<T, N: OutputType, E>(
    page: Page<T>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> Result<N, E>,
) -> Result<Connection<Cursor, N>, E> {
    edges(page, id, node, EmptyFields)
}

fn edges<T, N: OutputType, E, Fields: ObjectType>(
    page: Page<T>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> Result<N, E>,
    fields: Fields,
) -> Result<Connection<Cursor, N, Fields>, E> {
    let mut connection =
        Connection::with_additional_fields(page.info.has_previous, page.info.has_next, fields);
    for row in page.rows {
        let cursor = OpaqueCursor(id(&row));
        connection.edges.push(Edge::new(cursor, node(row)?));
    }
    Ok(connection)
}

/// How a list is sorted: by one of its fields, either way. Rows with the same value keep the
/// order they were created in.
#[derive(InputObject)]
#[graphql(
    concrete(name = "AgencyOrder", params(AgencyOrderField)),
    concrete(name = "ProjectOrder", params(ProjectOrderField)),
    concrete(name = "UserOrder", params(UserOrderField)),
    concrete(name = "InvitationOrder", params(InvitationOrderField))
)]
pub struct ListOrder<F: InputType> {
    pub field: F,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl<F: InputType> ListOrder<F> {
    /// The domain's sort, or `default` when the list was not asked to sort.
    pub fn sort<D: From<F>>(given: Option<Self>, default: Sort<D>) -> Sort<D> {
        given.map_or(default, |order| Sort {
            by: order.field.into(),
            descending: order.direction == OrderDirection::Desc,
        })
    }
}

/// Complexity of a list field: its children once per requested item (`first` or `last`).
pub fn list_complexity(child: usize, first: Option<i32>, last: Option<i32>) -> usize {
    let asked = first.or(last).unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    usize::try_from(asked)
        .unwrap_or(1)
        .saturating_mul(child)
        .saturating_add(1)
}
