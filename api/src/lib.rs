//! Concord's API: GraphQL and HTTP over actix-web, mapping requests onto the domain's use
//! cases, and the start-up that wires the domain, the HTTP server and the job workers.
pub mod error;
pub mod graphql;
pub mod http;
pub mod startup;
pub mod telemetry;
