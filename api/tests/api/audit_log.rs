//! The audit log as the Data Center reads it (AUD-1): by person, action, client, outcome and
//! time, newest first, each entry naming its actor; nobody else reads it.
use serde_json::{Value, json};

use crate::enrollments::error_field;
use crate::helpers::{error_code, error_rule, nodes};
use crate::profile::{HMIS_NUMBER, community};

const LOG: &str = "query($f: AuditLogFilter, $n: Int, $a: String) {
    auditLog(filter: $f, first: $n, after: $a) {
        edges { cursor node { id at action outcome rule subjectId
            actor { user { id displayName } agency { name } } } }
        pageInfo { hasNextPage } } }";

fn entries(response: &Value) -> Vec<Value> {
    nodes(response, "auditLog")
}

#[tokio::test]
async fn aud_1_the_data_center_reads_the_log_by_person_action_client_outcome_and_time() {
    let c = community().await;
    let me = |token: &str| {
        let app = &c.app;
        let token = token.to_owned();
        async move {
            app.gql("{ me { id } }", json!({}), Some(&token)).await["data"]["me"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (user_a, user_b) = (me(&c.user_a).await, me(&c.user_b).await);
    let row = c
        .add_row(&c.user_a, "PHONE", "(919) 555-0100", "2024-01-01")
        .await;
    let refused = c
        .correct(
            &c.user_b,
            &row,
            1,
            "919-555-0199",
            "2024-06-01",
            false,
            Some("x"),
        )
        .await;
    assert_eq!(error_rule(&refused), "PRO-1", "{refused}");
    // Another client's record, which a filter by the first client's HMIS number leaves out.
    let other = c
        .app
        .gql(
            "mutation { createClient(input: { hmisNumber: \"DUR-000999\", firstName: \"Other\" }) { client { id } } }",
            json!({}),
            Some(&c.user_a),
        )
        .await;
    let other = other["data"]["createClient"]["client"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let log = |filter: Value| {
        let app = &c.app;
        let dc = c.data_center.clone();
        async move {
            app.gql(LOG, json!({ "f": filter, "n": 100 }), Some(&dc))
                .await
        }
    };

    let about_client = entries(&log(json!({ "clientHmisNumber": HMIS_NUMBER })).await);
    let actions: Vec<&str> = about_client
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"profile.add"), "{actions:?}");
    assert!(actions.contains(&"profile.correct"), "{actions:?}");
    assert!(
        about_client
            .iter()
            .all(|e| e["subjectId"] != other.as_str()),
        "another client's entries are left out: {about_client:?}"
    );
    // Newest first.
    let times: Vec<&str> = about_client
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    let refusals =
        entries(&log(json!({ "action": "profile.correct", "outcome": "REFUSED" })).await);
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0]["rule"], "PRO-1");
    assert_eq!(refusals[0]["subjectId"], row["id"]);
    assert_eq!(
        (
            &refusals[0]["actor"]["user"]["id"],
            &refusals[0]["actor"]["user"]["displayName"],
            &refusals[0]["actor"]["agency"]["name"]
        ),
        (
            &json!(user_b),
            &json!("Staff b"),
            &json!("Housing for New Hope")
        )
    );

    let by_a = entries(&log(json!({ "actorUserId": user_a })).await);
    assert!(!by_a.is_empty());
    assert!(
        by_a.iter()
            .all(|e| e["actor"]["user"]["id"] == user_a.as_str())
    );

    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert!(entries(&log(json!({ "from": later })).await).is_empty());
    let backwards = log(json!({ "from": later, "until": chrono::Utc::now().to_rfc3339() })).await;
    assert_eq!(
        (error_code(&backwards), error_field(&backwards)),
        ("VALIDATION", "until"),
        "{backwards}"
    );
    let unknown = log(json!({ "clientHmisNumber": "DUR-404" })).await;
    assert_eq!(error_field(&unknown), "clientHmisNumber", "{unknown}");

    // Pages follow on from their cursor, older each time, never repeating.
    let dc = c.data_center.clone();
    let first = c.app.gql(LOG, json!({ "n": 2 }), Some(&dc)).await;
    assert_eq!(first["data"]["auditLog"]["pageInfo"]["hasNextPage"], true);
    let cursor = first["data"]["auditLog"]["edges"][1]["cursor"].clone();
    let next = c
        .app
        .gql(LOG, json!({ "n": 2, "a": cursor }), Some(&dc))
        .await;
    let (first, next) = (entries(&first), entries(&next));
    assert_eq!(next.len(), 2);
    assert!(
        next.iter()
            .all(|n| first.iter().all(|f| f["id"] != n["id"]))
    );
    assert!(next[0]["at"].as_str() <= first[1]["at"].as_str());
}

#[tokio::test]
async fn aud_1_nobody_but_the_data_center_reads_the_log() {
    let c = community().await;
    for token in [&c.admin_a, &c.user_a] {
        let refused = c.app.gql(LOG, json!({ "n": 10 }), Some(token)).await;
        assert_eq!(
            (error_code(&refused), error_rule(&refused)),
            ("FORBIDDEN", "AUD-1"),
            "{refused}"
        );
        assert!(refused["data"].is_null(), "{refused}");
    }
    // The refused looks are in the log, for the Data Center to see.
    let mut refused = Vec::new();
    for _ in 0..50 {
        let log = c
            .app
            .gql(
                LOG,
                json!({ "f": { "action": "audit.read", "outcome": "REFUSED" }, "n": 10 }),
                Some(&c.data_center),
            )
            .await;
        refused = entries(&log);
        if refused.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused.iter().all(|e| e["rule"] == "AUD-1"));
}
