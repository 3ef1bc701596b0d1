//! Use cases on the shared records: each loads the viewer and the plan version in force
//! inside one tenant transaction, asks `policy::records`, writes through `store`, and audits.
pub mod attachments;
pub mod case_managers;
pub mod clients;
pub mod context;
pub mod demographics;
pub mod enrollments;
pub mod explain;
pub mod notes;
pub mod notifications;
pub mod profile;
pub mod provenance;
pub mod search;
pub mod services;
pub mod ssn;
