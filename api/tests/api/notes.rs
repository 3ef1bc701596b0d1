//! Client notes under the Durham v1 rules: NOTE-1, PLAN-1, PROV-1, AUD-1, LOCK-1.
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{error_code, error_rule, nodes};
use crate::profile::{Community, community, count};

const NOTE_FIELDS: &str = "id clientId body version
    provenance { enteredByUserId enteredByAgencyId enteredAt updatedAt }
    access { action allowed rule reason }";

impl Community {
    async fn add_note(&self, token: &str, body: &str) -> Value {
        let added = self
            .app
            .gql(
                &format!("mutation($c: UUID!, $b: String!) {{ addClientNote(input: {{ clientId: $c, body: $b }}) {{ note {{ {NOTE_FIELDS} }} }} }}"),
                json!({ "c": self.client, "b": body }),
                Some(token),
            )
            .await;
        assert!(
            added["data"]["addClientNote"]["note"].is_object(),
            "{added}"
        );
        added["data"]["addClientNote"]["note"].clone()
    }

    async fn edit_note(&self, token: &str, note: &Value, version: i64, body: &str) -> Value {
        self.app
            .gql(
                &format!("mutation($id: UUID!, $v: Int!, $b: String!) {{ editClientNote(input: {{ id: $id, expectedVersion: $v, body: $b }}) {{ note {{ {NOTE_FIELDS} }} }} }}"),
                json!({ "id": note["id"], "v": version, "b": body }),
                Some(token),
            )
            .await
    }

    async fn delete_note(&self, token: &str, note: &Value, version: i64) -> Value {
        self.app
            .gql(
                "mutation($id: UUID!, $v: Int!) { deleteClientNote(input: { id: $id, expectedVersion: $v }) { deletedId } }",
                json!({ "id": note["id"], "v": version }),
                Some(token),
            )
            .await
    }

    async fn notes(&self, token: &str) -> Vec<Value> {
        let listed = self
            .app
            .gql(
                &format!("query($c: UUID!) {{ clientNotes(clientId: $c) {{ edges {{ node {{ {NOTE_FIELDS} }} }} }} }}"),
                json!({ "c": self.client }),
                Some(token),
            )
            .await;
        nodes(&listed, "clientNotes")
    }
}

#[tokio::test]
async fn note_1_only_the_author_edits_or_deletes_a_note() {
    let c = community().await;
    let note = c.add_note(&c.user_a, "Met at the day shelter.").await;
    assert_eq!(note["provenance"]["enteredByAgencyId"], c.agency_a.as_str());
    let seen_by_b = c.notes(&c.user_b).await;
    assert_eq!(seen_by_b.len(), 1, "notes are shared under Durham v1");
    let hint = |n: &Value, action: &str| {
        n["access"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["action"] == action)
            .unwrap()
            .clone()
    };
    assert_eq!(hint(&seen_by_b[0], "edit")["allowed"], false);
    assert_eq!(hint(&seen_by_b[0], "delete")["rule"], "NOTE-1");
    assert_eq!(hint(&note, "delete")["allowed"], true);

    // Nobody but the author: not another agency, not a colleague, not the Data Center.
    for token in [&c.user_b, &c.user_a2, &c.admin_a, &c.data_center] {
        let edit = c.edit_note(token, &note, 1, "Rewritten.").await;
        assert_eq!(error_code(&edit), "PLAN_RULE", "{edit}");
        assert_eq!(error_rule(&edit), "NOTE-1");
        let delete = c.delete_note(token, &note, 1).await;
        assert_eq!(error_rule(&delete), "NOTE-1", "{delete}");
    }
    assert_eq!(
        count(&c.app, "SELECT count(*) AS n FROM audit_log WHERE action IN ('note.edit', 'note.delete') AND outcome = 'REFUSED' AND rule = 'NOTE-1'").await,
        8
    );

    let edited = c
        .edit_note(&c.user_a, &note, 1, "Met at the day shelter on Monday.")
        .await;
    let edited = &edited["data"]["editClientNote"]["note"];
    assert_eq!(edited["version"], 2, "{edited}");
    assert_eq!(edited["body"], "Met at the day shelter on Monday.");
    assert!(edited["provenance"]["updatedAt"].is_string());
    let stale = c.edit_note(&c.user_a, &note, 1, "Lost update.").await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    assert_eq!(
        stale["errors"][0]["extensions"]["current"]["body"],
        "Met at the day shelter on Monday."
    );
    let stale_delete = c.delete_note(&c.user_a, &note, 1).await;
    assert_eq!(error_code(&stale_delete), "CONFLICT");

    let deleted = c.delete_note(&c.user_a, &note, 2).await;
    assert_eq!(
        deleted["data"]["deleteClientNote"]["deletedId"], note["id"],
        "{deleted}"
    );
    assert!(
        c.notes(&c.user_a).await.is_empty(),
        "a deleted note is not listed"
    );
    let again = c.edit_note(&c.user_a, &note, 3, "Back?").await;
    assert_eq!(error_code(&again), "NOT_FOUND");
    // The deletion hides the note; the row and the audit trail stay.
    assert_eq!(
        count(
            &c.app,
            "SELECT count(*) AS n FROM client_notes WHERE deleted_at IS NOT NULL AND version = 3"
        )
        .await,
        1
    );
    assert_eq!(
        count(&c.app, "SELECT count(*) AS n FROM audit_log WHERE action = 'note.delete' AND outcome = 'ALLOWED' AND detail->'before'->>'body' = 'Met at the day shelter on Monday.'").await,
        1
    );
}

