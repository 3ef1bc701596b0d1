//! A page of clients with their enrollments costs a fixed number of database statements,
//! whatever the page size: the data loader batches, there is no N+1.
use serde_json::json;

use crate::helpers::{Tenant, TestApp, spawn_app};

const PAGE: &str = "query($n: Int) { clients(first: $n) { edges { node { id hmisNumber enrollments { id projectName flags { rule } } } } } }";

#[tokio::test]
async fn a_page_of_fifty_clients_with_their_enrollments_costs_a_bounded_number_of_queries() {
    let app = spawn_app().await;
    let (tenant, agency, user) = durham_with_staff(&app).await;
    let project = shelter(&app, &tenant, &agency).await;
    for n in 0..50 {
        enrolled_client(&app, &user, &project, &format!("Client{n}")).await;
    }

    let cost = |n: i64| {
        let (app, user) = (&app, &user);
        async move {
            let before = app.state.db_queries.get();
            let page = app.gql(PAGE, json!({ "n": n }), Some(user)).await;
            let used = app.state.db_queries.get() - before;
            let edges = page["data"]["clients"]["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{page}"))
                .clone();
            assert_eq!(edges.len(), usize::try_from(n).unwrap());
            assert!(
                edges.iter().all(|e| e["node"]["enrollments"]
                    .as_array()
                    .is_some_and(|a| a.len() == 1)),
                "{page}"
            );
            used
        }
    };
    // Each measured twice, keeping the lower: at most once a minute a request also writes its
    // session's last-seen time, and that minute may fall in either measurement.
    let five = cost(5).await.min(cost(5).await);
    let fifty = cost(50).await.min(cost(50).await);
    // A statement per client would add 45 or more. The loader sends what it has gathered 1 ms
    // after its first key, and a long page's items are not all reached within that on a slow
    // (debug, busy) machine: 50 clients then go in two batches of 2 statements (seen: 7 vs 5).
    assert!(
        fifty <= five + 4,
        "50 clients cost {fifty} statements, 5 cost {five}"
    );
    assert!(fifty <= 20, "a page costs {fifty} statements");
}

/// PROV-1's names come through data loaders: naming who entered each of fifty enrollments,
/// and from which agency, adds a statement or two per kind, not one per enrollment.
#[tokio::test]
async fn prov_1_names_cost_a_batch_per_kind_not_a_statement_per_record() {
    let app = spawn_app().await;
    let (tenant, agency, user) = durham_with_staff(&app).await;
    let project = shelter(&app, &tenant, &agency).await;
    for n in 0..50 {
        enrolled_client(&app, &user, &project, &format!("Client{n}")).await;
    }
    const NAMED: &str = "query($n: Int) { clients(first: $n) { edges { node { id hmisNumber
        enrollments { id projectName flags { rule }
            provenance { entered { user { displayName } agency { name } } } } } } } }";
    let cost = |query: &'static str| {
        let (app, user) = (&app, &user);
        async move {
            let before = app.state.db_queries.get();
            let page = app.gql(query, json!({ "n": 50 }), Some(user)).await;
            let used = app.state.db_queries.get() - before;
            let edges = page["data"]["clients"]["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{page}"))
                .clone();
            assert_eq!(edges.len(), 50, "{page}");
            if query == NAMED {
                for edge in &edges {
                    let entered = &edge["node"]["enrollments"][0]["provenance"]["entered"];
                    assert_eq!(entered["agency"]["name"], "Urban Ministries", "{entered}");
                    assert_eq!(entered["user"]["displayName"], "Staff", "{entered}");
                }
            }
            used
        }
    };
    let bare = cost(PAGE).await.min(cost(PAGE).await);
    let named = cost(NAMED).await.min(cost(NAMED).await);
    // Two loaders, each sending what it gathered in one or (on a slow machine) two batches.
    assert!(
        named <= bare + 4,
        "names cost {named} statements against {bare} without"
    );
}

/// The benchmark's client profile: the client and five lists, with provenance and access.
const PROFILE: &str = include_str!("../../../bench/concord_profile.graphql");

