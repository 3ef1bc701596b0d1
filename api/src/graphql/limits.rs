//! What one request may ask for, beyond the schema's own depth and complexity limits: at most
//! `MAX_TOP_LEVEL_FIELDS` top-level fields per operation, since each runs a use case of its
//! own (a thousand aliased `me` fields were a thousand transactions, and cost only 2,000 in
//! complexity). Every refusal of a limit carries `extensions.code = "QUERY_LIMIT"` and which
//! limit it was, which async-graphql's own refusals do not.
use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, ValidationResult, Variables};

/// Top-level fields (aliases counted) one operation may ask for. The console's busiest screen,
/// a client's profile, asks for six.
pub const MAX_TOP_LEVEL_FIELDS: usize = 20;

pub struct QueryLimits;

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimits)
    }
}

#[async_trait::async_trait]
impl Extension for QueryLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let widest = operations(&document)
            .into_iter()
            .map(|selection| top_level_fields(&document, selection, &mut HashSet::new()))
            .max()
            .unwrap_or(0);
        if widest > MAX_TOP_LEVEL_FIELDS {
            return Err(refusal(
                format!(
                    "an operation may ask for at most {MAX_TOP_LEVEL_FIELDS} top-level fields \
                     (this one asks for {widest}); split it into several requests"
                ),
                "TOP_LEVEL_FIELDS",
            ));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| match error.message.as_str() {
                    // async-graphql's own words (7.2, validation/mod.rs).
                    "Query is too complex." => refusal(
                        "the request asks for too much at once (complexity over the limit): \
                         ask for smaller pages or fewer fields",
                        "COMPLEXITY",
                    ),
                    "Query is nested too deep." => {
                        refusal("the request is nested too deep", "DEPTH")
                    }
                    _ => error,
                })
                .collect()
        })
    }
}

fn operations(document: &ExecutableDocument) -> Vec<&SelectionSet> {
    match &document.operations {
        DocumentOperations::Single(operation) => vec![&operation.node.selection_set.node],
        DocumentOperations::Multiple(operations) => operations
            .values()
            .map(|operation| &operation.node.selection_set.node)
            .collect(),
    }
}

/// Fields at the top of `selection`, through fragments; a fragment met again (a cycle, which
/// validation refuses later) adds nothing.
fn top_level_fields<'a>(
    document: &'a ExecutableDocument,
    selection: &'a SelectionSet,
    spread: &mut HashSet<&'a str>,
) -> usize {
    selection
        .items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(fragment) => {
                top_level_fields(document, &fragment.node.selection_set.node, spread)
            }
            Selection::FragmentSpread(fragment_spread) => {
                let name = fragment_spread.node.fragment_name.node.as_str();
                match document.fragments.get(name) {
                    Some(fragment) if spread.insert(name) => {
                        top_level_fields(document, &fragment.node.selection_set.node, spread)
                    }
                    _ => 0,
                }
            }
        })
        .sum()
}

fn refusal(message: impl Into<String>, limit: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", "QUERY_LIMIT");
    extensions.set("limit", limit);
    error.extensions = Some(extensions);
    error
}
