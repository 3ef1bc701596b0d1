//! HUD's further data elements — 4.02 income and benefits, 4.04 health insurance, 4.05–4.10
//! disabling conditions, 4.12 current living situation — as plan entries under the
//! answers-over-time strategy: collected only where the plan names them, shared or not
//! (PLAN-1), corrected and end-dated under PRO-1..PRO-4, each value with its provenance
//! (PROV-1) and its HUD code's meaning.
use serde_json::{Value, json};

use crate::enrollments::error_field;
use crate::helpers::{error_code, error_rule};
use crate::profile::{Community, community, count};

const ANSWER: &str = "id element field value valueLabel
    typedValue { __typename ... on MoneyValue { cents } ... on CodeValue { code label } }
    informationDate endDate
    atClientDirection correctsAnswerId version
    provenance { enteredByUserId enteredByAgencyId }
    access { action allowed rule conditions }";

impl Community {
    /// The Data Center adds `key` to the plan (shared or not): the tenant collects it.
    async fn collect(&self, key: &str, shared: bool) {
        self.republish(|d| {
            d["elements"]
                .as_array_mut()
                .unwrap()
                .push(json!({ "key": key, "shared": shared, "strategy": "MULTI_ANSWER" }));
        })
        .await;
    }

    async fn add_answer(
        &self,
        token: &str,
        element: &str,
        field: &str,
        value: &str,
        date: &str,
    ) -> Value {
        self.app
            .gql(
                &format!("mutation($i: AddElementAnswerInput!) {{ addElementAnswer(input: $i) {{ answer {{ {ANSWER} }} }} }}"),
                json!({ "i": { "clientId": self.client, "element": element, "field": field,
                               "value": value, "informationDate": date } }),
                Some(token),
            )
            .await
    }

    async fn answers(&self, token: &str, element: &str) -> Vec<Value> {
        let listed = self
            .app
            .gql(
                &format!("query($c: UUID!, $e: HudElement!) {{ clientElementAnswers(clientId: $c, element: $e) {{ nodes {{ {ANSWER} }} }} }}"),
                json!({ "c": self.client, "e": element }),
                Some(token),
            )
            .await;
        listed["data"]["clientElementAnswers"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{listed}"))
            .clone()
    }

    async fn correct_answer(
        &self,
        token: &str,
        (answer, element): (&Value, &str),
        value: &str,
        at_client_direction: bool,
        note: Option<&str>,
    ) -> Value {
        self.app
            .gql(
                &format!(
                    "mutation($i: CorrectElementAnswerInput!) {{ correctElementAnswer(input: $i) {{
                        answer {{ {ANSWER} }} correctedAnswer {{ {ANSWER} }} note {{ id }}
                        enteringAgencyNotified }} }}"
                ),
                json!({ "i": { "answerId": answer["id"], "element": element,
                               "expectedVersion": answer["version"], "newValue": value,
                               "informationDate": "2025-03-01",
                               "atClientDirection": at_client_direction, "correctionNote": note } }),
                Some(token),
            )
            .await
    }
}

fn access<'a>(answer: &'a Value, action: &str) -> &'a Value {
    answer["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == action)
        .unwrap()
}

