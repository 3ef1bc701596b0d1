//! Concord's domain, shared by the API, the job workers and imports: the plan's rules
//! (`policy`, pure and tested without a database), the use cases that ask them (`records`,
//! `tenancy`, `sharing_plan`, `auth`), and the database layer they write through (`store`).
//! Nothing here knows about HTTP or GraphQL.
pub mod audit;
pub mod auth;
pub mod caller;
pub mod cases;
pub mod clock;
pub mod error;
pub mod global_id;
pub mod mail;
pub mod manual_clock;
pub mod messages;
pub mod nodes;
pub mod page;
pub mod policy;
pub mod read_scope;
pub mod records;
pub mod settings;
pub mod shared_state;
pub mod sharing_plan;
pub mod state;
pub mod storage;
pub mod store;
pub mod tenancy;
pub mod values;
pub mod webhooks;
