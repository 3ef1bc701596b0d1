//! HTTP routes: `/graphql`, `/graphiql` (not in production), `/files` (attachments, streamed),
//! health, metrics and the console.
pub mod console;
pub mod files;
pub mod graphql;
pub mod health;
pub mod metrics;
