//! `concord migrate` and `CONCORD_MIGRATE_ON_START=false`: how a deployment with many
//! replicas migrates once, before its processes start (the Helm chart's hook Job), and what a
//! process does when that step has not run.
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use migration::MigratorTrait;
use testkit::postgres::{OWNER_ROLE, create_empty_database, drop_database};
use uuid::Uuid;

use crate::processes::{ConcordProcess, concord};

/// Runs `command` to its end (at most 60 s: a `serve` that should have refused but did not
/// is killed and reported).
fn finish(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start concord");
    let started = Instant::now();
    while child.try_wait().expect("poll concord").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("concord did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("concord's output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_process_that_does_not_migrate_refuses_an_old_schema_until_concord_migrate_has_run() {
    let database = create_empty_database(OWNER_ROLE).await;
    let data_dir = std::env::temp_dir().join(format!("concord-migrate-{}", Uuid::new_v4()));

    let mut serve = concord("serve", &database, &data_dir);
    serve
        .env("CONCORD_MIGRATE_ON_START", "false")
        .env("CONCORD_LISTEN", "127.0.0.1:0");
    let refused = finish(serve);
    assert!(
        !refused.status.success(),
        "a server on an unmigrated schema must not start"
    );
    let said = text(&refused.stderr);
    assert!(
        said.contains("pending") && said.contains("concord migrate"),
        "{said}"
    );

    let first = finish(concord("migrate", &database, &data_dir));
    assert!(first.status.success(), "{}", text(&first.stderr));
    let migrations = migration::Migrator::migrations().len();
    assert!(
        text(&first.stdout).contains(&format!("{migrations} migration(s) applied")),
        "{}",
        text(&first.stdout)
    );
    let again = finish(concord("migrate", &database, &data_dir));
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("0 migration(s) applied"));

    let mut serve = concord("serve", &database, &data_dir);
    serve.env("CONCORD_MIGRATE_ON_START", "false");
    let api = ConcordProcess::serve(serve).await;
    let (status, ready) = api.get("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["migrations"], true);

    drop(api);
    let _ = std::fs::remove_dir_all(&data_dir);
    drop_database(database);
}
