//! Profile rows under the Durham v1 rules: PRO-1..PRO-4, COM-1, PLAN-1, PROV-1, AUD-1, LOCK-1.
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{Coc, TestApp, error_code, error_rule};

const ROW_FIELDS: &str = "id kind value startDate endDate atClientDirection correctsRowId version
    provenance { enteredByUserId enteredByAgencyId enteredAt updatedByUserId }
    access { action allowed rule reason conditions planVersion }";
pub const HMIS_NUMBER: &str = "DUR-000123";

/// A CoC with two agencies (A and B): a user and an administrator in each, a second user in A,
/// and a client entered by A's user.
pub struct Community {
    pub app: TestApp,
    pub data_center: String,
    pub user_a: String,
    pub user_a2: String,
    pub admin_a: String,
    pub user_b: String,
    pub admin_b: String,
    pub agency_a: String,
    pub agency_b: String,
    pub client: String,
}

pub async fn community() -> Community {
    let coc = Coc::new().await;
    let (user_a, _) = coc.member("a@um.example", "USER", &coc.agency_a).await;
    let (user_a2, _) = coc.member("a2@um.example", "USER", &coc.agency_a).await;
    let (admin_a, _) = coc
        .member("admin@um.example", "AGENCY_ADMIN", &coc.agency_a)
        .await;
    let (user_b, _) = coc.member("b@hnh.example", "USER", &coc.agency_b).await;
    let (admin_b, _) = coc
        .member("admin@hnh.example", "AGENCY_ADMIN", &coc.agency_b)
        .await;
    let client = coc
        .client(
            &user_a,
            json!({ "hmisNumber": HMIS_NUMBER, "firstName": "Johnathan", "lastName": "Quimby",
                    "dob": "1980-07-01", "ssn": "123-45-6789" }),
        )
        .await;
    Community {
        app: coc.app,
        data_center: coc.data_center,
        user_a,
        user_a2,
        admin_a,
        user_b,
        admin_b,
        agency_a: coc.agency_a,
        agency_b: coc.agency_b,
        client,
    }
}

impl Community {
    pub async fn add_row(&self, token: &str, kind: &str, value: &str, start: &str) -> Value {
        let added = self
            .app
            .gql(
                &format!("mutation($i: AddProfileRowInput!) {{ addProfileRow(input: $i) {{ row {{ {ROW_FIELDS} }} }} }}"),
                json!({ "i": { "clientId": self.client, "kind": kind, "value": value, "startDate": start } }),
                Some(token),
            )
            .await;
        assert!(added["data"]["addProfileRow"]["row"].is_object(), "{added}");
        added["data"]["addProfileRow"]["row"].clone()
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn correct(
        &self,
        token: &str,
        row: &Value,
        version: i64,
        value: &str,
        start: &str,
        at_client_direction: bool,
        note: Option<&str>,
    ) -> Value {
        self.app
            .gql(
                &format!(
                    "mutation($i: CorrectProfileRowInput!) {{ correctProfileRow(input: $i) {{
                        row {{ {ROW_FIELDS} }} correctedRow {{ {ROW_FIELDS} }}
                        note {{ id body provenance {{ enteredByUserId }} }} enteringAgencyNotified }} }}"
                ),
                json!({ "i": { "rowId": row["id"], "expectedVersion": version, "newValue": value,
                               "startDate": start, "atClientDirection": at_client_direction,
                               "correctionNote": note } }),
                Some(token),
            )
            .await
    }

    pub async fn rows(&self, token: &str) -> Value {
        let listed = self
            .app
            .gql(
                &format!(
                    "query($c: UUID!) {{ clientProfileRows(clientId: $c) {{ nodes {{ {ROW_FIELDS} }} }} }}"
                ),
                json!({ "c": self.client }),
                Some(token),
            )
            .await;
        let rows = &listed["data"]["clientProfileRows"]["nodes"];
        assert!(rows.is_array(), "{listed}");
        rows.clone()
    }

    pub async fn end_date(&self, token: &str, row: &Value, version: i64, end: &str) -> Value {
        self.app
            .gql(
                "mutation($r: UUID!, $v: Int!, $e: NaiveDate!) { endDateProfileRow(input: { rowId: $r, expectedVersion: $v, endDate: $e }) { row { id endDate version } } }",
                json!({ "r": row["id"], "v": version, "e": end }),
                Some(token),
            )
            .await
    }

    pub async fn notifications(&self, token: &str) -> Value {
        self.app
            .gql(
                "{ notifications(first: 50) { edges { node { id kind hmisNumber body recipientAgencyId readAt } } } }",
                json!({}),
                Some(token),
            )
            .await
    }

    /// Publishes the active plan again with `edit` applied to its document.
    pub async fn republish(&self, edit: impl Fn(&mut Value)) {
        let published = self.app.republish_plan(&self.data_center, edit).await;
        assert!(
            published["data"]["publishSharingPlan"]["version"]["version"].is_number(),
            "{published}"
        );
    }
}

