//! Relay cursor connections both ways (issue 10): every list pages forward with
//! `first`/`after` and backward with `last`/`before`, over the same rows in the same order, and
//! says how long it is (`totalCount`) where counting is cheap.
use std::sync::Arc;

use domain::clock::SystemClock;
use serde_json::{Value, json};

use crate::helpers::{Store, TestApp, created_id, error_code, spawn};

/// One list, read whole forward two at a time and then backward two at a time from its end:
/// the nodes (`selection` of each) in list order both ways, and the `totalCount` each page
/// gave.
async fn walk(
    app: &TestApp,
    token: &str,
    field: &str,
    args: &str,
    selection: &str,
) -> (Vec<Value>, Vec<Value>) {
    let page = |direction: &str, cursor: Option<String>| {
        let query = format!(
            "query($c: String) {{ {field}({args}{direction}: 2, {}: $c) {{ totalCount \
             edges {{ node {{ {selection} }} }} \
             pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}",
            if direction == "first" {
                "after"
            } else {
                "before"
            }
        );
        async move { app.gql(&query, json!({ "c": cursor }), Some(token)).await }
    };
    let ids = |connection: &Value| -> Vec<Value> {
        connection["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{connection}"))
            .iter()
            .map(|e| e["node"].clone())
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
        let (forward, backward) = walk(&app, token, field, &args, "id").await;
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

/// The `key` of each node, in order.
fn keys(nodes: &[Value], key: &str) -> Vec<String> {
    nodes
        .iter()
        .map(|n| n[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The console's tables sort and filter through the connections (issue 11): by a field
/// either way without regard to case, ties in creation order, over pages both ways; filters
/// narrow the count with the rows; an agency's own directory stays its own (ROLE-2).
async fn lists_sort_and_filter_through_their_connections(store: Store) {
    let app = spawn(store, |_| {}, Arc::new(SystemClock)).await;
    let slug = "nc-sorts";
    let tenant = app.sign_up(slug).await;
    let dc = tenant.token.as_str();
    let mut agency = std::collections::HashMap::new();
    for name in ["delta", "Alpha", "charlie", "Bravo"] {
        let created = app.create_agency(dc, name).await;
        agency.insert(name, created_id(&created, "createAgency", "agency"));
    }

    let by_name = "orderBy: { field: NAME }, ";
    let (forward, backward) = walk(&app, dc, "agencies", by_name, "name").await;
    assert_eq!(
        keys(&forward, "name"),
        ["Alpha", "Bravo", "charlie", "delta"]
    );
    assert_eq!(backward, forward, "backward pages keep the sorted order");
    let descending = "orderBy: { field: NAME, direction: DESC }, ";
    let (forward, backward) = walk(&app, dc, "agencies", descending, "name").await;
    assert_eq!(
        keys(&forward, "name"),
        ["delta", "charlie", "Bravo", "Alpha"]
    );
    assert_eq!(backward, forward);
    let (forward, _) = walk(&app, dc, "agencies", "", "name").await;
    assert_eq!(
        keys(&forward, "name"),
        ["delta", "Alpha", "charlie", "Bravo"],
        "without orderBy, the order they were created in"
    );

    let deactivated = app
        .gql(
            "mutation($i: DeactivateInput!) { deactivateAgency(input: $i) { agency { id } } }",
            json!({ "i": { "id": agency["charlie"] } }),
            Some(dc),
        )
        .await;
    assert!(deactivated["errors"].is_null(), "{deactivated}");
    for (filter, names) in [
        ("{ nameContains: \"LPH\" }", vec!["Alpha"]),
        ("{ nameContains: \"%\" }", vec![]),
        ("{ active: false }", vec!["charlie"]),
        (
            "{ active: true, nameContains: \"a\" }",
            vec!["Alpha", "Bravo", "delta"],
        ),
    ] {
        let args = format!("filter: {filter}, {by_name}");
        let (forward, backward) = walk(&app, dc, "agencies", &args, "name").await;
        assert_eq!(keys(&forward, "name"), names, "{filter}");
        assert_eq!(backward, forward, "{filter}");
    }

    // People: three invited and accepted, two still pending, one of them revoked.
    let alpha = agency["Alpha"].as_str();
    let bravo = agency["Bravo"].as_str();
    let (amy, _) = app
        .add_user(
            dc,
            slug,
            "amy@nc-sorts.example",
            "AGENCY_ADMIN",
            Some(alpha),
        )
        .await;
    let (_, bob) = app
        .add_user(dc, slug, "bob@nc-sorts.example", "USER", Some(alpha))
        .await;
    app.add_user(dc, slug, "zed@nc-sorts.example", "USER", Some(bravo))
        .await;
    let deactivated = app
        .gql(
            "mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { user { id } } }",
            json!({ "i": { "userId": bob } }),
            Some(dc),
        )
        .await;
    assert!(deactivated["errors"].is_null(), "{deactivated}");
    let mut pending = Vec::new();
    for email in ["pending-b@nc-sorts.example", "pending-a@nc-sorts.example"] {
        let invited = app
            .gql(
                "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }",
                json!({ "i": { "email": email, "role": "USER", "agencyId": alpha } }),
                Some(dc),
            )
            .await;
        pending.push(created_id(&invited, "inviteUser", "invitation"));
    }
    let revoked = app
        .gql(
            "mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { invitation { id } } }",
            json!({ "i": { "id": pending[0] } }),
            Some(dc),
        )
        .await;
    assert!(revoked["errors"].is_null(), "{revoked}");

    let lead = tenant.email.as_str();
    for (token, args, emails) in [
        (
            dc,
            "orderBy: { field: EMAIL }, ",
            vec![
                "amy@nc-sorts.example",
                "bob@nc-sorts.example",
                lead,
                "zed@nc-sorts.example",
            ],
        ),
        (
            dc,
            "filter: { role: USER }, orderBy: { field: EMAIL, direction: DESC }, ",
            vec!["zed@nc-sorts.example", "bob@nc-sorts.example"],
        ),
        (
            dc,
            "filter: { search: \"AMY\" }, ",
            vec!["amy@nc-sorts.example"],
        ),
        (
            dc,
            "filter: { active: false }, ",
            vec!["bob@nc-sorts.example"],
        ),
        // ROLE-2: an Agency Administrator's directory is its agency's, whatever it asks.
        (
            &amy,
            "orderBy: { field: EMAIL }, ",
            vec!["amy@nc-sorts.example", "bob@nc-sorts.example"],
        ),
        (&amy, "filter: { search: \"zed\" }, ", vec![]),
    ] {
        let (forward, backward) = walk(&app, token, "users", args, "email").await;
        assert_eq!(keys(&forward, "email"), emails, "{args}");
        assert_eq!(backward, forward, "{args}");
    }

    for (args, emails) in [
        (
            "filter: { status: PENDING }, orderBy: { field: EMAIL }, ",
            vec!["pending-a@nc-sorts.example"],
        ),
        (
            "filter: { status: REVOKED }, ",
            vec!["pending-b@nc-sorts.example"],
        ),
        (
            "filter: { status: ACCEPTED, emailContains: \"B\" }, ",
            vec!["bob@nc-sorts.example"],
        ),
        (
            "",
            vec![
                "pending-a@nc-sorts.example",
                "pending-b@nc-sorts.example",
                "zed@nc-sorts.example",
                "bob@nc-sorts.example",
                "amy@nc-sorts.example",
            ],
        ),
    ] {
        let (forward, backward) = walk(&app, dc, "invitations", args, "email").await;
        assert_eq!(keys(&forward, "email"), emails, "{args}");
        assert_eq!(backward, forward, "{args}");
    }

    let too_long = "x".repeat(201);
    let response = app
        .gql(
            "query($t: String) { agencies(filter: { nameContains: $t }) { totalCount } }",
            json!({ "t": too_long }),
            Some(dc),
        )
        .await;
    assert_eq!(error_code(&response), "VALIDATION", "{response}");
    assert_eq!(response["errors"][0]["extensions"]["field"], "nameContains");
}

#[tokio::test]
async fn lists_sort_and_filter_through_their_connections_on_postgres() {
    lists_sort_and_filter_through_their_connections(Store::Postgres).await;
}

#[tokio::test]
async fn lists_sort_and_filter_through_their_connections_on_the_embedded_default() {
    lists_sort_and_filter_through_their_connections(Store::Embedded).await;
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
