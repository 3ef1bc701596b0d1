//! The sharing plan (SPEC §3): versions, templates, validation, diffs; only the Data Center
//! publishes (`ROLE-1`).
use serde_json::{Value, json};

use crate::helpers::{PLAN_DOCUMENT, TestApp, error_code, error_rule, spawn_app};

const VERSION: &str = "id version template publishedAt publishedBy";

fn error_field(response: &Value) -> &str {
    response["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

async fn sharing_plan(app: &TestApp, token: &str) -> Value {
    let response = app
        .gql(
            &format!("{{ sharingPlan {{ {VERSION} {PLAN_DOCUMENT} }} }}"),
            json!({}),
            Some(token),
        )
        .await;
    assert!(
        response["data"]["sharingPlan"].is_object(),
        "sharingPlan failed: {response}"
    );
    response["data"]["sharingPlan"].clone()
}

async fn publish_template(app: &TestApp, token: &str, template: &str) -> Value {
    app.gql(
        &format!(
            "mutation($t: PlanTemplate!) {{ publishSharingPlanTemplate(input: {{ template: $t }}) {{ version {{ {VERSION} {PLAN_DOCUMENT} }} }} }}"
        ),
        json!({ "t": template }),
        Some(token),
    )
    .await
}

async fn publish(app: &TestApp, token: &str, document: &Value) -> Value {
    app.gql(
        "mutation($i: SharingPlanInput!) { publishSharingPlan(input: $i) { version { version template } } }",
        json!({ "i": document }),
        Some(token),
    )
    .await
}

async fn diff(app: &TestApp, token: &str, from: i32, to: i32) -> Vec<(String, String, String)> {
    let response = app
        .gql(
            "query($f: Int!, $t: Int!) { sharingPlanDiff(fromVersion: $f, toVersion: $t) { field before after } }",
            json!({ "f": from, "t": to }),
            Some(token),
        )
        .await;
    response["data"]["sharingPlanDiff"]
        .as_array()
        .unwrap_or_else(|| panic!("diff failed: {response}"))
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().to_owned(),
                c["before"].as_str().unwrap().to_owned(),
                c["after"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A person of `role` at a new agency, Urban Ministries: their token and the agency's id.
async fn urban_ministries(app: &TestApp, token: &str, role: &str) -> (String, String) {
    let agency = app.create_agency(token, "Urban Ministries").await;
    let agency_id = agency["data"]["createAgency"]["agency"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (person, _) = app
        .add_user(token, "durham", "admin@um.example", role, Some(&agency_id))
        .await;
    (person, agency_id)
}

fn element<'a>(plan: &'a Value, key: &str) -> &'a Value {
    plan["document"]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap_or_else(|| panic!("no element {key} in {plan}"))
}

#[tokio::test]
async fn a_new_tenant_has_durham_v1_as_version_1() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let plan = sharing_plan(&app, &tenant.token).await;
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["template"], "DURHAM_V1");
    assert_eq!(plan["publishedBy"], tenant.user_id.to_string());
    let elements = plan["document"]["elements"].as_array().unwrap();
    let keys: Vec<&str> = elements
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "client_demographics",
            "profile_assessment",
            "entry_exit",
            "file_attachments",
            "case_manager",
            "services",
            "client_notes"
        ]
    );
    assert!(elements.iter().all(|e| e["shared"] == true));
    assert_eq!(
        element(&plan, "client_demographics")["strategy"],
        "SINGLE_ANSWER"
    );
    assert_eq!(element(&plan, "services")["strategy"], "NEVER_DELETED");
    let parameters = &plan["document"]["parameters"];
    assert_eq!(parameters["contactAttemptsMin"], 3);
    assert_eq!(parameters["contactWindowDays"], 14);
    assert_eq!(parameters["adminReviewDays"], 30);
    assert_eq!(parameters["serviceNotesShared"], false);
    assert!(
        parameters["concurrentProjectTypes"]
            .as_array()
            .unwrap()
            .contains(&json!({ "first": 0, "second": 13 }))
    );
}