/// Issue 13: the six fields of a profile read in one tenant transaction (the session check's),
/// the plan version and the client read once, so the statements do not grow with the fields; and the
/// view (AUD-2) that the shared transaction writes is committed before the answer.
#[tokio::test]
async fn a_client_profile_reads_in_one_transaction_and_records_its_view() {
    let app = spawn_app().await;
    let (tenant, agency, user) = durham_with_staff(&app).await;
    let project = shelter(&app, &tenant, &agency).await;
    let client = enrolled_client(&app, &user, &project, "Ada").await;

    let mut fewest = u64::MAX;
    for _ in 0..2 {
        // Twice, keeping the lower: once a minute a request also writes its session's last-seen time.
        let before = app.state.db_queries.get();
        let profile = app
            .gql(PROFILE, json!({ "clientId": client }), Some(&user))
            .await;
        fewest = fewest.min(app.state.db_queries.get() - before);
        assert!(profile["errors"].is_null(), "{profile}");
        assert_eq!(
            profile["data"]["client"]["id"],
            client.as_str(),
            "{profile}"
        );
        let demographics = profile["data"]["client"]["demographics"].to_string();
        assert!(demographics.contains("Ada"), "{profile}");
        let stays = &profile["data"]["clientEnrollments"]["edges"];
        assert_eq!(stays[0]["node"]["projectName"], "Shelter", "{profile}");
    }
    // Role, tenant and the session with the plan version in force (1: `begin_request`) +
    // the client with its current values (1) + view (1) + five lists, the enrollments with
    // their projects (5); the plan itself is held in process. A transaction per field
    // repeated the role, tenant, plan and client six times (51 statements).
    assert!(fewest <= 8, "a profile costs {fewest} statements");

    // A read that opens a transaction of its own (`me`) beside the shared ones: the request
    // gives the shared connection back first, so thirty at once (three times the pool) all
    // answer instead of each holding one connection while waiting for a second.
    let mixed = "query($c: UUID!) { me { id } client(id: $c) { id } }";
    let answers = futures_util::future::join_all(
        (0..30).map(|_| app.gql(mixed, json!({ "c": client }), Some(&user))),
    )
    .await;
    for answer in &answers {
        assert!(answer["errors"].is_null(), "{answer}");
        assert_eq!(answer["data"]["client"]["id"], client.as_str(), "{answer}");
    }

    let views = app
        .gql(
            "query($c: UUID!) { clientViews(clientId: $c, first: 50) { edges { node { viewerUserId } } } }",
            json!({ "c": client }),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(
        crate::helpers::nodes(&views, "clientViews").len(),
        32,
        "each profile read is recorded: {views}"
    );
}

/// The console's queries (`frontend/queries`, each at its default page size) fit the limits and
/// answer: the complexity budget is set from them (issue 13), and a query that no longer
/// matches the schema fails here.
#[tokio::test]
async fn the_consoles_queries_fit_the_limits_and_answer() {
    let app = spawn_app().await;
    let (tenant, agency, user) = durham_with_staff(&app).await;
    let project = shelter(&app, &tenant, &agency).await;
    let client = enrolled_client(&app, &user, &project, "Ada").await;

    let variables = json!({ "clientId": client, "query": "Ada" });
    for (name, query) in CONSOLE_QUERIES {
        let answer = app.gql(query, variables.clone(), Some(&user)).await;
        assert!(answer["errors"].is_null(), "{name}: {answer}");
    }
    let profile = app.gql(CONSOLE_QUERIES[0].1, variables, Some(&user)).await;
    assert_eq!(profile["data"]["client"]["id"], client, "{profile}");
    assert_eq!(
        profile["data"]["clientEnrollments"]["nodes"][0]["access"][0]["allowed"], true,
        "{profile}"
    );
    assert_eq!(
        profile["data"]["client"]["demographics"][0]["entered"]["user"]["displayName"], "Staff",
        "PROV-1 by name: {profile}"
    );
}

const CONSOLE_QUERIES: [(&str, &str); 5] = [
    (
        "client profile",
        include_str!("../../../frontend/queries/client_profile.graphql"),
    ),
    (
        "client enrollments",
        include_str!("../../../frontend/queries/client_enrollments.graphql"),
    ),
    (
        "client list",
        include_str!("../../../frontend/queries/client_list.graphql"),
    ),
    (
        "client search",
        include_str!("../../../frontend/queries/client_search.graphql"),
    ),
    (
        "home",
        include_str!("../../../frontend/queries/home.graphql"),
    ),
];

/// The agency's project, created by the Data Center; its id.
async fn shelter(app: &TestApp, tenant: &Tenant, agency: &str) -> String {
    app.gql(
        "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
        json!({ "i": { "agencyId": agency, "name": "Shelter", "projectType": 0 } }),
        Some(&tenant.token),
    )
    .await["data"]["createProject"]["project"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A client entered by `user`, enrolled in `project`; its id.
async fn enrolled_client(app: &TestApp, user: &str, project: &str, first_name: &str) -> String {
    let client = app
        .gql(
            "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
            json!({ "i": { "firstName": first_name, "lastName": "Test", "dob": "1980-07-01" } }),
            Some(user),
        )
        .await["data"]["createClient"]["client"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let enrolled = app
        .gql(
            "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }",
            json!({ "i": { "clientId": client, "projectId": project, "relationshipToHoh": 1, "entryDate": "2024-01-01" } }),
            Some(user),
        )
        .await;
    assert!(
        enrolled["data"]["enrollClient"]["enrollment"]["id"].is_string(),
        "{enrolled}"
    );
    client
}

/// A CoC with one agency and one of its users: the Data Center, the agency's id, the user's token.
async fn durham_with_staff(app: &TestApp) -> (Tenant, String, String) {
    let tenant = app.sign_up("durham").await;
    let agency = app.create_agency(&tenant.token, "Urban Ministries").await["data"]["createAgency"]
        ["agency"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (user, _) = app
        .add_user(
            &tenant.token,
            "durham",
            "staff@um.example",
            "USER",
            Some(&agency),
        )
        .await;
    (tenant, agency, user)
}