#[tokio::test]
async fn plan_1_a_hud_element_is_collected_only_while_the_plan_names_it() {
    let c = community().await;
    let rows = "SELECT count(*) AS n FROM profile_rows WHERE element = 'income_and_benefits'";
    // durham-v1 is the seed's seven elements: income is not collected.
    let refused = c
        .add_answer(
            &c.user_a,
            "INCOME_AND_BENEFITS",
            "INCOME_FROM_ANY_SOURCE",
            "1",
            "2025-01-15",
        )
        .await;
    assert_eq!(
        (error_code(&refused), error_rule(&refused)),
        ("PLAN_RULE", "PLAN-1"),
        "{refused}"
    );
    assert_eq!(count(&c.app, rows).await, 0);

    c.collect("income_and_benefits", true).await;
    let added = c
        .add_answer(
            &c.user_a,
            "INCOME_AND_BENEFITS",
            "TOTAL_MONTHLY_INCOME",
            "1250.5",
            "2025-01-15",
        )
        .await;
    let answer = &added["data"]["addElementAnswer"]["answer"];
    assert_eq!(answer["element"], "INCOME_AND_BENEFITS", "{added}");
    assert_eq!(answer["field"], "TOTAL_MONTHLY_INCOME");
    assert_eq!(answer["value"], "1250.50");
    assert_eq!(
        answer["typedValue"],
        json!({ "__typename": "MoneyValue", "cents": 125050 }),
        "an amount, exactly"
    );
    assert_eq!(answer["informationDate"], "2025-01-15");
    assert_eq!(
        answer["provenance"]["enteredByAgencyId"],
        c.agency_a.as_str()
    );
    let shared = c.answers(&c.user_b, "INCOME_AND_BENEFITS").await;
    assert_eq!(shared.len(), 1, "shared with agency B");
    assert!(c.answers(&c.user_a, "HEALTH_INSURANCE").await.is_empty());

    // Turned off again: no new answers; what was entered stays with the agency that entered
    // it, as for an element the plan does not share.
    c.republish(|d| {
        d["elements"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["key"] != "income_and_benefits");
    })
    .await;
    let off = c
        .add_answer(
            &c.user_a,
            "INCOME_AND_BENEFITS",
            "EARNED_INCOME",
            "900",
            "2025-02-01",
        )
        .await;
    assert_eq!(error_rule(&off), "PLAN-1", "{off}");
    assert!(
        off["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not collect income and benefits"),
        "{off}"
    );
    assert_eq!(count(&c.app, rows).await, 1);
    assert_eq!(c.answers(&c.user_a, "INCOME_AND_BENEFITS").await.len(), 1);
    assert!(c.answers(&c.user_b, "INCOME_AND_BENEFITS").await.is_empty());
}

