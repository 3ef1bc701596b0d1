use std::sync::Arc;

use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;

use crate::auth::password::{PasswordHasher, PasswordHashing};
use crate::auth::tokens::TokenKeys;
use crate::clock::Clock;
use crate::error::StartupError;
use crate::mail::Mailer;
use crate::records::ssn::{SsnCipher, rebind_unbound};
use crate::settings::Settings;
use crate::shared_state::SharedState;
use crate::storage::Storage;
use crate::store::audit::RefusalLog;
use crate::store::connect::{connect_and_migrate, connect_refusal_pool};
use crate::store::plans::PlanCache;
use crate::webhooks::WebhookSender;

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
    /// The time every use case reads (never `Utc::now()`), so deadlines can be tested by
    /// moving it.
    pub clock: Arc<dyn Clock>,
    /// Outgoing e-mail; only the outbox's delivery sends.
    pub mailer: Mailer,
    /// Posts webhook deliveries; only the workers' delivery job sends.
    pub webhooks: WebhookSender,
    /// Plan versions already read and parsed (`ReadScope` takes the plan in force from here).
    pub plans: PlanCache,
}

/// Connects (and migrates) the database, checks its roles, and loads keys and storage: what
/// the server, a command-line task and a test all start from.
pub async fn build_state(
    settings: Settings,
    clock: Arc<dyn Clock>,
) -> Result<AppState, StartupError> {
    let db_queries =
        prometheus::IntCounter::new("db_queries_total", "Database statements executed")
            .map_err(|e| StartupError::Setting("metrics", e.to_string()))?;
    let db = connect_and_migrate(&settings, db_queries.clone()).await?;
    let refusals = RefusalLog::new(&db, connect_refusal_pool(&settings).await?);
    let shared = SharedState::connect(
        settings.redis_url.as_ref().map(|u| u.expose_secret()),
        &settings.redis_prefix,
    )
    .await?;
    let keys = TokenKeys::load(&settings)?;
    if settings.is_production() && settings.password_hashing != PasswordHashing::Standard {
        return Err(StartupError::Setting(
            "password_hashing",
            "cheap password hashing is for test suites only".into(),
        ));
    }
    let hasher = PasswordHasher::new(settings.password_hashing)
        .map_err(|e| StartupError::Keys(e.to_string()))?;
    let ssn = SsnCipher::load(settings.ssn_key_file.as_deref(), &settings.data_dir)?;
    let rebound = rebind_unbound(&db, &ssn)
        .await
        .map_err(|e| StartupError::Database(format!("re-sealing SSNs: {e}")))?;
    if rebound > 0 {
        tracing::info!(rebound, "SSN ciphertexts bound to their clients");
    }
    let storage = Storage::from_settings(&settings.storage)?;
    let mailer = Mailer::from_settings(&settings.smtp)?;
    let webhooks = WebhookSender::from_settings(&settings)?;
    Ok(AppState {
        ssn,
        db,
        keys,
        hasher,
        shared,
        storage,
        refusals,
        settings: Arc::new(settings),
        db_queries,
        clock,
        mailer,
        webhooks,
        plans: PlanCache::default(),
    })
}
