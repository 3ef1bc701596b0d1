//! The console's screens, one per address.

pub mod accept;
pub mod agencies;
pub mod audit;
pub mod case;
pub mod cases;
pub mod client;
pub mod client_files;
pub mod client_records;
pub mod client_rows;
pub mod clients;
pub mod compliance;
pub mod enrol;
pub mod home;
pub mod integrations;
pub mod login;
pub mod not_found;
pub mod notifications;
pub mod people;
pub mod plan;
pub mod signup;
pub mod summary;
