//! `concord`: serve (default), `concord worker` (the job workers alone, for deployments that
//! run them apart from the API), `concord migrate` (the migration step alone, before the
//! processes start, for deployments that set `CONCORD_MIGRATE_ON_START=false`),
//! `concord print-schema`, or
//! `concord admin create-platform-admin <email>` (password from `CONCORD_ADMIN_PASSWORD`).
use std::process::ExitCode;
use std::sync::Arc;

use concord_api::startup::Application;
use domain::auth::onboarding::create_platform_admin;
use domain::clock::SystemClock;
use domain::settings::Settings;
use domain::state::build_state;
use domain::store::connect::migrate_only;

/// glibc's allocator kept the 19 MiB Argon2 block of each sign-in after it was freed (with
/// one arena as with many): a hundred sign-ins left the API at 461 MB resident, ten at 226 MB
/// (issue 13's benchmark). mimalloc gives such blocks back: ten sign-ins leave it at 64 MB,
/// thirty at once at 83 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    concord_api::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("concord: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[&str]) -> Result<(), String> {
    match args {
        [] | ["serve"] => serve().await,
        ["worker"] => worker().await,
        ["migrate"] => {
            let settings = Settings::from_env().map_err(|e| e.to_string())?;
            let applied = migrate_only(&settings).await.map_err(|e| e.to_string())?;
            println!("concord migrate: {applied} migration(s) applied; the schema is current");
            Ok(())
        }
        ["print-schema"] => {
            print!("{}", concord_api::graphql::sdl());
            Ok(())
        }
        ["admin", "create-platform-admin", email] => {
            let password = std::env::var("CONCORD_ADMIN_PASSWORD").map_err(|_| {
                "set CONCORD_ADMIN_PASSWORD to the new administrator's password".to_owned()
            })?;
            let settings = Settings::from_env().map_err(|e| e.to_string())?;
            let state = build_state(settings, Arc::new(SystemClock))
                .await
                .map_err(|e| e.to_string())?;
            let id = create_platform_admin(&state, email, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!("platform administrator {id} created");
            Ok(())
        }
        _ => Err(
            "usage: concord [serve | worker | migrate | print-schema | admin create-platform-admin <email>]"
                .into(),
        ),
    }
}

async fn serve() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let embedded = settings.database_url.is_none();
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    let address = app.state.settings.listen;
    let url = format!("http://{}:{}/", address.ip(), app.port());
    tracing::info!(%url, embedded, "Concord is listening");
    println!(
        "Concord is running at {url} ({})",
        if embedded {
            "embedded SQLite"
        } else {
            "PostgreSQL"
        }
    );
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// The job workers and their scheduler, without the HTTP server, until SIGINT or SIGTERM.
async fn worker() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let state = concord_api::startup::worker_state(settings)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("Concord's job workers are running");
    jobs::run_node(state, stop_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