#[tokio::test]
async fn pro_rules_decide_a_hud_answer_as_they_decide_a_profile_row() {
    let c = community().await;
    c.collect("disabling_conditions", true).await;
    let added = c
        .add_answer(
            &c.user_a,
            "DISABLING_CONDITIONS",
            "PHYSICAL_DISABILITY",
            "0",
            "2025-01-15",
        )
        .await;
    let original = added["data"]["addElementAnswer"]["answer"].clone();
    assert_eq!(original["valueLabel"], "No", "{added}");
    assert_eq!(
        original["typedValue"],
        json!({ "__typename": "CodeValue", "code": 0, "label": "No" })
    );

    // B's view: correcting asks for the client's direction and the note; end-dating is A's.
    let seen = c.answers(&c.user_b, "DISABLING_CONDITIONS").await;
    let correct = access(&seen[0], "correct");
    assert_eq!(
        (&correct["allowed"], &correct["rule"]),
        (&json!(true), &json!("PRO-1"))
    );
    assert_eq!(
        correct["conditions"],
        json!(["CLIENT_DIRECTION", "CORRECTION_NOTE"])
    );
    let end = access(&seen[0], "endDate");
    assert_eq!(
        (&end["allowed"], &end["rule"]),
        (&json!(false), &json!("PRO-4"))
    );

    let element = (&original, "DISABLING_CONDITIONS");
    let undirected = c
        .correct_answer(&c.user_b, element, "1", false, Some("Disability confirmed"))
        .await;
    assert_eq!(error_rule(&undirected), "PRO-1", "{undirected}");
    let no_note = c.correct_answer(&c.user_b, element, "1", true, None).await;
    assert_eq!(error_rule(&no_note), "PRO-3", "{no_note}");
    let corrected = c
        .correct_answer(&c.user_b, element, "1", true, Some("Disability confirmed"))
        .await;
    let outcome = &corrected["data"]["correctElementAnswer"];
    assert_eq!(outcome["answer"]["value"], "1", "{corrected}");
    assert_eq!(outcome["answer"]["valueLabel"], "Yes");
    assert_eq!(outcome["answer"]["correctsAnswerId"], original["id"]);
    assert_eq!(outcome["answer"]["atClientDirection"], true);
    assert_eq!(
        outcome["answer"]["provenance"]["enteredByAgencyId"],
        c.agency_b.as_str()
    );
    // PRO-2 under durham-v1: A's answer stays open for A to end-date; A is told (PRO-4).
    assert!(outcome["correctedAnswer"]["endDate"].is_null());
    assert_eq!(outcome["enteringAgencyNotified"], true);
    assert!(outcome["note"]["id"].is_string());
    let inbox = c.notifications(&c.admin_a).await;
    let bodies: Vec<&str> = inbox["data"]["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["kind"] == "PROFILE_CORRECTED")
        .map(|e| e["node"]["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 1, "{inbox}");
    assert!(
        bodies[0].contains("physical disability (4.05)"),
        "{}",
        bodies[0]
    );
    assert!(!bodies[0].contains("Yes"), "COM-1: no value in a message");

    // A plan that lets a directed correction end-date any agency's answer.
    c.republish(|d| d["parameters"]["correctionEndDates"] = json!("ANY_AT_CLIENT_DIRECTION"))
        .await;
    let current = c.answers(&c.user_b, "DISABLING_CONDITIONS").await;
    let a_answer = current
        .iter()
        .find(|a| a["id"] == original["id"])
        .unwrap()
        .clone();
    let ended = c
        .correct_answer(
            &c.user_b,
            (&a_answer, "DISABLING_CONDITIONS"),
            "1",
            true,
            Some("Confirmed again"),
        )
        .await;
    let outcome = &ended["data"]["correctElementAnswer"];
    assert_eq!(
        outcome["correctedAnswer"]["endDate"], "2025-03-01",
        "{ended}"
    );
    assert_eq!(outcome["correctedAnswer"]["version"], 2);
}

#[tokio::test]
async fn plan_1_an_unshared_hud_element_stays_inside_the_entering_agency() {
    let c = community().await;
    c.collect("current_living_situation", false).await;
    let added = c
        .add_answer(
            &c.user_a,
            "CURRENT_LIVING_SITUATION",
            "LIVING_SITUATION",
            "101",
            "2025-01-15",
        )
        .await;
    let answer = added["data"]["addElementAnswer"]["answer"].clone();
    assert_eq!(
        answer["valueLabel"], "Place not meant for habitation",
        "{added}"
    );

    assert!(
        c.answers(&c.user_b, "CURRENT_LIVING_SITUATION")
            .await
            .is_empty()
    );
    // Probing the answer from B is answered as for a missing one.
    let probe = c
        .correct_answer(
            &c.user_b,
            (&answer, "CURRENT_LIVING_SITUATION"),
            "116",
            true,
            Some("Moved to shelter"),
        )
        .await;
    assert_eq!(error_code(&probe), "NOT_FOUND", "{probe}");
    assert_eq!(
        count(
            &c.app,
            "SELECT count(*) AS n FROM profile_rows WHERE element = 'current_living_situation'"
        )
        .await,
        1
    );
    // The Data Center reads it where the plan says so, and not once the plan says otherwise.
    assert_eq!(
        c.answers(&c.data_center, "CURRENT_LIVING_SITUATION")
            .await
            .len(),
        1
    );
    c.republish(|d| d["parameters"]["dataCenterReadsUnshared"] = json!(false))
        .await;
    assert!(
        c.answers(&c.data_center, "CURRENT_LIVING_SITUATION")
            .await
            .is_empty()
    );
    assert_eq!(
        c.answers(&c.user_a, "CURRENT_LIVING_SITUATION").await.len(),
        1
    );
}

#[tokio::test]
async fn a_hud_answer_is_checked_against_its_fields_and_kept_to_its_own_element() {
    let c = community().await;
    c.collect("health_insurance", true).await;
    let wrong_field = c
        .add_answer(&c.user_a, "HEALTH_INSURANCE", "PHONE", "1", "2025-01-15")
        .await;
    assert_eq!(
        (error_code(&wrong_field), error_field(&wrong_field)),
        ("VALIDATION", "field"),
        "{wrong_field}"
    );
    let wrong_code = c
        .add_answer(
            &c.user_a,
            "HEALTH_INSURANCE",
            "INSURANCE_FROM_ANY_SOURCE",
            "2",
            "2025-01-15",
        )
        .await;
    assert_eq!(
        (error_code(&wrong_code), error_field(&wrong_code)),
        ("VALIDATION", "value"),
        "{wrong_code}"
    );
    assert!(
        wrong_code["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("99 (Data not collected)")
    );
    assert_eq!(
        count(&c.app, "SELECT count(*) AS n FROM profile_rows").await,
        0,
        "bad input loses nothing and writes nothing"
    );

    let added = c
        .add_answer(&c.user_a, "HEALTH_INSURANCE", "MEDICAID", "1", "2025-01-15")
        .await;
    let answer = added["data"]["addElementAnswer"]["answer"].clone();
    assert_eq!(answer["field"], "MEDICAID", "{added}");
    // Not a profile row, and not an answer of another element.
    assert!(c.rows(&c.user_a).await.as_array().unwrap().is_empty());
    let as_row = c.end_date(&c.user_a, &answer, 1, "2025-02-01").await;
    assert_eq!(error_code(&as_row), "NOT_FOUND", "{as_row}");
    let as_income = c
        .correct_answer(
            &c.user_a,
            (&answer, "INCOME_AND_BENEFITS"),
            "0",
            false,
            Some("x"),
        )
        .await;
    assert_eq!(error_code(&as_income), "NOT_FOUND", "{as_income}");

    let fields = c
        .app
        .gql(
            "{ hudElementFields(element: HEALTH_INSURANCE) { name label takes codes { code label } } }",
            json!({}),
            Some(&c.user_a),
        )
        .await;
    let any = &fields["data"]["hudElementFields"][0];
    assert_eq!(any["name"], "INSURANCE_FROM_ANY_SOURCE", "{fields}");
    assert_eq!(any["takes"], "CODE");
    assert!(
        any["codes"]
            .as_array()
            .unwrap()
            .contains(&json!({ "code": 99, "label": "Data not collected" }))
    );
}

/// `PLAN-1`'s parameter is named where it decides: `explain` says the Data Center reads a
/// record the plan keeps inside its agency because of `data_center_reads_unshared`; without
/// it, the record is not found.
#[tokio::test]
async fn plan_1_explain_names_the_parameter_that_lets_the_data_center_read() {
    let c = community().await;
    c.republish(|d| {
        for element in d["elements"].as_array_mut().unwrap() {
            if element["key"] == "client_demographics" {
                element["shared"] = json!(false);
            }
        }
    })
    .await;
    let allowed = explain_view(&c, &c.data_center).await;
    let decision = &allowed["data"]["explain"];
    assert_eq!(
        (
            &decision["allowed"],
            &decision["rule"],
            &decision["planVersion"]
        ),
        (&json!(true), &json!("DEM-1"), &json!(2)),
        "{allowed}"
    );
    assert!(
        decision["reason"]
            .as_str()
            .unwrap()
            .contains("data_center_reads_unshared"),
        "{allowed}"
    );
    c.republish(|d| d["parameters"]["dataCenterReadsUnshared"] = json!(false))
        .await;
    let hidden = explain_view(&c, &c.data_center).await;
    assert_eq!(error_code(&hidden), "NOT_FOUND", "{hidden}");
    // The entering agency still reads its own.
    assert_eq!(
        explain_view(&c, &c.user_a).await["data"]["explain"]["allowed"],
        true
    );
}

async fn explain_view(c: &Community, token: &str) -> Value {
    c.app
        .gql(
            "query($c: UUID!) { explain(action: VIEW_CLIENT, recordId: $c) { allowed rule reason planVersion } }",
            json!({ "c": c.client }),
            Some(token),
        )
        .await
}
