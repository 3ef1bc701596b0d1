//! Builds the application from settings: database (migrated, role checked), shared state,
//! keys, schema, HTTP server and the in-process job workers. Tests call this too.
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tokio::sync::watch;
use tracing_actix_web::TracingLogger;

use crate::graphql::build_schema;
use crate::graphql::platform::ClockControl;
use crate::http::{console, files, graphql, headers, health, metrics};
use crate::telemetry::ConcordRootSpan;
use domain::clock::{Clock, OffsetClock, SystemClock};
use domain::error::StartupError;
use domain::settings::Settings;
use domain::state::{AppState, build_state};

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
    let state = state.clone();
    let workers_stop = until_stopped(stopped.clone());
    let scheduler_stop = until_stopped(stopped);
    let workers = tokio::spawn(async move {
        let backend = match job_storage(&state.db, &state.settings.data_dir).await {
            Ok(backend) => backend,
            Err(error) => {
                tracing::error!(%error, "job storage unavailable; no jobs will run");
                return;
            }
        };
        tokio::spawn(jobs::run_scheduler(
            state.clone(),
            backend.clone(),
            Duration::from_secs(3600),
            scheduler_stop,
        ));
        if let Err(error) = jobs::run_workers(
            state,
            backend,
            jobs::WorkerSettings::default(),
            workers_stop,
        )
        .await
        {
            tracing::error!(%error, "job workers stopped");
        }
    });
    (stop, Some(workers))
}

/// On PostgreSQL the jobs live beside the data; the embedded default keeps them in a SQLite
/// file of their own (`<data dir>/jobs.sqlite`), because SQLite has one writer at a time and
/// the workers' polling would otherwise contend with requests.
async fn job_storage(
    db: &sea_orm::DatabaseConnection,
    data_dir: &std::path::Path,
) -> Result<jobs::Backend, String> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        return jobs::Backend::from_connection(db).map_err(|e| e.to_string());
    }
    let url = format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("jobs.sqlite").display()
    );
    let jobs_db = sea_orm::Database::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    jobs::Backend::from_connection(&jobs_db).map_err(|e| e.to_string())
}

impl Application {
    /// On the system clock, or with `CONCORD_CLOCK=manual` on one the platform administrator
    /// moves forward (`advanceClock`).
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        if settings.manual_clock {
            let clock = Arc::new(OffsetClock::default());
            let control = ClockControl(clock.clone());
            return Self::assemble(settings, clock, Some(control)).await;
        }
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As `build`, reading the time from `clock` (tests move it to reach deadlines).
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        Self::assemble(settings, clock, None).await
    }

    async fn assemble(
        settings: Settings,
        clock: Arc<dyn Clock>,
        control: Option<ClockControl>,
    ) -> Result<Self, StartupError> {
        let state = build_state(settings, clock).await?;
        let listener = TcpListener::bind(state.settings.listen)?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone(), control)?;
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

fn serve(
    listener: TcpListener,
    state: AppState,
    clock: Option<ClockControl>,
) -> Result<Server, StartupError> {
    let settings = state.settings.clone();
    let schema = web::Data::new(build_schema(state.clone(), &settings, clock));
    let metrics = web::Data::new(
        metrics::Metrics::new(&state.db_queries, &state.hasher.work)
            .map_err(|e| StartupError::Setting("metrics", e.to_string()))?,
    );
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        let mut app = App::new()
            .wrap(from_fn(headers::security_headers))
            .wrap(from_fn(metrics::record))
            .wrap(TracingLogger::<ConcordRootSpan>::new())
            .app_data(web::PayloadConfig::new(settings.limits.max_body_bytes))
            .app_data(schema.clone())
            .app_data(state.clone())
            .app_data(metrics.clone())
            .route("/graphql", web::post().to(graphql::graphql))
            .route("/files", web::post().to(files::upload))
            .route("/files/{id}", web::get().to(files::download))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz));
        if settings.metrics_token.is_some() || !settings.is_production() {
            app = app.route("/metrics", web::get().to(metrics::metrics));
        }
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
