//! HTTP routes: `/graphql`, `/graphiql` (not in production), health, metrics and the console.
pub mod console;
pub mod graphql;
pub mod health;
pub mod metrics;
