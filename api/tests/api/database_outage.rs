//! The database lost under a write load: requests are answered 503 (`UNAVAILABLE`), not 500
//! and not a hang; `/readyz` says the database is why; Concord recovers within 5 s of the
//! database's return; and every write it acknowledged is there afterwards.
//!
//! The outage is this test's database refusing connections and its sessions being ended
//! (`ALLOW_CONNECTIONS false`, `pg_terminate_backend`), which is what a restart looks like to
//! Concord, without restarting the PostgreSQL the other tests share.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::helpers::{TestApp, admin, spawn_app};

const CREATE: &str = "mutation($i: CreateClientInput!) { createClient(input: $i) { id } }";

async fn create_client(app: &TestApp, token: &str, n: usize) -> (u16, Value) {
    let response = app
        .post(
            json!({ "query": CREATE, "variables": { "i": { "firstName": format!("Client{n}"), "lastName": "Load" } } }),
            Some(token),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn set_reachable(database: &str, reachable: bool) {
    let admin = admin().await;
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS {reachable}"
        ))
        .await
        .expect("alter database");
    if !reachable {
        admin
            .execute_unprepared(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
            ))
            .await
            .expect("end its sessions");
    }
}

#[tokio::test]
async fn a_lost_database_is_answered_503_and_every_acknowledged_write_survives() {
    let app = Arc::new(spawn_app().await);
    let lead = app.sign_up("durham").await;
    let token = lead.token.clone();

    // The write load: clients created one after another until told to stop.
    let acknowledged = Arc::new(Mutex::new(Vec::<Uuid>::new()));
    let answers = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (app, acknowledged, answers, stop, token) = (
            app.clone(),
            acknowledged.clone(),
            answers.clone(),
            stop.clone(),
            token.clone(),
        );
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let (status, body) = create_client(&app, &token, n).await;
                match body["data"]["createClient"]["id"].as_str() {
                    Some(id) => acknowledged.lock().await.push(id.parse().expect("id")),
                    None => {
                        let code = body["errors"][0]["extensions"]["code"]
                            .as_str()
                            .unwrap_or("");
                        answers.lock().await.push((status, code.to_owned()));
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;

    set_reachable(&app.database, false).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let asked = Instant::now();
    let (status, body) = create_client(&app, &lead.token, 0).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{body}"
    );
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "answered, not hung"
    );
    let (status, why) = app.get_json("/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(why["database"], false, "{why}");

    set_reachable(&app.database, true).await;
    let back = Instant::now();
    loop {
        let (status, body) = create_client(&app, &lead.token, 0).await;
        if status == 200 && body["data"]["createClient"]["id"].is_string() {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "not recovered 5 s after the database returned: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    load.await.expect("the load ran");

    // Refused writes were refused as unavailable, never as an internal error.
    for (status, code) in answers.lock().await.iter() {
        assert_eq!((*status, code.as_str()), (503, "UNAVAILABLE"));
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(acknowledged.len() > 5, "the load wrote before and after");
    let db = app.superuser().await;
    let ids: Vec<String> = acknowledged.iter().map(|id| format!("'{id}'")).collect();
    let found = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT count(*) AS n FROM clients WHERE id IN ({})",
                ids.join(",")
            ),
        ))
        .await
        .expect("count")
        .expect("a row");
    let n: i64 = found.try_get("", "n").expect("n");
    assert_eq!(
        usize::try_from(n).unwrap_or(0),
        acknowledged.len(),
        "every acknowledged write is there"
    );
}