#[tokio::test]
async fn the_data_center_publishes_private_and_version_1_stays_readable() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let published = publish_template(&app, &tenant.token, "PRIVATE").await;
    let v2 = &published["data"]["publishSharingPlanTemplate"]["version"];
    assert_eq!(v2["version"], 2, "{published}");
    assert_eq!(v2["template"], "PRIVATE");

    let active = sharing_plan(&app, &tenant.token).await;
    assert_eq!(active["version"], 2);
    assert_eq!(element(&active, "client_demographics")["shared"], false);

    let v1 = app
        .gql(
            &format!("{{ sharingPlanVersion(version: 1) {{ {VERSION} {PLAN_DOCUMENT} }} }}"),
            json!({}),
            Some(&tenant.token),
        )
        .await;
    let v1 = &v1["data"]["sharingPlanVersion"];
    assert_eq!(v1["template"], "DURHAM_V1");
    assert_eq!(element(v1, "client_demographics")["shared"], true);
    let missing = app
        .gql(
            "{ sharingPlanVersion(version: 9) { id } }",
            json!({}),
            Some(&tenant.token),
        )
        .await;
    assert_eq!(error_code(&missing), "NOT_FOUND");

    // Newest first, one per page.
    let page = |after: Option<String>| {
        app.gql(
            "query($a: String) { sharingPlanVersions(first: 1, after: $a) { edges { node { version } } pageInfo { hasNextPage endCursor } } }",
            json!({ "a": after }),
            Some(&tenant.token),
        )
    };
    let mut versions = Vec::new();
    let mut after = None;
    loop {
        let response = page(after).await;
        let connection = &response["data"]["sharingPlanVersions"];
        for edge in connection["edges"].as_array().unwrap() {
            versions.push(edge["node"]["version"].as_i64().unwrap());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(versions, [2, 1]);

    let changes = diff(&app, &tenant.token, 1, 2).await;
    assert_eq!(changes.len(), 7, "{changes:?}");
    assert_eq!(
        changes[0],
        (
            "elements.client_demographics.shared".to_owned(),
            "true".to_owned(),
            "false".to_owned()
        )
    );
    assert!(
        changes
            .iter()
            .any(|(f, b, a)| f == "elements.services.shared" && b == "true" && a == "false")
    );
    assert_eq!(diff(&app, &tenant.token, 2, 1).await[0].1, "false");
    assert!(diff(&app, &tenant.token, 1, 1).await.is_empty());

    // Every publish is in the audit log with its version and template.
    let db = app.superuser().await;
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT detail->>'version' AS version, detail->>'template' AS template FROM audit_log \
             WHERE action = 'plan.publish' AND outcome = 'ALLOWED'",
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(row.try_get::<String>("", "version").unwrap(), "2");
    assert_eq!(row.try_get::<String>("", "template").unwrap(), "private");
}

#[tokio::test]
async fn role_1_only_the_data_center_publishes_the_plan() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let (admin, agency_id) = urban_ministries(&app, &tenant.token, "AGENCY_ADMIN").await;
    let (user, _) = app
        .add_user(
            &tenant.token,
            "durham",
            "staff@um.example",
            "USER",
            Some(&agency_id),
        )
        .await;
    let document = sharing_plan(&app, &tenant.token).await["document"].clone();

    for token in [&admin, &user] {
        // Anyone in the tenant reads the plan.
        assert_eq!(sharing_plan(&app, token).await["version"], 1);
        let refused = publish_template(&app, token, "PRIVATE").await;
        assert_eq!(error_code(&refused), "FORBIDDEN");
        assert_eq!(error_rule(&refused), "ROLE-1");
        let refused = publish(&app, token, &document).await;
        assert_eq!(error_code(&refused), "FORBIDDEN");
        assert_eq!(error_rule(&refused), "ROLE-1");
    }
    assert_eq!(sharing_plan(&app, &tenant.token).await["version"], 1);

    let db = app.superuser().await;
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'plan.publish' \
             AND outcome = 'REFUSED' AND rule = 'ROLE-1'",
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 4);

    let anonymous = app
        .gql("{ sharingPlan { version } }", json!({}), None)
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}

#[tokio::test]
async fn invalid_plans_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let document = sharing_plan(&app, &tenant.token).await["document"].clone();
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut document = document.clone();
        edit(&mut document);
        document
    };
    let set_element = |key: &'static str, field: &'static str, value: Value| {
        move |d: &mut Value| {
            for e in d["elements"].as_array_mut().unwrap() {
                if e["key"] == key {
                    e[field] = value.clone();
                }
            }
        }
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            edited(&|d| d["parameters"]["contactWindowDays"] = json!(0)),
            "parameters.contact_window_days",
        ),
        (
            edited(&|d| d["parameters"]["adminReviewDays"] = json!(-5)),
            "parameters.admin_review_days",
        ),
        (
            edited(&|d| d["parameters"]["contactAttemptsMin"] = json!(21)),
            "parameters.contact_attempts_min",
        ),
        (
            edited(&|d| {
                set_element("services", "shared", json!(false))(d);
                d["parameters"]["serviceNotesShared"] = json!(true);
            }),
            "parameters.service_notes_shared",
        ),
        (
            edited(&set_element(
                "services",
                "strategy",
                json!("AUTHOR_ONLY_DELETION"),
            )),
            "elements.services.strategy",
        ),
        (
            edited(&|d| {
                d["elements"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|e| e["key"] != "client_notes")
            }),
            "elements.client_notes",
        ),
        (
            edited(&|d| {
                let copy = d["elements"][0].clone();
                d["elements"].as_array_mut().unwrap().push(copy);
            }),
            "elements.client_demographics",
        ),
        (
            edited(&|d| {
                d["elements"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({ "key": "Income!", "shared": true, "strategy": "MULTI_ANSWER" }));
            }),
            "elements.Income!",
        ),
        (
            edited(&|d| {
                d["parameters"]["concurrentProjectTypes"] =
                    json!([{ "first": 0, "second": 13 }, { "first": 5, "second": 13 }]);
            }),
            "parameters.concurrent_project_types[1]",
        ),
        (
            edited(&|d| {
                d["parameters"]["concurrentProjectTypes"] =
                    json!([{ "first": 0, "second": 13 }, { "first": 13, "second": 0 }]);
            }),
            "parameters.concurrent_project_types[1]",
        ),
    ];
    for (document, field) in cases {
        let refused = publish(&app, &tenant.token, &document).await;
        assert_eq!(error_code(&refused), "VALIDATION", "{field}: {refused}");
        assert_eq!(error_field(&refused), field, "{refused}");
    }
    assert_eq!(sharing_plan(&app, &tenant.token).await["version"], 1);

    // A valid edit, with an element added later, becomes version 2.
    let valid = edited(&|d| {
        d["parameters"]["contactWindowDays"] = json!(21);
        d["elements"].as_array_mut().unwrap().push(
            json!({ "key": "income_and_benefits", "shared": true, "strategy": "MULTI_ANSWER" }),
        );
    });
    let published = publish(&app, &tenant.token, &valid).await;
    assert_eq!(
        published["data"]["publishSharingPlan"]["version"]["version"], 2,
        "{published}"
    );
    assert_eq!(
        published["data"]["publishSharingPlan"]["version"]["template"],
        Value::Null
    );
    let change = |f: &str, b: &str, a: &str| (f.to_owned(), b.to_owned(), a.to_owned());
    assert_eq!(
        diff(&app, &tenant.token, 1, 2).await,
        [
            change("elements.income_and_benefits.shared", "absent", "true"),
            change(
                "elements.income_and_benefits.strategy",
                "absent",
                "multi_answer"
            ),
            change("parameters.contact_window_days", "14", "21"),
        ]
    );
}

