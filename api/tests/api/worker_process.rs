//! `concord worker`: the job workers as a process of their own, as production runs them
//! (SPEC §5). Killed with SIGKILL in the middle of an e-mail and started again, it e-mails
//! the message once; two worker processes at once e-mail every message once; a worker process
//! follows the manual clock that the platform administrator moves on the API.
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::caller::Caller;
use domain::policy::roles::Role;
use domain::records::notifications::{self, Message, Outgoing, Recipient};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{Coc, TestApp, spawn_app_with};
use crate::manual_clock::operator;
use crate::processes::ConcordProcess;
use crate::smtp::SmtpServer;

/// `count` review requests to agency A's administrator, written as every use case writes a
/// message (its notification and outbox row in one transaction); the outbox rows' ids.
async fn queue_messages(coc: &Coc, count: usize) -> Vec<Uuid> {
    let community = &coc.community;
    community
        .member(
            "admin@um.example",
            Role::AgencyAdmin,
            Some(community.agency_a),
        )
        .await;
    let now = community.state.clock.now();
    let tx = Caller::system(coc.tenant_id)
        .begin(&community.state)
        .await
        .expect("tenant transaction");
    for _ in 0..count {
        let message = Outgoing {
            to: Recipient::Agency(Some(community.agency_a)),
            hmis_number: "DUR-7001",
            message: Message::ReviewRequested,
            case_id: None,
        };
        notifications::send(&tx, coc.tenant_id, message, now)
            .await
            .expect("send");
    }
    tx.commit().await.expect("commit");
    outbox(&coc.app).await.into_iter().map(|r| r.id).collect()
}

struct OutboxRow {
    id: Uuid,
    status: String,
    delivered_at: Option<DateTime<Utc>>,
}

async fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    let db = app.superuser().await;
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        // The messages, not the invitations the test's people were made with.
        "SELECT id, status, delivered_at FROM outbox WHERE notification_id IS NOT NULL ORDER BY id",
    ))
    .await
    .expect("outbox")
    .iter()
    .map(|r| OutboxRow {
        id: r.try_get("", "id").expect("id"),
        status: r.try_get("", "status").expect("status"),
        delivered_at: r.try_get("", "delivered_at").expect("delivered_at"),
    })
    .collect()
}

/// Waits until no outbox row is pending.
async fn all_delivered(app: &TestApp) -> Vec<OutboxRow> {
    for _ in 0..150 {
        let rows = outbox(app).await;
        if !rows.is_empty() && rows.iter().all(|r| r.status != "PENDING") {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let statuses: Vec<String> = outbox(app).await.into_iter().map(|r| r.status).collect();
    panic!("the outbox was not delivered: {statuses:?}");
}

/// How many of `mails` carry the Message-ID of outbox row `id`.
fn copies_of(mails: &[String], id: Uuid) -> usize {
    let message_id = format!("<{id}@concord>");
    mails.iter().filter(|m| m.contains(&message_id)).count()
}

#[tokio::test]
async fn a_worker_killed_mid_email_and_restarted_sends_the_message_once() {
    let smtp = SmtpServer::stalling_first().await;
    let coc = Coc::new().await;
    let ids = queue_messages(&coc, 1).await;

    let mut first = ConcordProcess::worker_emailing_to(&coc.app, &smtp);
    for _ in 0..150 {
        if smtp.stalled_marker.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        smtp.stalled_marker.exists(),
        "the worker never reached the SMTP server"
    );
    // Mid-delivery: the server has the message and has not answered.
    first.kill();
    let rows = outbox(&coc.app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "PENDING", "nothing was marked by the kill");
    assert!(smtp.received().is_empty(), "nothing was delivered yet");

    let _second = ConcordProcess::worker_emailing_to(&coc.app, &smtp);
    smtp.wait_for(1).await;
    let rows = all_delivered(&coc.app).await;
    assert_eq!(rows[0].status, "SENT");
    // Later relays and heartbeats find nothing left to send.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mails = smtp.received();
    assert_eq!(mails.len(), 1, "one e-mail, not two");
    assert_eq!(copies_of(&mails, ids[0]), 1);
    assert!(mails[0].contains("X-RcptTo: admin@um.example"), "{mails:?}");
}

#[tokio::test]
async fn two_worker_processes_email_every_message_once() {
    let smtp = SmtpServer::start().await;
    let coc = Coc::new().await;
    let ids = queue_messages(&coc, 20).await;
    assert_eq!(ids.len(), 20);

    let _a = ConcordProcess::worker_emailing_to(&coc.app, &smtp);
    let _b = ConcordProcess::worker_emailing_to(&coc.app, &smtp);
    smtp.wait_for(20).await;
    let rows = all_delivered(&coc.app).await;
    assert!(rows.iter().all(|r| r.status == "SENT"));
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mails = smtp.received();
    assert_eq!(mails.len(), 20, "no message twice");
    for id in ids {
        assert_eq!(copies_of(&mails, id), 1, "outbox row {id}");
    }
}

#[tokio::test]
async fn a_worker_process_follows_the_manual_clock_moved_on_the_api() {
    let coc = Coc::on(spawn_app_with(|s| s.manual_clock = true).await).await;
    // Started before the clock moves: it must follow, not only read the offset at start.
    let _worker = ConcordProcess::worker(&coc.app, &[("CONCORD_CLOCK", "manual".into())]);
    let token = operator(&coc.app).await;
    let moved = coc
        .app
        .gql(
            "mutation { advanceClock(input: { hours: 48 }) { now } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert!(moved["data"]["advanceClock"]["now"].is_string(), "{moved}");
    // Past the worker's next look at the shared clock.
    tokio::time::sleep(Duration::from_secs(2)).await;

    queue_messages(&coc, 1).await;
    // No SMTP server: the worker marks the row NOT_EMAILED at the time it reads.
    let rows = all_delivered(&coc.app).await;
    assert_eq!(rows[0].status, "NOT_EMAILED");
    let delivered_at = rows[0].delivered_at.expect("delivered_at");
    assert!(
        delivered_at >= Utc::now() + chrono::Duration::hours(47),
        "the worker process reads the moved clock: {delivered_at}"
    );
}