fn access<'a>(row: &'a Value, action: &str) -> &'a Value {
    row["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == action)
        .unwrap()
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.superuser().await;
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn pro_1_another_agencys_profile_changes_only_at_the_clients_direction() {
    let c = community().await;
    let row = c
        .add_row(&c.user_a, "PHONE", "(919) 555-0100", "2024-01-01")
        .await;
    assert_eq!(row["provenance"]["enteredByAgencyId"], c.agency_a.as_str());
    // The console is told that B's correction needs the client's direction.
    let seen_by_b = c.rows(&c.user_b).await;
    let correct = access(&seen_by_b[0], "correct");
    assert_eq!(correct["rule"], "PRO-1");
    assert_eq!(
        (&correct["allowed"], &correct["conditions"]),
        (
            &json!(true),
            &json!(["CLIENT_DIRECTION", "CORRECTION_NOTE"])
        ),
        "allowed, at the client's direction and with a note: {correct}"
    );
    assert!(
        correct["reason"]
            .as_str()
            .is_some_and(|r| r.contains("client's direction")),
        "{correct}"
    );
    // A's own row needs the note only.
    let seen_by_a = c.rows(&c.user_a).await;
    assert_eq!(
        access(&seen_by_a[0], "correct")["conditions"],
        json!(["CORRECTION_NOTE"])
    );

    let refused = c
        .correct(
            &c.user_b,
            &row,
            1,
            "(919) 555-0199",
            "2024-06-01",
            false,
            Some("New phone."),
        )
        .await;
    assert_eq!(error_code(&refused), "PLAN_RULE", "{refused}");
    assert_eq!(error_rule(&refused), "PRO-1");
    assert_eq!(
        c.rows(&c.user_a).await.as_array().unwrap().len(),
        1,
        "nothing written"
    );
    assert_eq!(
        count(&c.app, "SELECT count(*) AS n FROM audit_log WHERE action = 'profile.correct' AND outcome = 'REFUSED' AND rule = 'PRO-1'").await,
        1,
        "the refusal is audited"
    );

    let allowed = c
        .correct(
            &c.user_b,
            &row,
            1,
            "(919) 555-0199",
            "2024-06-01",
            true,
            Some("Client gave a new phone."),
        )
        .await;
    let new_row = &allowed["data"]["correctProfileRow"]["row"];
    assert_eq!(new_row["atClientDirection"], true, "{allowed}");
    assert_eq!(new_row["correctsRowId"], row["id"]);
    assert_eq!(new_row["value"], "(919) 555-0199");
    assert_eq!(
        new_row["provenance"]["enteredByAgencyId"],
        c.agency_b.as_str()
    );
}

#[tokio::test]
async fn pro_2_a_correction_adds_a_row_and_end_dates_only_ones_own() {
    let c = community().await;
    let own = c
        .add_row(&c.user_a, "EMAIL", "jq@example.org", "2024-01-01")
        .await;
    let theirs = c
        .add_row(&c.user_a, "ADDRESS", "12 Main St, Durham", "2024-01-01")
        .await;

    // Another user of the entering agency: the old row is end-dated where the new one starts.
    let corrected = c
        .correct(
            &c.user_a2,
            &own,
            1,
            "jq@example.net",
            "2024-03-01",
            false,
            Some("Email corrected."),
        )
        .await;
    let result = &corrected["data"]["correctProfileRow"];
    assert_eq!(
        result["correctedRow"]["endDate"], "2024-03-01",
        "{corrected}"
    );
    assert_eq!(result["correctedRow"]["version"], 2);
    assert_eq!(
        result["correctedRow"]["value"], "jq@example.org",
        "never edited in place"
    );
    assert_eq!(result["row"]["endDate"], Value::Null);
    assert_eq!(result["enteringAgencyNotified"], false);

    // Another agency's row stays open for its own agency to end-date.
    let corrected = c
        .correct(
            &c.user_b,
            &theirs,
            1,
            "40 Elm St, Durham",
            "2024-03-01",
            true,
            Some("Client moved."),
        )
        .await;
    let result = &corrected["data"]["correctProfileRow"];
    assert_eq!(
        result["correctedRow"]["endDate"],
        Value::Null,
        "{corrected}"
    );
    assert_eq!(result["correctedRow"]["version"], 1);
    assert_eq!(result["enteringAgencyNotified"], true);

    let rows = c.rows(&c.user_a).await;
    assert_eq!(
        rows.as_array().unwrap().len(),
        4,
        "two rows added, none replaced"
    );

    // LOCK-1: a correction naming a stale version is refused with the current values.
    let stale = c
        .correct(
            &c.user_a2,
            &own,
            1,
            "jq@example.com",
            "2024-04-01",
            false,
            Some("Email corrected."),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    assert_eq!(stale["errors"][0]["extensions"]["current"]["version"], 2);
    assert_eq!(
        stale["errors"][0]["extensions"]["current"]["endDate"],
        "2024-03-01"
    );
}

#[tokio::test]
async fn pro_3_a_correction_needs_a_client_note() {
    let c = community().await;
    let row = c
        .add_row(&c.user_a, "PHONE", "919-555-0100", "2024-01-01")
        .await;

    let draft = c
        .app
        .gql(
            "query($r: UUID!) { profileCorrectionNoteDraft(rowId: $r, newValue: \"919-555-0199\") }",
            json!({ "r": row["id"] }),
            Some(&c.user_b),
        )
        .await;
    let draft = draft["data"]["profileCorrectionNoteDraft"]
        .as_str()
        .unwrap_or_else(|| panic!("{draft}"))
        .to_owned();
    assert_eq!(
        draft,
        "Corrected phone at the client's direction: 919-555-0100 replaced by 919-555-0199."
    );

    let refused = c
        .correct(
            &c.user_b,
            &row,
            1,
            "919-555-0199",
            "2024-06-01",
            true,
            Some("   "),
        )
        .await;
    assert_eq!(error_code(&refused), "PLAN_RULE", "{refused}");
    assert_eq!(error_rule(&refused), "PRO-3");
    assert_eq!(c.rows(&c.user_a).await.as_array().unwrap().len(), 1);

    let allowed = c
        .correct(
            &c.user_b,
            &row,
            1,
            "919-555-0199",
            "2024-06-01",
            true,
            Some(&draft),
        )
        .await;
    let note = &allowed["data"]["correctProfileRow"]["note"];
    assert_eq!(note["body"], draft.as_str(), "{allowed}");
    let notes = c
        .app
        .gql(
            "query($c: UUID!) { clientNotes(clientId: $c) { edges { node { id body provenance { enteredByAgencyId } } } } }",
            json!({ "c": c.client }),
            Some(&c.user_a),
        )
        .await;
    let listed = &notes["data"]["clientNotes"]["edges"][0]["node"];
    assert_eq!(listed["id"], note["id"], "{notes}");
    assert_eq!(
        listed["provenance"]["enteredByAgencyId"],
        c.agency_b.as_str()
    );

    // A plan that does not require the note lets the correction through without one.
    c.republish(|d| d["parameters"]["correctionNoteRequired"] = json!(false))
        .await;
    let second = c
        .add_row(&c.user_a, "PHONE", "919-555-0111", "2024-01-01")
        .await;
    let without_note = c
        .correct(
            &c.user_b,
            &second,
            1,
            "919-555-0122",
            "2024-06-01",
            true,
            None,
        )
        .await;
    assert_eq!(
        without_note["data"]["correctProfileRow"]["note"],
        Value::Null,
        "{without_note}"
    );
}

#[tokio::test]
async fn pro_4_the_entering_agency_is_told_and_only_it_end_dates() {
    let c = community().await;
    let row = c
        .add_row(
            &c.user_a,
            "EMERGENCY_CONTACT",
            "Sister: 919-555-0142",
            "2024-01-01",
        )
        .await;
    assert_eq!(access(&row, "endDate")["allowed"], true);
    let corrected = c
        .correct(
            &c.user_b,
            &row,
            1,
            "Brother: 919-555-0143",
            "2024-05-01",
            true,
            Some("Client named a new contact."),
        )
        .await;
    assert_eq!(
        corrected["data"]["correctProfileRow"]["enteringAgencyNotified"], true,
        "{corrected}"
    );

    // A's administrator is told; B's is not, nor is staff; the Data Center sees all.
    let inbox = c.notifications(&c.admin_a).await;
    let edges = inbox["data"]["notifications"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{inbox}"))
        .clone();
    assert_eq!(edges.len(), 1);
    let message = &edges[0]["node"];
    assert_eq!(message["kind"], "PROFILE_CORRECTED");
    assert_eq!(message["hmisNumber"], HMIS_NUMBER);
    assert_eq!(message["recipientAgencyId"], c.agency_a.as_str());
    let other = c.notifications(&c.admin_b).await;
    assert_eq!(
        other["data"]["notifications"]["edges"],
        json!([]),
        "{other}"
    );
    // ROLE-3: staff read only what is addressed to them, and this was not.
    let staff = c.notifications(&c.user_a).await;
    assert_eq!(
        staff["data"]["notifications"]["edges"],
        json!([]),
        "{staff}"
    );
    let all = c.notifications(&c.data_center).await;
    assert_eq!(
        all["data"]["notifications"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Unread, so A's administrator may mark it read (ROLE-2: their agency's inbox).
    let unread = c
        .app
        .gql(
            "{ notifications(first: 50, unread: true) { edges { node { id access { action allowed rule } } } } }",
            json!({}),
            Some(&c.admin_a),
        )
        .await;
    let unread_edges = unread["data"]["notifications"]["edges"].clone();
    assert_eq!(unread_edges.as_array().map(Vec::len), Some(1), "{unread}");
    assert_eq!(
        unread_edges[0]["node"]["access"],
        json!([{ "action": "markRead", "allowed": true, "rule": "ROLE-2" }])
    );
    let mark = "mutation($id: UUID!) { markNotificationRead(input: { id: $id }) { notification { readAt access { action allowed rule reason } } } }";
    let not_theirs = c
        .app
        .gql(mark, json!({ "id": message["id"] }), Some(&c.admin_b))
        .await;
    assert_eq!(error_code(&not_theirs), "NOT_FOUND");
    let read = c
        .app
        .gql(mark, json!({ "id": message["id"] }), Some(&c.admin_a))
        .await;
    assert!(
        read["data"]["markNotificationRead"]["notification"]["readAt"].is_string(),
        "{read}"
    );
    let marked = &read["data"]["markNotificationRead"]["notification"]["access"][0];
    assert_eq!(marked["action"], "markRead");
    assert_eq!(marked["allowed"], false, "read once, it stays read");
    assert_eq!(marked["reason"], "this message is read already");
    // Read, it leaves the unread list and stays in the inbox.
    let unread = c
        .app
        .gql(
            "{ notifications(first: 50, unread: true) { edges { node { id } } } }",
            json!({}),
            Some(&c.admin_a),
        )
        .await;
    assert_eq!(
        unread["data"]["notifications"]["edges"],
        json!([]),
        "{unread}"
    );
    let inbox = c.notifications(&c.admin_a).await;
    assert_eq!(
        inbox["data"]["notifications"]["edges"][0]["node"]["id"],
        message["id"]
    );

    // Only the entering agency end-dates its row.
    let seen_by_b = c.rows(&c.user_b).await;
    let old = seen_by_b
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == row["id"])
        .unwrap();
    assert_eq!(access(old, "endDate")["allowed"], false);
    assert_eq!(access(old, "endDate")["rule"], "PRO-4");
    let refused = c.end_date(&c.user_b, &row, 1, "2024-05-01").await;
    assert_eq!(error_code(&refused), "PLAN_RULE", "{refused}");
    assert_eq!(error_rule(&refused), "PRO-4");
    let too_early = c.end_date(&c.admin_a, &row, 1, "2023-12-31").await;
    assert_eq!(error_code(&too_early), "VALIDATION", "{too_early}");
    let ended = c.end_date(&c.admin_a, &row, 1, "2024-05-01").await;
    assert_eq!(
        ended["data"]["endDateProfileRow"]["row"]["endDate"], "2024-05-01",
        "{ended}"
    );
    assert_eq!(ended["data"]["endDateProfileRow"]["row"]["version"], 2);
    let stale = c.end_date(&c.user_a, &row, 1, "2024-05-02").await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    assert_eq!(
        count(&c.app, "SELECT count(*) AS n FROM audit_log WHERE action = 'profile.end_date' AND outcome = 'ALLOWED' AND detail->'before'->>'endDate' IS NULL AND detail->'after'->>'endDate' = '2024-05-01'").await,
        1,
        "the end-dating is audited with before and after"
    );
}

#[tokio::test]
async fn com_1_messages_name_clients_by_hmis_number_only() {
    let c = community().await;
    for (kind, old, new) in [
        ("PHONE", "919-555-0100", "919-555-0199"),
        ("EMAIL", "johnathan.quimby@example.org", "jq@example.org"),
        ("ADDRESS", "12 Main St", "40 Elm St"),
        ("EMERGENCY_CONTACT", "Mary Quimby", "Ann Quimby"),
        ("OTHER", "Prefers Johnathan", "Prefers John"),
    ] {
        let row = c.add_row(&c.user_a, kind, old, "2024-01-01").await;
        let corrected = c
            .correct(
                &c.user_b,
                &row,
                1,
                new,
                "2024-02-01",
                true,
                Some("Corrected at the client's direction."),
            )
            .await;
        assert_eq!(
            corrected["data"]["correctProfileRow"]["enteringAgencyNotified"], true,
            "{corrected}"
        );
    }
    let db = c.app.superuser().await;
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT body, hmis_number FROM notifications",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    let forbidden = [
        "johnathan",
        "quimby",
        "1980",
        "07-01",
        "7/1",
        "123-45-6789",
        "6789",
        "555",
        "example.org",
        "main st",
        "elm st",
        "mary",
        "ann ",
    ];
    for row in rows {
        let body: String = row.try_get("", "body").unwrap();
        assert_eq!(
            row.try_get::<String>("", "hmis_number").unwrap(),
            HMIS_NUMBER
        );
        assert!(body.contains(HMIS_NUMBER), "{body}");
        let lower = body.to_lowercase();
        for word in forbidden {
            assert!(!lower.contains(word), "a message says {word:?}: {body}");
        }
    }
}

#[tokio::test]
async fn plan_1_a_private_profile_is_seen_only_inside_the_entering_agency() {
    let c = community().await;
    c.add_row(&c.user_a, "PHONE", "919-555-0100", "2024-01-01")
        .await;
    assert_eq!(c.rows(&c.user_b).await.as_array().unwrap().len(), 1);
    c.republish(|d| {
        for e in d["elements"].as_array_mut().unwrap() {
            if e["key"] == "profile_assessment" {
                e["shared"] = json!(false);
            }
        }
    })
    .await;
    assert_eq!(c.rows(&c.user_b).await, json!([]));
    assert_eq!(c.rows(&c.user_a2).await.as_array().unwrap().len(), 1);
}

/// LOCK-1: end-dating one profile row by writers who all read version 1; exactly one wins.
#[tokio::test]
async fn lock_1_concurrent_end_dates_of_a_profile_row_let_exactly_one_through() {
    let c = community().await;
    let row = c
        .add_row(&c.user_a, "PHONE", "(919) 555-0100", "2024-01-01")
        .await;
    let id = row["id"].as_str().unwrap().to_owned();
    let ends = ["2024-02-01", "2024-02-02", "2024-02-03", "2024-02-04"];
    let writes =
        futures_util::future::join_all(ends.iter().map(|end| c.end_date(&c.user_a, &row, 1, end)));
    let outcomes =
        crate::helpers::race_on_row(&c.app, "profile_rows", &id, ends.len(), writes).await;
    crate::helpers::assert_one_won(&outcomes, |o| {
        o["data"]["endDateProfileRow"]["row"]["version"] == 2
    });
}
