//! The outbox (SPEC §5, COM-1): a message written with the change that causes it is relayed
//! as a job and e-mailed once, through a real SMTP server on loopback, to the addresses of
//! those it is for — naming the client by HMIS number only; without an SMTP server the
//! message stays in-app and the outbox says it was not e-mailed.
use std::sync::Arc;
use std::time::Duration;

use domain::clock::SystemClock;
use serde_json::{Value, json};

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::cases::{
    Parties, conflict_on_with, names_the_client_by_hmis_number_only, wait_for_state,
};
use crate::helpers::{Coc, PASSWORD, Store, error_code, spawn, with_workers};
use crate::smtp::SmtpServer;

/// What the outbox holds for the in-app messages (`Of::Messages`) or for the invitations.
#[derive(Clone, Copy)]
enum Of {
    Messages,
    Invitations,
}

async fn outbox_rows(coc: &Coc, of: Of) -> Vec<(String, Option<String>, Option<i32>)> {
    let column = match of {
        Of::Messages => "notification_id",
        Of::Invitations => "invitation_id",
    };
    let db = coc.app.superuser().await;
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        format!(
            "SELECT status, detail, recipients FROM outbox WHERE {column} IS NOT NULL ORDER BY created_at"
        ),
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

/// Waits until no outbox row is pending (up to 90 s: on a busy machine the job workers were
/// seen to pause for about 30 s before fetching).
async fn delivered(c: &Parties) -> Vec<(String, Option<String>, Option<i32>)> {
    for _ in 0..450 {
        let rows = outbox_rows(&c.coc, Of::Messages).await;
        if !rows.is_empty() && rows.iter().all(|(status, _, _)| status != "PENDING") {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "the outbox was not delivered: {:?}",
        outbox_rows(&c.coc, Of::Messages).await
    );
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
        escalated["data"]["escalateCase"]["case"]["state"], "ESCALATED",
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

const INVITE: &str =
    "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token } } }";
const ACCEPT: &str =
    "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken } }";

/// A CoC whose workers run and e-mail through `smtp`, naming the console `public_url`.
pub async fn emailing_coc(smtp: &SmtpServer, public_url: &str) -> Coc {
    let (port, public_url) = (smtp.port, public_url.to_owned());
    let app = spawn(
        Store::Postgres,
        move |s| {
            with_workers(s);
            s.smtp.host = Some("127.0.0.1".into());
            s.smtp.port = port;
            s.public_url = public_url;
        },
        Arc::new(SystemClock),
    )
    .await;
    Coc::on(app).await
}

async fn invite(coc: &Coc, email: &str) -> String {
    let invited = coc
        .app
        .gql(
            INVITE,
            json!({ "i": { "email": email, "role": "USER", "agencyId": coc.agency_a } }),
            Some(&coc.data_center),
        )
        .await;
    invited["data"]["inviteUser"]["invitation"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{invited}"))
        .to_owned()
}

async fn accept(coc: &Coc, token: &str, email_name: &str) -> Value {
    coc.app
        .gql(
            ACCEPT,
            json!({ "i": { "tenantSlug": "durham", "token": token, "displayName": email_name, "password": PASSWORD } }),
            None,
        )
        .await
}

/// The invitation e-mail goes through the outbox, to the address invited, with a token of its
/// own: the inviter's (shown once) never leaves Concord, and either token accepts, once.
#[tokio::test]
async fn invitations_are_emailed_through_the_outbox_with_a_token_of_their_own() {
    let smtp = SmtpServer::start().await;
    let coc = emailing_coc(&smtp, "https://concord.durham.example/").await;
    let shown = invite(&coc, "newcomer@um.example").await;

    let mails = smtp.wait_for(1).await;
    let mail = &mails[0];
    assert!(mail.contains("X-RcptTo: newcomer@um.example"), "{mail}");
    assert!(mail.contains("you are invited to durham CoC"), "{mail}");
    assert!(mail.contains("https://concord.durham.example/"), "{mail}");
    assert!(
        !mail.contains(&shown),
        "the inviter's token never leaves Concord"
    );
    let emailed = emailed_token(&coc, mail);
    assert_ne!(emailed, shown);

    let accepted = accept(&coc, &emailed, "Newcomer").await;
    assert!(
        accepted["data"]["acceptInvitation"]["accessToken"].is_string(),
        "{accepted}"
    );
    // Single use, whichever token is used.
    let again = accept(&coc, &shown, "Newcomer again").await;
    assert_eq!(error_code(&again), "UNAUTHENTICATED", "{again}");
    let rows = outbox_rows(&coc, Of::Invitations).await;
    assert_eq!(rows, vec![("SENT".to_owned(), None, Some(1))]);
}

#[tokio::test]
async fn without_smtp_an_invitation_is_not_emailed_and_the_shown_token_accepts() {
    let app = spawn(Store::Postgres, with_workers, Arc::new(SystemClock)).await;
    let coc = Coc::on(app).await;
    let shown = invite(&coc, "newcomer@um.example").await;
    let mut rows = Vec::new();
    // Up to 90 s, as `delivered`.
    for _ in 0..450 {
        rows = outbox_rows(&coc, Of::Invitations).await;
        if rows.iter().all(|(status, _, _)| status != "PENDING") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "NOT_EMAILED");
    assert!(
        rows[0]
            .1
            .as_deref()
            .is_some_and(|d| d.contains("no SMTP server"))
    );
    let accepted = accept(&coc, &shown, "Newcomer").await;
    assert!(
        accepted["data"]["acceptInvitation"]["accessToken"].is_string(),
        "{accepted}"
    );
}

/// The invitation code an e-mail carries: a line of its own, the tenant's id and a secret.
pub fn emailed_token(coc: &Coc, mail: &str) -> String {
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with(&coc.tenant_id.to_string()) && l.contains('.'))
        .unwrap_or_else(|| panic!("no invitation code in {mail}"))
        .to_owned()
}

const INVITATIONS: &str =
    "{ invitations(first: 50) { edges { node { id email status revokedAt } } } }";

/// Invitations are listed for those who manage them, resent (a new e-mail whose token
/// replaces the last e-mail's) and revoked (no token accepts it any more).
#[tokio::test]
async fn invitations_are_listed_resent_and_revoked_by_those_who_manage_them() {
    let smtp = SmtpServer::start().await;
    let coc = emailing_coc(&smtp, "http://127.0.0.1:8080/").await;
    let shown = invite(&coc, "newcomer@um.example").await;
    let first = emailed_token(&coc, &smtp.wait_for(1).await[0]);

    let listed = coc
        .app
        .gql(INVITATIONS, json!({}), Some(&coc.data_center))
        .await;
    let node = listed["data"]["invitations"]["edges"][0]["node"].clone();
    assert_eq!(node["email"], "newcomer@um.example", "{listed}");
    assert_eq!(node["status"], "PENDING");
    let id = node["id"].clone();

    // Another agency's administrator neither sees nor revokes it (ROLE-2); staff see none.
    let (admin_b, _) = coc
        .member("admin@hnh.example", "AGENCY_ADMIN", &coc.agency_b)
        .await;
    let theirs = coc.app.gql(INVITATIONS, json!({}), Some(&admin_b)).await;
    let emails = theirs["data"]["invitations"]["edges"].to_string();
    assert!(!emails.contains("newcomer@um.example"), "{theirs}");
    const REVOKE: &str = "mutation($id: UUID!) { revokeInvitation(input: { id: $id }) { invitation { status revokedAt } } }";
    let refused = coc
        .app
        .gql(REVOKE, json!({ "id": id }), Some(&admin_b))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["rule"], "ROLE-2");
    let (staff, _) = coc.member("staff@um.example", "USER", &coc.agency_a).await;
    let none = coc.app.gql(INVITATIONS, json!({}), Some(&staff)).await;
    assert_eq!(none["errors"][0]["extensions"]["rule"], "ROLE-3", "{none}");

    // Resent: a second e-mail, whose token replaces the first e-mail's.
    let resent = coc
        .app
        .gql(
            "mutation($id: UUID!) { resendInvitation(input: { id: $id }) { invitation { status } } }",
            json!({ "id": id }),
            Some(&coc.data_center),
        )
        .await;
    assert_eq!(
        resent["data"]["resendInvitation"]["invitation"]["status"], "PENDING",
        "{resent}"
    );
    let mails = smtp.wait_for(2).await;
    let second = mails
        .iter()
        .map(|m| emailed_token(&coc, m))
        .find(|t| *t != first)
        .unwrap_or_else(|| panic!("no second invitation code in {mails:?}"));
    let stale = accept(&coc, &first, "Newcomer").await;
    assert_eq!(error_code(&stale), "UNAUTHENTICATED", "{stale}");

    // Revoked: neither the shown token nor the e-mailed one accepts it.
    let revoked = coc
        .app
        .gql(REVOKE, json!({ "id": id }), Some(&coc.data_center))
        .await;
    assert_eq!(
        revoked["data"]["revokeInvitation"]["invitation"]["status"], "REVOKED",
        "{revoked}"
    );
    for token in [&shown, &second] {
        let refused = accept(&coc, token, "Newcomer").await;
        assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
    }
    let again = coc
        .app
        .gql(
            "mutation($id: UUID!) { resendInvitation(input: { id: $id }) { invitation { status } } }",
            json!({ "id": id }),
            Some(&coc.data_center),
        )
        .await;
    assert_eq!(error_code(&again), "VALIDATION", "{again}");
}
