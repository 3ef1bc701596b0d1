use serde_json::json;

use crate::helpers::{error_code, spawn_app};

#[tokio::test]
async fn agencies_and_projects_page_with_relay_cursors() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let agency = app
            .create_agency(&tenant.token, &format!("Agency {n}"))
            .await;
        ids.push(
            agency["data"]["createAgency"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{agency}"))
                .to_owned(),
        );
    }
    let page = |after: Option<String>| {
        app.gql(
            "query($a: String) { agencies(first: 2, after: $a) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
            json!({ "a": after }),
            Some(&tenant.token),
        )
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let response = page(after).await;
        let connection = &response["data"]["agencies"];
        for edge in connection["edges"].as_array().unwrap() {
            seen.push(edge["node"]["id"].as_str().unwrap().to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen, ids);

    let project = app
        .gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { name projectType projectTypeName } }",
            json!({ "i": { "agencyId": ids[0], "name": "Rapid Rehousing", "projectType": 13 } }),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(
        project["data"]["createProject"]["projectTypeName"],
        "PH – Rapid Re-Housing"
    );
    let retired = app
        .gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { name } }",
            json!({ "i": { "agencyId": ids[0], "name": "Old", "projectType": 5 } }),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(error_code(&retired), "VALIDATION");
    let duplicate = app.create_agency(&tenant.token, "Agency 0").await;
    assert_eq!(error_code(&duplicate), "VALIDATION");
    let bad_cursor = app
        .gql(
            "{ agencies(after: \"nonsense\") { edges { cursor } } }",
            json!({}),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(error_code(&bad_cursor), "VALIDATION");
}

#[tokio::test]
async fn anonymous_callers_see_nothing() {
    let app = spawn_app().await;
    app.sign_up("durham").await;
    for query in [
        "{ me { id } }",
        "{ agencies { edges { cursor } } }",
        "{ users { edges { cursor } } }",
        "{ tenant { id } }",
    ] {
        assert_eq!(
            error_code(&app.gql(query, json!({}), None).await),
            "UNAUTHENTICATED",
            "{query}"
        );
    }
}
