//! Client search: fuzzy names on PostgreSQL through the one SECURITY DEFINER function, partial
//! names, dates of birth and HMIS numbers; never another tenant's clients, nothing without a
//! tenant.
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app};

const SEARCH: &str = "query($q: String, $d: String) { searchClients(query: $q, dob: $d) { edges { node { score client { firstName lastName hmisNumber } } } } }";
const CREATE: &str =
    "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id hmisNumber } } }";

fn names(response: &Value) -> Vec<String> {
    response["data"]["searchClients"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{response}"))
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["node"]["client"]["firstName"].as_str().unwrap_or(""),
                e["node"]["client"]["lastName"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[tokio::test]
async fn search_finds_jonh_smtih_as_john_smith_and_never_another_tenants_clients() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    for (first, last, dob) in [
        ("John", "Smith", "1980-07-01"),
        ("Joan", "Smithers", "1975-01-02"),
        ("Maria", "Garcia", "1990-03-04"),
        ("Jonathan", "Smythe", "1980-07-01"),
    ] {
        app.gql(
            CREATE,
            json!({ "i": { "firstName": first, "lastName": last, "dob": dob } }),
            Some(&a.token),
        )
        .await;
    }
    let created = app
        .gql(
            CREATE,
            json!({ "i": { "firstName": "Ann", "lastName": "Lee", "hmisNumber": "HM-7" } }),
            Some(&a.token),
        )
        .await;
    assert!(created["data"]["createClient"]["client"]["id"].is_string());

    let typo = app
        .gql(SEARCH, json!({ "q": "Jonh Smtih" }), Some(&a.token))
        .await;
    assert_eq!(
        names(&typo).first().map(String::as_str),
        Some("John Smith"),
        "{typo}"
    );
    assert!(!names(&typo).contains(&"Maria Garcia".to_owned()));
    assert!(
        names(&app.gql(SEARCH, json!({ "q": "smi" }), Some(&a.token)).await)
            .contains(&"John Smith".to_owned()),
        "partial name"
    );
    let by_dob = names(
        &app.gql(SEARCH, json!({ "d": "1980-07-01" }), Some(&a.token))
            .await,
    );
    assert_eq!(by_dob.len(), 2, "{by_dob:?}");
    assert_eq!(
        names(
            &app.gql(SEARCH, json!({ "q": "HM-7" }), Some(&a.token))
                .await
        ),
        vec!["Ann Lee"]
    );
    assert_eq!(
        error_code(&app.gql(SEARCH, json!({}), Some(&a.token)).await),
        "VALIDATION"
    );

    // Tenant B has no clients: the same search finds nothing there.
    assert!(
        names(
            &app.gql(SEARCH, json!({ "q": "John Smith" }), Some(&b.token))
                .await
        )
        .is_empty()
    );
    app.gql(
        CREATE,
        json!({ "i": { "firstName": "John", "lastName": "Smith" } }),
        Some(&b.token),
    )
    .await;
    assert_eq!(
        names(
            &app.gql(SEARCH, json!({ "q": "Jonh Smtih" }), Some(&b.token))
                .await
        ),
        vec!["John Smith"],
        "only B's own John Smith"
    );
}

#[tokio::test]
async fn the_search_function_returns_nothing_without_a_tenant() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    app.gql(
        CREATE,
        json!({ "i": { "firstName": "John", "lastName": "Smith" } }),
        Some(&a.token),
    )
    .await;
    let owner = app.owner().await;
    let count = |sql: &'static str| {
        let owner = &owner;
        async move {
            owner
                .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await
                .map(|rows| rows.len())
        }
    };
    assert_eq!(
        count("SELECT * FROM search_clients('john smith', 10)")
            .await
            .unwrap(),
        0,
        "no tenant set: nothing"
    );
    let tx = entities::tenant_scope::begin_without_tenant(&owner)
        .await
        .unwrap();
    let rows = tx
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT * FROM search_clients('john smith', 10)",
        ))
        .await
        .unwrap();
    assert!(
        rows.is_empty(),
        "as the request role with no tenant: nothing"
    );
    drop(tx);
    let tx = entities::tenant_scope::begin(&owner, a.id).await.unwrap();
    let rows = tx
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT * FROM search_clients('john smith', 10)",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "inside the tenant: found");
    // The projection itself is not readable by the request role outside its tenant either.
    let leaked = tx
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT * FROM client_search",
        ))
        .await
        .unwrap();
    assert_eq!(leaked.len(), 1);
}

