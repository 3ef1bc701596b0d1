//! Relay cursor connections both ways (issue 10): every list pages forward with
//! `first`/`after` and backward with `last`/`before`, over the same rows in the same order, and
//! says how long it is (`totalCount`) where counting is cheap.
use std::sync::Arc;

use domain::clock::SystemClock;
use serde_json::{Value, json};

use crate::helpers::{Store, TestApp, error_code, spawn};

/// One list, read whole forward two at a time and then backward two at a time from its end:
/// the ids in list order both ways, and the `totalCount` each page gave.
async fn walk(app: &TestApp, token: &str, field: &str, args: &str) -> (Vec<String>, Vec<String>) {
    let page = |direction: &str, cursor: Option<String>| {
        let query = format!(
            "query($c: String) {{ {field}({args}{direction}: 2, {}: $c) {{ totalCount \
             edges {{ node {{ id }} }} \
             pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}",
            if direction == "first" {
                "after"
            } else {
                "before"
            }
        );
        async move { app.gql(&query, json!({ "c": cursor }), Some(token)).await }
    };
    let ids = |connection: &Value| -> Vec<String> {
        connection["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{connection}"))
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };

    let mut forward = Vec::new();
    let mut cursor = None;
    let mut totals = Vec::new();
    loop {
        let response = page("first", cursor).await;
        let connection = &response["data"][field];
        forward.extend(ids(connection));
        totals.push(connection["totalCount"].clone());
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        cursor = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }

    let mut backward = Vec::new();
    let mut cursor = None;
    loop {
        let response = page("last", cursor).await;
        let connection = &response["data"][field];
        let mut rows = ids(connection);
        rows.extend(backward);
        backward = rows;
        totals.push(connection["totalCount"].clone());
        if connection["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        cursor = connection["pageInfo"]["startCursor"]
            .as_str()
            .map(str::to_owned);
    }
    let length = json!(forward.len());
    assert!(
        totals.iter().all(|t| *t == length),
        "{field}: every page counts the whole list: {totals:?}"
    );
    (forward, backward)
}

async fn lists_page_backward_over_the_same_rows(store: Store) {
    let app = spawn(store, |_| {}, Arc::new(SystemClock)).await;
    let tenant = app.sign_up("nc-pages").await;
    let records = app.enter_records(&tenant, "nc-pages").await;
    for n in 1..=4 {
        app.create_agency(&tenant.token, &format!("Agency {n}"))
            .await;
        app.gql(
            "mutation($i: AddClientNoteInput!) { addClientNote(input: $i) { note { id } } }",
            json!({ "i": { "clientId": records.client, "body": format!("Note {n}.") } }),
            Some(&records.user),
        )
        .await;
    }
    for shared in [true, false] {
        let published = app
            .republish_plan(&tenant.token, |plan| {
                plan["parameters"]["serviceNotesShared"] = json!(shared);
            })
            .await;
        assert!(published["errors"].is_null(), "{published}");
    }

    // Oldest first (read by id), newest first (by id, backward in SQL), newest first by
    // version number, and a short list read whole and paged in memory.
    let client = format!("clientId: \"{}\", ", records.client);
    for (field, args, token, length) in [
        ("agencies", String::new(), &tenant.token, 5),
        ("clientNotes", client.clone(), &records.user, 5),
        ("sharingPlanVersions", String::new(), &tenant.token, 3),
        ("clientProfileRows", client.clone(), &records.user, 1),
    ] {
        let (forward, backward) = walk(&app, token, field, &args).await;
        assert_eq!(forward.len(), length, "{field}: {forward:?}");
        assert_eq!(
            backward, forward,
            "{field}: backward pages keep the list's order"
        );
    }

    // The newest note is the first of its list; its last page ends with the oldest.
    let notes = app
        .gql(
            "query($c: UUID!) { clientNotes(clientId: $c, last: 1) { edges { node { body } } \
             pageInfo { hasNextPage hasPreviousPage } } }",
            json!({ "c": records.client }),
            Some(&records.user),
        )
        .await;
    let page = &notes["data"]["clientNotes"];
    assert_eq!(page["edges"][0]["node"]["body"], "hello", "{notes}");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], true);
}

#[tokio::test]
async fn lists_page_backward_over_the_same_rows_on_postgres() {
    lists_page_backward_over_the_same_rows(Store::Postgres).await;
}

#[tokio::test]
async fn lists_page_backward_over_the_same_rows_on_the_embedded_default() {
    lists_page_backward_over_the_same_rows(Store::Embedded).await;
}

#[tokio::test]
async fn a_page_goes_one_way_and_takes_only_cursors_concord_gave() {
    let app = spawn(Store::Postgres, |_| {}, Arc::new(SystemClock)).await;
    let tenant = app.sign_up("nc-pages-bad").await;
    for (args, field) in [
        ("first: 2, last: 2", "last"),
        ("first: 2, before: \"x\"", "last"),
        ("last: 0", "last"),
        ("last: 101", "last"),
        ("last: 2, before: \"not-a-cursor\"", "before"),
    ] {
        let response = app
            .gql(
                &format!("{{ agencies({args}) {{ totalCount edges {{ node {{ id }} }} }} }}"),
                json!({}),
                Some(&tenant.token),
            )
            .await;
        assert_eq!(error_code(&response), "VALIDATION", "{args}: {response}");
        assert_eq!(
            response["errors"][0]["extensions"]["field"], field,
            "{args}: {response}"
        );
        assert!(response["data"].is_null(), "{args}: nothing half-answered");
    }
}
