//! Use cases on the shared records: each loads the viewer and the plan version in force
//! inside one tenant transaction, asks `policy::records`, writes through `store`, and audits.
pub mod clients;
pub mod context;
pub mod demographics;
pub mod ssn;