/// The search asks the database for the page it serves (and one more, to know whether another
/// follows), yet pages through every hit once and in order; a date of birth narrows all the
/// name's hits, not only the first page's.
#[tokio::test]
async fn search_pages_go_through_every_hit_once_and_a_date_of_birth_narrows_them_all() {
    const PAGE: &str = "query($q: String, $d: String, $n: Int, $a: String) { searchClients(query: $q, dob: $d, first: $n, after: $a) {
        edges { cursor node { client { id firstName } } } pageInfo { hasNextPage endCursor } } }";
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let firsts = ["Ann", "Bea", "Cal", "Dee", "Eve"];
    for (n, first) in firsts.iter().enumerate() {
        let created = app
            .gql(
                CREATE,
                json!({ "i": { "firstName": first, "lastName": "Smith", "dob": format!("1980-07-0{}", n + 1) } }),
                Some(&a.token),
            )
            .await;
        assert!(
            created["data"]["createClient"]["client"]["id"].is_string(),
            "{created}"
        );
    }

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    let mut last_page_start;
    loop {
        let page = app
            .gql(
                PAGE,
                json!({ "q": "smith", "n": 2, "a": after }),
                Some(&a.token),
            )
            .await;
        let connection = &page["data"]["searchClients"];
        let edges = connection["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"));
        assert!(!edges.is_empty() && edges.len() <= 2, "{page}");
        seen.extend(edges.iter().map(|e| e["node"]["client"]["id"].clone()));
        last_page_start = edges[0]["cursor"].clone();
        pages += 1;
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
        assert!(pages < 5, "more pages than hits: {page}");
    }
    assert_eq!(pages, 3, "five hits in pages of two");
    assert_eq!(seen.len(), 5);
    let distinct: std::collections::HashSet<_> = seen.iter().map(Value::to_string).collect();
    assert_eq!(distinct.len(), 5, "no hit twice: {seen:?}");

    // Backward from the last page's first hit: the two hits before it, in rank order.
    let back = app
        .gql(
            "query($b: String) { searchClients(query: \"smith\", last: 2, before: $b) {
                edges { node { client { id } } } pageInfo { hasNextPage hasPreviousPage } } }",
            json!({ "b": last_page_start }),
            Some(&a.token),
        )
        .await;
    let connection = &back["data"]["searchClients"];
    let ids: Vec<Value> = connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{back}"))
        .iter()
        .map(|e| e["node"]["client"]["id"].clone())
        .collect();
    assert_eq!(ids, seen[2..4], "{back}");
    assert_eq!(connection["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);

    for (n, first) in firsts.iter().enumerate() {
        let narrowed = app
            .gql(
                PAGE,
                json!({ "q": "smith", "d": format!("1980-07-0{}", n + 1), "n": 1 }),
                Some(&a.token),
            )
            .await;
        assert_eq!(
            narrowed["data"]["searchClients"]["edges"][0]["node"]["client"]["firstName"], *first,
            "{narrowed}"
        );
        assert_eq!(
            narrowed["data"]["searchClients"]["pageInfo"]["hasNextPage"], false,
            "{narrowed}"
        );
    }
}

/// Issue 12: a fuzzy search reads its own tenant's part of the index, whatever the other
/// tenants hold. A GIN index keeps one list per trigram for the whole installation (its cost
/// grew with every tenant's clients); the GiST index groups its tree by tenant first. Exactly
/// one trigram index serves the search, and it is that one.
#[tokio::test]
async fn the_fuzzy_search_index_is_grouped_by_tenant_first() {
    let app = spawn_app().await;
    let db = app.superuser().await;
    let trigram_indexes: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'client_search' \
             AND indexdef LIKE '%trgm_ops%' ORDER BY indexname",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "indexdef").unwrap())
        .collect();
    assert_eq!(trigram_indexes.len(), 1, "{trigram_indexes:?}");
    assert!(
        trigram_indexes[0].ends_with("USING gist (tenant_id, normalized_name gist_trgm_ops)"),
        "{trigram_indexes:?}"
    );
}

/// The planner takes a function's word for how many rows it returns (1,000 when it says
/// nothing); the search's join back to `clients` hashed every client of the tenant when its
/// function said nothing, and fetches each hit by key when it says 200, its LIMIT.
#[tokio::test]
async fn the_search_function_declares_at_most_its_limit_of_rows() {
    let app = spawn_app().await;
    let db = app.superuser().await;
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT prorows, pg_get_functiondef(oid) AS body FROM pg_proc \
             WHERE proname = 'search_clients'",
        ))
        .await
        .unwrap()
        .expect("the search function");
    let rows: f32 = row.try_get("", "prorows").unwrap();
    let body: String = row.try_get("", "body").unwrap();
    assert_eq!(rows, 200.0, "{body}");
    assert!(body.contains("LIMIT least(max_results, 200)"), "{body}");
}