#[tokio::test]
async fn note_1_the_database_refuses_to_delete_a_note_even_for_the_superuser() {
    let c = community().await;
    c.add_note(&c.user_a, "Prefers text messages.").await;
    let db = c.app.superuser().await;
    let deleted = db
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            "DELETE FROM client_notes",
        ))
        .await;
    crate::helpers::refused_as_append_only(deleted, "DELETE", "client_notes");
    assert_eq!(
        count(&c.app, "SELECT count(*) AS n FROM client_notes").await,
        1
    );
}

#[tokio::test]
async fn plan_1_notes_the_plan_does_not_share_stay_inside_the_authors_agency() {
    let c = community().await;
    c.add_note(&c.user_a, "Agency A's note.").await;
    c.add_note(&c.user_b, "Agency B's note.").await;
    assert_eq!(c.notes(&c.user_b).await.len(), 2);
    c.republish(|d| {
        for e in d["elements"].as_array_mut().unwrap() {
            if e["key"] == "client_notes" {
                e["shared"] = json!(false);
            }
        }
    })
    .await;
    let seen_by_b = c.notes(&c.user_b).await;
    assert_eq!(seen_by_b.len(), 1);
    assert_eq!(seen_by_b[0]["body"], "Agency B's note.");
    assert_eq!(c.notes(&c.user_a2).await[0]["body"], "Agency A's note.");
    assert_eq!(
        c.notes(&c.data_center).await.len(),
        2,
        "the Data Center, the CoC's HMIS lead, reads every note of its CoC"
    );
}

#[tokio::test]
async fn notes_are_listed_newest_first_a_page_at_a_time() {
    let c = community().await;
    for n in 1..=3 {
        c.add_note(&c.user_a, &format!("Note {n}.")).await;
    }
    let query = "query($c: UUID!, $a: String) { clientNotes(clientId: $c, first: 2, after: $a) {
        pageInfo { hasNextPage endCursor } edges { node { body } } } }";
    let first = c
        .app
        .gql(query, json!({ "c": c.client, "a": null }), Some(&c.user_b))
        .await;
    let page = &first["data"]["clientNotes"];
    assert_eq!(page["edges"][0]["node"]["body"], "Note 3.", "{first}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let second = c
        .app
        .gql(
            query,
            json!({ "c": c.client, "a": page["pageInfo"]["endCursor"] }),
            Some(&c.user_b),
        )
        .await;
    let page = &second["data"]["clientNotes"];
    assert_eq!(page["edges"].as_array().unwrap().len(), 1, "{second}");
    assert_eq!(page["edges"][0]["node"]["body"], "Note 1.");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
}

/// LOCK-1: edits of one note by writers who all read version 1 race; exactly one wins.
#[tokio::test]
async fn lock_1_concurrent_edits_of_a_note_let_exactly_one_through() {
    let c = community().await;
    let note = c.add_note(&c.user_a, "Met at the shelter").await;
    let id = note["id"].as_str().unwrap().to_owned();
    let bodies = [
        "Met at the park",
        "Met at the clinic",
        "Met at the library",
        "Met downtown",
    ];
    let edits = futures_util::future::join_all(
        bodies
            .iter()
            .map(|body| c.edit_note(&c.user_a, &note, 1, body)),
    );
    let outcomes =
        crate::helpers::race_on_row(&c.app, "client_notes", &id, bodies.len(), edits).await;
    crate::helpers::assert_one_won(&outcomes, |o| {
        o["data"]["editClientNote"]["note"]["version"] == 2
    });
}
