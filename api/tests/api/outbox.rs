//! The outbox (SPEC §5, COM-1): a message written with the change that causes it is relayed
//! as a job and e-mailed once, through a real SMTP server on loopback, to the addresses of
//! those it is for — naming the client by HMIS number only; without an SMTP server the
//! message stays in-app and the outbox says it was not e-mailed.
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::cases::{
    Parties, conflict_on_with, names_the_client_by_hmis_number_only, wait_for_state,
};
use crate::helpers::Store;
use crate::smtp::SmtpServer;

async fn outbox_rows(c: &Parties) -> Vec<(String, Option<String>, Option<i32>)> {
    let db = c.coc.app.superuser().await;
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT status, detail, recipients FROM outbox ORDER BY created_at",
    ))
    .await
    .expect("outbox")
    .iter()
    .map(|r| {
        (
            r.try_get("", "status").expect("status"),
            r.try_get("", "detail").expect("detail"),
            r.try_get("", "recipients").expect("recipients"),
        )
    })
    .collect()
}

/// Waits until no outbox row is pending.
async fn delivered(c: &Parties) -> Vec<(String, Option<String>, Option<i32>)> {
    for _ in 0..150 {
        let rows = outbox_rows(c).await;
        if !rows.is_empty() && rows.iter().all(|(status, _, _)| status != "PENDING") {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the outbox was not delivered: {:?}", outbox_rows(c).await);
}

/// The conflict's case moved to the point where Concord reminds the reporter, and escalated:
/// two messages, one to B's user and one to A's administrators.
async fn escalate_to_messages(c: &mut Parties) {
    c.attempt(&c.user_b, 1, false).await;
    c.advance(chrono::Duration::days(2)).await;
    c.attempt(&c.user_b, 2, false).await;
    c.advance(chrono::Duration::days(3)).await;
    c.attempt(&c.user_b, 3, false).await;
    c.advance(chrono::Duration::days(9) + chrono::Duration::minutes(1))
        .await;
    let escalable = wait_for_state(c, &c.user_b, "ESCALABLE").await;
    let version = escalable["version"].as_i64().expect("version");
    let escalated = c.escalate(&c.user_b, version).await;
    assert_eq!(
        escalated["data"]["escalateCase"]["state"], "ESCALATED",
        "{escalated}"
    );
}

#[tokio::test]
async fn com_1_messages_are_emailed_once_to_those_they_are_for_by_hmis_number_only() {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let mut c = conflict_on_with(Store::Postgres, |settings| {
        settings.smtp.host = Some("127.0.0.1".into());
        settings.smtp.port = port;
        settings.smtp.from = Some("Concord <concord@durham.example>".into());
    })
    .await;
    escalate_to_messages(&mut c).await;

    let mails = smtp.wait_for(2).await;
    let to = |address: &str| {
        mails
            .iter()
            .find(|m| m.contains(&format!("X-RcptTo: {address}")))
            .unwrap_or_else(|| panic!("nothing to {address}: {mails:?}"))
            .clone()
    };
    let reminder = to("b@hnh.example");
    assert!(reminder.contains("may now escalate"), "{reminder}");
    let escalation = to("admin@um.example");
    assert!(
        escalation.contains("escalated the data conflict"),
        "{escalation}"
    );
    for mail in [&reminder, &escalation] {
        let subject = mail
            .lines()
            .find(|l| l.starts_with("Subject:"))
            .unwrap_or("");
        assert!(subject.contains("Concord: client HMIS #DUR-4417"), "{mail}");
        let body = mail
            .split_once("\n\n")
            .or_else(|| mail.split_once("\r\n\r\n"))
            .map_or(mail.as_str(), |(_, body)| body);
        // COM-1, in the subject and the body alike.
        let text = format!("{subject}\n{body}");
        names_the_client_by_hmis_number_only(
            &serde_json::json!({ "body": text, "hmisNumber": "" }),
        );
    }
    let mut recipients: Vec<&str> = mails
        .iter()
        .flat_map(|m| m.lines().filter_map(|l| l.strip_prefix("X-RcptTo: ")))
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .collect();
    recipients.sort_unstable();
    assert_eq!(
        recipients,
        ["admin@um.example", "b@hnh.example"],
        "only those they are for"
    );
    let rows = delivered(&c).await;
    assert_eq!(
        rows,
        vec![
            ("SENT".to_owned(), None, Some(1)),
            ("SENT".to_owned(), None, Some(1))
        ]
    );
    // Further relays find nothing left to send: still two e-mails.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.received().len(), 2, "a message was e-mailed twice");
}

#[tokio::test]
async fn without_smtp_messages_stay_in_app_and_the_outbox_says_so() {
    let mut c = conflict_on_with(Store::Postgres, |_| {}).await;
    escalate_to_messages(&mut c).await;
    let rows = delivered(&c).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (status, detail, recipients) in rows {
        assert_eq!(status, "NOT_EMAILED");
        assert!(detail.is_some_and(|d| d.contains("no SMTP server")));
        assert_eq!(recipients, Some(0));
    }
    assert_eq!(
        c.inbox(&c.admin_a).await.len(),
        1,
        "the in-app message stands"
    );
}
