use serde_json::json;

use crate::enrollments::{self, error_field};
use crate::helpers::{Coc, PASSWORD, error_code, error_rule, nodes, spawn_app};

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
            agency["data"]["createAgency"]["agency"]["id"]
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
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name projectType projectTypeName } } }",
            json!({ "i": { "agencyId": ids[0], "name": "Rapid Rehousing", "projectType": 13 } }),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(
        project["data"]["createProject"]["project"]["projectTypeName"],
        "PH – Rapid Re-Housing"
    );
    let retired = app
        .gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }",
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

/// Projects are renamed and deactivated by the Data Center or their agency's administrator
/// (ROLE-1, ROLE-2), never deleted: a deactivated project takes no new enrollments and keeps
/// those it has; each change is audited.
#[tokio::test]
async fn a_deactivated_project_keeps_its_enrollments_and_takes_no_new_ones() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let (user_a, _) = coc.member("a@um.example", "USER", &coc.agency_a).await;
    let (admin_a, _) = coc
        .member("admin@um.example", "AGENCY_ADMIN", &coc.agency_a)
        .await;
    let (admin_b, _) = coc
        .member("admin@hnh.example", "AGENCY_ADMIN", &coc.agency_b)
        .await;
    let shelter = coc.project(&coc.agency_a, "UM Shelter", 0).await;
    coc.project(&coc.agency_a, "UM Day Center", 11).await;
    let rename = |token: &str, name: &str| {
        let (app, token, shelter) = (app, token.to_owned(), shelter.clone());
        let name = name.to_owned();
        async move {
            app.gql(
                "mutation($i: RenameInput!) { renameProject(input: $i) { project { id name deactivatedAt } } }",
                json!({ "i": { "id": shelter, "name": name } }),
                Some(&token),
            )
            .await
        }
    };
    for (token, rule) in [(&admin_b, "ROLE-2"), (&user_a, "ROLE-3")] {
        let refused = rename(token, "Elsewhere").await;
        assert_eq!(
            (error_code(&refused), error_rule(&refused)),
            ("FORBIDDEN", rule),
            "{refused}"
        );
    }
    let taken = rename(&admin_a, "UM Day Center").await;
    assert_eq!(
        (error_code(&taken), error_field(&taken)),
        ("VALIDATION", "name"),
        "{taken}"
    );
    let renamed = rename(&admin_a, "UM Night Shelter").await;
    assert_eq!(
        renamed["data"]["renameProject"]["project"]["name"], "UM Night Shelter",
        "{renamed}"
    );

    let client = enrollments::client(app, &user_a, "John").await;
    let first = enrollments::enroll(app, &user_a, &client, &shelter, "2025-01-10", json!({})).await;
    assert!(first["errors"].is_null(), "{first}");
    let deactivated = app
        .gql(
            "mutation($i: DeactivateInput!) { deactivateProject(input: $i) { project { deactivatedAt } } }",
            json!({ "i": { "id": shelter } }),
            Some(&admin_a),
        )
        .await;
    assert!(
        deactivated["data"]["deactivateProject"]["project"]["deactivatedAt"].is_string(),
        "{deactivated}"
    );
    let other = enrollments::client(app, &user_a, "Jane").await;
    let refused =
        enrollments::enroll(app, &user_a, &other, &shelter, "2025-02-01", json!({})).await;
    assert_eq!(
        (error_code(&refused), error_field(&refused)),
        ("VALIDATION", "projectId"),
        "{refused}"
    );
    let kept = app
        .gql(
            "query($c: UUID!) { clientEnrollments(clientId: $c) { edges { node { id projectName } } } }",
            json!({ "c": client }),
            Some(&user_a),
        )
        .await;
    let kept = nodes(&kept, "clientEnrollments");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["projectName"], "UM Night Shelter");

    let audited = app
        .gql(
            "{ auditLog(filter: { action: \"project.deactivate\" }) { edges { node { subjectId outcome } } } }",
            json!({}),
            Some(&coc.data_center),
        )
        .await;
    let audited = nodes(&audited, "auditLog");
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert_eq!(audited[0]["subjectId"], shelter.as_str());
}

