use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::password::PasswordHasher;
use crate::auth::tokens::TokenKeys;
use crate::records::ssn::SsnCipher;
use crate::settings::Settings;
use crate::shared_state::SharedState;
use crate::storage::Storage;
use crate::store::audit::RefusalLog;

/// Everything a request needs, built once at start-up.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub keys: TokenKeys,
    pub hasher: PasswordHasher,
    pub shared: SharedState,
    pub ssn: SsnCipher,
    pub settings: Arc<Settings>,
    /// Statements sent to the database since start-up.
    pub db_queries: prometheus::IntCounter,
    /// Where attachment bytes live.
    pub storage: Storage,
    /// Where refused actions are audited, apart from the request's own connection.
    pub refusals: RefusalLog,
}
