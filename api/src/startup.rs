//! Builds the application from settings: database (migrated, role checked), shared state,
//! keys, schema, HTTP server and the in-process job workers. Tests call this too.
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tokio::sync::watch;
use tracing_actix_web::TracingLogger;

use crate::graphql::build_schema;
use crate::graphql::platform::ClockControl;
use crate::http::{console, files, graphql, headers, health, metrics, oauth};
use crate::telemetry::ConcordRootSpan;
use domain::clock::{Clock, OffsetClock, SystemClock};
use domain::error::StartupError;
use domain::manual_clock;
use domain::settings::Settings;
use domain::state::{AppState, build_state};

pub struct Application {
    port: u16,
    server: Server,
    pub state: AppState,
}

/// The in-process worker node (the embedded default), stopped when the HTTP server has
/// stopped.
fn spawn_workers(state: &AppState) -> (watch::Sender<bool>, Option<tokio::task::JoinHandle<()>>) {
    let (stop, mut stopped) = watch::channel(false);
    if !state.settings.run_worker {
        return (stop, None);
    }
    let state = state.clone();
    let workers = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stopped| *stopped).await;
        };
        if let Err(error) = jobs::run_node(state, shutdown).await {
            tracing::error!(%error, "job workers stopped");
        }
    });
    (stop, Some(workers))
}

/// The state of a process that runs the job workers alone (`concord worker`): the same
/// database, clock and mailer as the API's.
pub async fn worker_state(settings: Settings) -> Result<AppState, StartupError> {
    if !settings.manual_clock {
        return build_state(settings, Arc::new(SystemClock)).await;
    }
    let clock = Arc::new(OffsetClock::default());
    let state = build_state(settings, clock.clone()).await?;
    follow_manual_clock(&state, clock).await?;
    Ok(state)
}

/// A manual clock starts where the shared one stands, then follows it.
async fn follow_manual_clock(
    state: &AppState,
    clock: Arc<OffsetClock>,
) -> Result<(), StartupError> {
    manual_clock::catch_up(state, &clock)
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?;
    tokio::spawn(manual_clock::follow(state.clone(), clock));
    Ok(())
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
        if let Some(ClockControl(clock)) = &control {
            follow_manual_clock(&state, clock.clone()).await?;
        }
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
            .route("/oauth/token", web::post().to(oauth::token))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz));
        if settings.metrics_token.is_some() || !settings.is_production() {
            app = app.route("/metrics", web::get().to(metrics::metrics));
        }
        if !settings.is_production() {
            app = app.route("/graphiql", web::get().to(graphql::graphiql));
        }
        match settings.console_dir.as_deref() {
            Some(dir) => match console::files(dir) {
                Some(files) => app.service(files),
                None => app.route("/", web::get().to(console::not_built)),
            },
            None if console::embedded() => {
                app.route("/{path:.*}", web::get().to(console::embedded_file))
            }
            None => app.route("/", web::get().to(console::not_built)),
        }
    })
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}
