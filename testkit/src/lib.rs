//! What the API's and the job workers' tests share: fresh databases cloned from one migrated
//! template (`postgres`), the settings of a Concord under test (`settings`), and a CoC built
//! through the domain's own use cases (`community`), so that no test suite copies its setup.
// Test support: a setup that fails is the test failing, with the reason in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod community;
pub mod postgres;
pub mod settings;

pub use community::{Community, Member};

/// Every test person's password.
pub const PASSWORD: &str = "correct horse battery staple 42";