#[tokio::test]
async fn plan_1_the_preview_names_the_decisions_a_draft_would_flip_and_publishes_nothing() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let mut draft = sharing_plan(&app, &tenant.token).await["document"].clone();
    for element in draft["elements"].as_array_mut().unwrap() {
        if element["key"] == "client_notes" {
            element["shared"] = json!(false);
        }
    }
    let preview = |token: String, document: Value| {
        let app = &app;
        async move {
            app.gql(
                "query($i: SharingPlanInput!) { sharingPlanPreview(input: $i) { element role action what allowedBefore allowedAfter rule reason } }",
                json!({ "i": document }),
                Some(&token),
            )
            .await
        }
    };
    let answer = preview(tenant.token.clone(), draft.clone()).await;
    let flips = answer["data"]["sharingPlanPreview"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"));
    let roles: Vec<&str> = flips.iter().map(|f| f["role"].as_str().unwrap()).collect();
    // The Data Center still reads unshared notes (dataCenterReadsUnshared, Durham v1).
    assert_eq!(roles, ["AGENCY_ADMIN", "USER"], "{answer}");
    for flip in flips {
        assert_eq!(flip["element"], "client_notes");
        assert_eq!(flip["action"], "read");
        assert_eq!(flip["what"], "read another agency's client notes");
        assert_eq!(flip["rule"], "PLAN-1");
        assert_eq!(flip["allowedBefore"], true);
        assert_eq!(flip["allowedAfter"], false);
        assert!(
            flip["reason"].as_str().unwrap().contains("version 2"),
            "{flip}"
        );
    }
    assert_eq!(
        sharing_plan(&app, &tenant.token).await["version"],
        1,
        "nothing published"
    );

    let unchanged = sharing_plan(&app, &tenant.token).await["document"].clone();
    let none = preview(tenant.token.clone(), unchanged.clone()).await;
    assert_eq!(none["data"]["sharingPlanPreview"], json!([]), "{none}");

    // A parameter flips an action rather than a read: without DEM-2's documentation
    // requirement, everyone (the Data Center too) may change another agency's value without
    // documentation.
    let mut lenient = unchanged;
    lenient["parameters"]["overrideRequiresDocumentation"] = json!(false);
    let answer = preview(tenant.token.clone(), lenient).await;
    let flips = answer["data"]["sharingPlanPreview"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"));
    let roles: Vec<&str> = flips.iter().map(|f| f["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["DATA_CENTER", "AGENCY_ADMIN", "USER"], "{answer}");
    for flip in flips {
        assert_eq!(flip["element"], "client_demographics", "{flip}");
        assert_eq!(flip["action"], "changeDemographicWithoutDocumentation");
        assert_eq!(flip["rule"], "DEM-2");
        assert_eq!(flip["allowedBefore"], false);
        assert_eq!(flip["allowedAfter"], true);
    }

    let mut invalid = draft.clone();
    invalid["parameters"]["contactWindowDays"] = json!(0);
    let refused = preview(tenant.token.clone(), invalid).await;
    assert_eq!(error_code(&refused), "VALIDATION", "{refused}");

    let (admin, _) = urban_ministries(&app, &tenant.token, "AGENCY_ADMIN").await;
    let refused = preview(admin, draft).await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    assert_eq!(error_rule(&refused), "ROLE-1");
}
