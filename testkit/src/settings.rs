//! Settings of a Concord under test.
use std::path::PathBuf;

use domain::auth::password::PasswordHashing;
use domain::auth::second_factor::RequiredRoles;
use domain::settings::Settings;
use secrecy::SecretString;
use uuid::Uuid;

use crate::postgres::{OWNER_ROLE, redis_url, url_for};

/// Settings for a Concord on the PostgreSQL `database` (owned by the usual login role) and
/// Redis under a key prefix of its own; an empty name means the embedded default (SQLite in
/// a temporary data directory, no Redis). Workers off, cheap password hashing, port 0.
pub fn test_settings(database: &str) -> Settings {
    let data_dir = std::env::temp_dir().join(format!("concord-test-{}", Uuid::new_v4().simple()));
    let mut settings = Settings::with_data_dir(data_dir);
    settings.listen = "127.0.0.1:0".parse().expect("address");
    if !database.is_empty() {
        settings.database_url = Some(SecretString::from(url_for(OWNER_ROLE, database)));
        settings.redis_url = Some(SecretString::from(redis_url()));
    }
    settings.redis_prefix = format!("concord-test:{}:", Uuid::new_v4().simple());
    settings.run_worker = false;
    settings.console_dir = Some(PathBuf::from("/nonexistent"));
    settings.password_hashing = PasswordHashing::TestOnlyCheap;
    // Tenants made by tests of other rules require no second factor; the second-factor tests
    // put the installation's default back (`RequiredRoles::default_roles`).
    settings.second_factor_roles = RequiredRoles::of([]);
    settings
}