/// Only the Data Center renames or deactivates an agency (ROLE-1). A deactivated agency's
/// people are signed out and no longer sign in, its pending invitations stop working, nobody
/// joins it and it gets no new projects; what it entered stays, under its name.
#[tokio::test]
async fn a_deactivated_agency_signs_its_people_out_and_takes_nobody_new() {
    let coc = Coc::new().await;
    let app = &coc.app;
    let (admin_a, _) = coc
        .member("admin@um.example", "AGENCY_ADMIN", &coc.agency_a)
        .await;
    let (user_a, _) = coc.member("a@um.example", "USER", &coc.agency_a).await;
    let (user_b, _) = coc.member("b@hnh.example", "USER", &coc.agency_b).await;
    let agency_change = |token: &str, mutation: &str, input: serde_json::Value| {
        let (app, token) = (app, token.to_owned());
        let query = format!(
            "mutation($i: {}Input!) {{ {mutation}(input: $i) {{ agency {{ name deactivatedAt }} }} }}",
            if mutation == "renameAgency" {
                "Rename"
            } else {
                "Deactivate"
            }
        );
        async move { app.gql(&query, json!({ "i": input }), Some(&token)).await }
    };
    let refused = agency_change(
        &admin_a,
        "renameAgency",
        json!({ "id": coc.agency_b, "name": "Mine now" }),
    )
    .await;
    assert_eq!(error_rule(&refused), "ROLE-1", "{refused}");
    let renamed = agency_change(
        &coc.data_center,
        "renameAgency",
        json!({ "id": coc.agency_b, "name": "New Hope Housing" }),
    )
    .await;
    assert_eq!(
        renamed["data"]["renameAgency"]["agency"]["name"], "New Hope Housing",
        "{renamed}"
    );

    let entered_by_b = enrollments::client(app, &user_b, "Bea").await;
    let pending = app
        .gql(
            "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token } } }",
            json!({ "i": { "email": "later@hnh.example", "role": "USER", "agencyId": coc.agency_b } }),
            Some(&coc.data_center),
        )
        .await;
    let pending = pending["data"]["inviteUser"]["invitation"]["token"].clone();
    assert!(pending.is_string());

    let refused = agency_change(&admin_a, "deactivateAgency", json!({ "id": coc.agency_b })).await;
    assert_eq!(error_rule(&refused), "ROLE-1", "{refused}");
    let deactivated = agency_change(
        &coc.data_center,
        "deactivateAgency",
        json!({ "id": coc.agency_b }),
    )
    .await;
    assert!(
        deactivated["data"]["deactivateAgency"]["agency"]["deactivatedAt"].is_string(),
        "{deactivated}"
    );

    // Signed out, and no way back in.
    let me = app.gql("{ me { id } }", json!({}), Some(&user_b)).await;
    assert_eq!(error_code(&me), "UNAUTHENTICATED", "{me}");
    let login = app.login("durham", "b@hnh.example", PASSWORD).await;
    assert!(
        login["data"].is_null() && !login["errors"].is_null(),
        "{login}"
    );
    let accepted = app
        .gql(
            "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken } }",
            json!({ "i": { "tenantSlug": "durham", "token": pending, "displayName": "Late", "password": PASSWORD } }),
            None,
        )
        .await;
    assert!(accepted["data"].is_null(), "{accepted}");
    // Nobody joins it, and it gets no new projects.
    let invite = app
        .gql(
            "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token } } }",
            json!({ "i": { "email": "new@hnh.example", "role": "USER", "agencyId": coc.agency_b } }),
            Some(&coc.data_center),
        )
        .await;
    assert_eq!(error_field(&invite), "agencyId", "{invite}");
    let project = app
        .gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
            json!({ "i": { "agencyId": coc.agency_b, "name": "Late", "projectType": 0 } }),
            Some(&coc.data_center),
        )
        .await;
    assert_eq!(error_field(&project), "agencyId", "{project}");
    // What it entered stays, shared as before, under its (new) name.
    let seen = app
        .gql(
            "query($c: UUID!) { client(id: $c) { provenance { entered { agency { name } } } } }",
            json!({ "c": entered_by_b }),
            Some(&user_a),
        )
        .await;
    assert_eq!(
        seen["data"]["client"]["provenance"]["entered"]["agency"]["name"], "New Hope Housing",
        "{seen}"
    );
}
