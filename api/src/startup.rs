//! Builds the application from settings: database (migrated, role checked), shared state,
//! keys, schema, HTTP server and the in-process job workers. Tests call this too.
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use secrecy::ExposeSecret;
use tokio::sync::watch;
use tracing_actix_web::TracingLogger;

use crate::auth::password::PasswordHasher;
use crate::auth::tokens::TokenKeys;
use crate::error::StartupError;
use crate::graphql::build_schema;
use crate::http::{console, graphql, health, metrics};
use crate::records::ssn::SsnCipher;
use crate::settings::Settings;
use crate::shared_state::SharedState;
use crate::state::AppState;
use crate::store::connect::connect_and_migrate;
use crate::telemetry::ConcordRootSpan;

pub struct Application {
    port: u16,
    server: Server,
    pub state: AppState,
}

/// Stops the in-process job workers and scheduler when the HTTP server has stopped.
fn spawn_workers(state: &AppState) -> (watch::Sender<bool>, Option<tokio::task::JoinHandle<()>>) {
    let (stop, stopped) = watch::channel(false);
    if !state.settings.run_worker {
        return (stop, None);
    }
    let until_stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    };
    let clock: Arc<dyn jobs::Clock> = Arc::new(jobs::SystemClock);
    let db = state.db.clone();
    let workers_clock = clock.clone();
    let workers_stop = until_stopped(stopped.clone());
    let workers = tokio::spawn(async move {
        if let Err(error) = jobs::run_workers(
            db,
            workers_clock,
            jobs::WorkerSettings::default(),
            workers_stop,
        )
        .await
        {
            tracing::error!(%error, "job workers stopped");
        }
    });
    tokio::spawn(jobs::run_scheduler(
        state.db.clone(),
        clock,
        Duration::from_secs(3600),
        until_stopped(stopped),
    ));
    (stop, Some(workers))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let state = build_state(settings).await?;
        let listener = TcpListener::bind(state.settings.listen)?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone())?;
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The port actually bound (settings may ask for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM (actix drains requests for up to 30 s), then stops the
    /// job workers.
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        let (stop_workers, workers) = spawn_workers(&self.state);
        let served = self.server.await;
        let _ = stop_workers.send(true);
        if let Some(workers) = workers {
            // The workers bound their own wait by their shutdown timeout.
            let _ = workers.await;
        }
        served
    }
}

pub async fn build_state(settings: Settings) -> Result<AppState, StartupError> {
    let db = connect_and_migrate(&settings).await?;
    let shared = SharedState::connect(
        settings.redis_url.as_ref().map(|u| u.expose_secret()),
        &settings.redis_prefix,
    )
    .await?;
    let keys = TokenKeys::load(&settings)?;
    let hasher = PasswordHasher::new().map_err(|e| StartupError::Keys(e.to_string()))?;
    let ssn = SsnCipher::load(settings.ssn_key_file.as_deref(), &settings.data_dir)?;
    Ok(AppState {
        ssn,
        db,
        keys,
        hasher,
        shared,
        settings: Arc::new(settings),
    })
}

fn serve(listener: TcpListener, state: AppState) -> Result<Server, StartupError> {
    let settings = state.settings.clone();
    let schema = web::Data::new(build_schema(state.clone(), &settings));
    let metrics = web::Data::new(
        metrics::Metrics::new().map_err(|e| StartupError::Setting("metrics", e.to_string()))?,
    );
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        let mut app = App::new()
            .wrap(from_fn(metrics::record))
            .wrap(TracingLogger::<ConcordRootSpan>::new())
            .app_data(web::PayloadConfig::new(settings.limits.max_body_bytes))
            .app_data(schema.clone())
            .app_data(state.clone())
            .app_data(metrics.clone())
            .route("/graphql", web::post().to(graphql::graphql))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route("/metrics", web::get().to(metrics::metrics));
        if !settings.is_production() {
            app = app.route("/graphiql", web::get().to(graphql::graphiql));
        }
        match console::files(&settings.console_dir) {
            Some(files) => app.service(files),
            None => app.route("/", web::get().to(console::not_built)),
        }
    })
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}
