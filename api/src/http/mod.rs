//! HTTP routes: `/graphql`, `/graphiql` (not in production), `/files` (attachments, streamed),
//! `/oauth/token` (service accounts' client credentials),
//! health, metrics (behind a bearer token, or not at all in production without one), the
//! console, and the security headers on all of them.
pub mod console;
pub mod files;
pub mod graphql;
pub mod headers;
pub mod health;
pub mod metrics;
pub mod oauth;
pub mod session_cookie;
