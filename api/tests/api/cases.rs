//! The resolution workflows as cases — DEM-3 → DEM-4 and ENR-3 — through GraphQL and the job
//! workers, with the clock moved: every too-early step refused with what is missing, each
//! deadline acted on by the sweep job, the escalation's note and messages, and the update that
//! closes the case.
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::clock::TestClock;
use domain::settings::Settings;
use domain::sharing_plan::{self, Publication};
use serde_json::{Value, json};

use crate::helpers::{Coc, PASSWORD, Store, error_code, error_rule, nodes, spawn, with_workers};

const CHANGE: &str = "mutation($i: ChangeDemographicInput!) { changeClientDemographic(input: $i) {
    __typename ... on Client { version } ... on DataConflict { id status } } }";
const CASE_FIELDS: &str = "id kind state field hmisNumber version clientId ownerAgencyId
    terms { planVersion contactAttemptsMin contactWindowDays adminReviewDays }
    agreedUpdater closedAt
    attempts { method reached note byAgencyId }
    timeline { kind byUserId byAgencyId }
    nextDue { kind at attemptsStillNeeded updater }
    access { action allowed rule reason planVersion }";

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .expect("a time")
        .to_utc()
}

/// A CoC with a user in each of agencies A and B and their administrators, a client A's user
/// entered, and the case under test (a data conflict or an entry/exit error report).
pub struct Parties {
    pub coc: Coc,
    pub clock: Arc<TestClock>,
    pub user_a: String,
    pub user_b: String,
    pub admin_a: String,
    pub admin_b: String,
    pub client: String,
    pub case_id: String,
}

const HMIS_NUMBER: &str = "DUR-4417";

/// The CoC, its four people and the client, before anything is reported.
async fn parties_on(store: Store) -> Parties {
    parties_with(store, |_| {}).await
}

/// As `parties_on`, Concord's settings adjusted by `configure` (the workers are on).
pub async fn parties_with(store: Store, configure: impl FnOnce(&mut Settings)) -> Parties {
    let clock = Arc::new(TestClock::new(start()));
    let configure = |settings: &mut Settings| {
        with_workers(settings);
        configure(settings);
    };
    let app = spawn(store, configure, clock.clone()).await;
    let coc = Coc::on(app).await;
    let (user_a, _) = coc.member("a@um.example", "USER", &coc.agency_a).await;
    let (user_b, _) = coc.member("b@hnh.example", "USER", &coc.agency_b).await;
    let (admin_a, _) = coc
        .member("admin@um.example", "AGENCY_ADMIN", &coc.agency_a)
        .await;
    let (admin_b, _) = coc
        .member("admin@hnh.example", "AGENCY_ADMIN", &coc.agency_b)
        .await;
    let client = coc
        .client(
            &user_a,
            json!({ "hmisNumber": HMIS_NUMBER, "firstName": "Marisol", "lastName": "Quintero", "dob": "1984-02-29" }),
        )
        .await;
    Parties {
        coc,
        clock,
        user_a,
        user_b,
        admin_a,
        admin_b,
        client,
        case_id: String::new(),
    }
}

/// A data conflict: B's user says the client was born on another day than A's user entered.
pub async fn conflict_on_with(store: Store, configure: impl FnOnce(&mut Settings)) -> Parties {
    let mut c = parties_with(store, configure).await;
    open_conflict(&mut c).await;
    c
}

async fn conflict_on(store: Store) -> Parties {
    let mut c = parties_on(store).await;
    open_conflict(&mut c).await;
    c
}

pub async fn open_conflict(c: &mut Parties) {
    let said = change(&c.coc, &c.user_b, &c.client, 1, "1984-03-01").await;
    let conflict = &said["data"]["changeClientDemographic"];
    assert_eq!(conflict["__typename"], "DataConflict", "{said}");
    let listed = c
        .coc
        .app
        .gql(
            &format!("query($c: UUID!) {{ cases(clientId: $c) {{ edges {{ node {{ {CASE_FIELDS} }} }} }} }}"),
            json!({ "c": c.client }),
            Some(&c.user_b),
        )
        .await;
    c.case_id = listed["data"]["cases"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no case for the conflict: {listed}"))
        .to_owned();
}

async fn change(coc: &Coc, token: &str, client: &str, version: i64, dob: &str) -> Value {
    coc.app
        .gql(
            CHANGE,
            json!({ "i": { "clientId": client, "expectedVersion": version, "field": "DOB", "value": dob } }),
            Some(token),
        )
        .await
}

impl Parties {
    /// Moves the clock on; everyone signs in again, as a day later they would have to.
    pub async fn advance(&mut self, by: chrono::Duration) {
        self.clock.advance(by);
        let app = &self.coc.app;
        let sign_in = |email: &'static str| async move {
            let signed_in = app.login("durham", email, PASSWORD).await;
            signed_in["data"]["login"]["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("{signed_in}"))
                .to_owned()
        };
        self.user_a = sign_in("a@um.example").await;
        self.user_b = sign_in("b@hnh.example").await;
        self.admin_a = sign_in("admin@um.example").await;
        self.admin_b = sign_in("admin@hnh.example").await;
        self.coc.data_center = sign_in("lead@durham.example").await;
    }

    pub async fn case(&self, token: &str) -> Value {
        let seen = self
            .coc
            .app
            .gql(
                &format!("query($id: UUID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"),
                json!({ "id": self.case_id }),
                Some(token),
            )
            .await;
        assert!(seen["errors"].is_null(), "{seen}");
        seen["data"]["case"].clone()
    }

    pub async fn step(&self, token: &str, mutation: &str, input: Value) -> Value {
        self.coc
            .app
            .gql(
                &format!(
                    "mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ case {{ {CASE_FIELDS} }} }} }}",
                    input_type = match mutation {
                        "logContactAttempt" => "LogContactAttemptInput",
                        "agreeOnCase" => "AgreeOnCaseInput",
                        _ => "CaseStepInput",
                    }
                ),
                json!({ "i": input }),
                Some(token),
            )
            .await
    }

    pub async fn attempt(&self, token: &str, version: i64, reached: bool) -> Value {
        let input = json!({
            "caseId": self.case_id, "expectedVersion": version,
            "attemptedAt": self.clock.now_rfc3339(), "method": "PHONE", "reached": reached,
            "note": "left a voicemail",
        });
        self.step(token, "logContactAttempt", input).await
    }

    pub async fn escalate(&self, token: &str, version: i64) -> Value {
        let input = json!({ "caseId": self.case_id, "expectedVersion": version });
        self.step(token, "escalateCase", input).await
    }

    pub async fn inbox(&self, token: &str) -> Vec<Value> {
        let listed = self
            .coc
            .app
            .gql(
                "{ notifications(first: 50) { edges { node { kind hmisNumber body recipientUserId caseId } } } }",
                json!({}),
                Some(token),
            )
            .await;
        nodes(&listed, "notifications")
    }
}

trait Rfc3339 {
    fn now_rfc3339(&self) -> String;
}

impl Rfc3339 for TestClock {
    fn now_rfc3339(&self) -> String {
        domain::clock::Clock::now(self).to_rfc3339()
    }
}

fn access<'a>(case: &'a Value, action: &str) -> &'a Value {
    case["access"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["action"] == action))
        .unwrap_or_else(|| panic!("no {action} in {case}"))
}

fn refused_with(response: &Value, rule: &str, says: &str) {
    assert_eq!(error_code(response), "PLAN_RULE", "{response}");
    assert_eq!(error_rule(response), rule, "{response}");
    let message = response["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

/// COM-1: nothing personal in a message, whatever its kind.
pub fn names_the_client_by_hmis_number_only(message: &Value) {
    let text = format!("{} {}", message["body"], message["hmisNumber"]);
    assert!(text.contains(HMIS_NUMBER), "{text}");
    for personal in ["Marisol", "Quintero", "1984", "02-29", "03-01"] {
        assert!(!text.contains(personal), "{personal:?} in {text}");
    }
}

pub async fn wait_for_state(c: &Parties, token: &str, state: &str) -> Value {
    for _ in 0..100 {
        let case = c.case(token).await;
        if case["state"] == state {
            return case;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the case never became {state}: {}", c.case(token).await);
}

async fn dem_4_escalation_path(store: Store) {
    let mut c = conflict_on(store).await;
    let opened = c.case(&c.user_b).await;
    assert_eq!(opened["state"], "OPENED", "{opened}");
    assert_eq!(opened["kind"], "DATA_CONFLICT");
    assert_eq!(opened["field"], "DOB");
    assert_eq!(opened["hmisNumber"], HMIS_NUMBER);
    assert_eq!(opened["ownerAgencyId"], c.coc.agency_a.as_str());
    assert_eq!(
        opened["terms"],
        json!({ "planVersion": 1, "contactAttemptsMin": 3, "contactWindowDays": 14, "adminReviewDays": 30 })
    );
    assert_eq!(opened["timeline"][0]["kind"], "OPENED");
    assert_eq!(opened["nextDue"]["kind"], "CONTACT_ATTEMPTS");
    assert_eq!(opened["nextDue"]["attemptsStillNeeded"], 3);
    // The conflict on the client carries its case and the same access block.
    let on_client = c
        .coc
        .app
        .gql(
            "query($c: UUID!) { dataConflicts(clientId: $c) { edges { node { status case { id state } access { action allowed rule } } } } }",
            json!({ "c": c.client }),
            Some(&c.user_b),
        )
        .await;
    let conflict = &on_client["data"]["dataConflicts"]["edges"][0]["node"];
    assert_eq!(conflict["case"]["id"], c.case_id.as_str(), "{on_client}");
    assert_eq!(
        conflict["access"],
        json!(opened["access"].as_array().map(|a| {
            a
                .iter()
                .map(
                    |p| json!({ "action": p["action"], "allowed": p["allowed"], "rule": p["rule"] })
                )
                .collect::<Vec<_>>()
        }))
    );
    let escalate = access(&opened, "escalate");
    assert_eq!(
        (escalate["allowed"].clone(), escalate["rule"].clone()),
        (json!(false), json!("DEM-4"))
    );

    // No attempt yet.
    refused_with(&c.escalate(&c.user_b, 1).await, "DEM-4", "0 unanswered");
    // Attempts are the reporting agency's to log.
    refused_with(
        &c.attempt(&c.user_a, 1, false).await,
        "DEM-4",
        "agency that reported",
    );

    let first = c.attempt(&c.user_b, 1, false).await;
    let first = &first["data"]["logContactAttempt"]["case"];
    assert_eq!(first["state"], "CONTACTING", "{first}");
    assert_eq!(first["version"], 2);
    c.advance(chrono::Duration::days(2)).await;
    c.attempt(&c.user_b, 2, false).await;
    // Two attempts.
    refused_with(&c.escalate(&c.user_b, 3).await, "DEM-4", "2 unanswered");
    c.advance(chrono::Duration::days(3)).await;
    let third = c.attempt(&c.user_b, 3, false).await;
    let third = &third["data"]["logContactAttempt"]["case"];
    assert_eq!(third["nextDue"]["kind"], "ESCALABLE", "{third}");
    assert_eq!(third["nextDue"]["at"], "2026-03-15T09:00:00+00:00");
    // Three attempts within ten days: not yet, and the sentence says when.
    refused_with(
        &c.escalate(&c.user_b, 4).await,
        "DEM-4",
        "escalation becomes possible on 2026-03-15",
    );
    // A stale step is refused as such.
    assert_eq!(error_code(&c.escalate(&c.user_b, 1).await), "PLAN_RULE");

    // The deadline falls due: the sweep job, reading the moved clock, makes the case
    // escalable by itself and tells the reporting user.
    c.advance(chrono::Duration::days(9) + chrono::Duration::minutes(1))
        .await;
    let escalable = wait_for_state(&c, &c.user_b, "ESCALABLE").await;
    let concord_step = escalable["timeline"]
        .as_array()
        .and_then(|t| t.iter().find(|e| e["kind"] == "BECAME_ESCALABLE"))
        .unwrap_or_else(|| panic!("{escalable}"));
    assert_eq!(
        concord_step["byUserId"],
        Value::Null,
        "Concord took it by itself"
    );
    assert_eq!(access(&escalable, "escalate")["allowed"], true);
    let told = c.inbox(&c.user_b).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["kind"], "CONFLICT_ESCALABLE");
    assert_eq!(told[0]["caseId"], c.case_id.as_str());
    names_the_client_by_hmis_number_only(&told[0]);
    assert!(
        c.inbox(&c.user_a).await.is_empty(),
        "only the reporting user is reminded"
    );

    // Only the reporting agency escalates.
    let version = escalable["version"].as_i64().expect("version");
    refused_with(
        &c.escalate(&c.admin_a, version).await,
        "DEM-4",
        "reported it",
    );
    let escalated = c.escalate(&c.user_b, version).await;
    let escalated = &escalated["data"]["escalateCase"]["case"];
    assert_eq!(escalated["state"], "ESCALATED", "{escalated}");
    assert_eq!(escalated["nextDue"]["kind"], "OWNER_REVIEW");

    // The note holds the conflicting data: the existing value, the proposed one, who said so.
    let notes = c
        .coc
        .app
        .gql(
            "query($c: UUID!) { clientNotes(clientId: $c) { edges { node { body } } } }",
            json!({ "c": c.client }),
            Some(&c.user_a),
        )
        .await;
    let body = notes["data"]["clientNotes"]["edges"][0]["node"]["body"]
        .as_str()
        .unwrap_or_else(|| panic!("no note: {notes}"))
        .to_owned();
    for holds in [
        "DEM-4",
        "1984-02-29",
        "1984-03-01",
        "Staff",
        "Housing for New Hope",
    ] {
        assert!(body.contains(holds), "{holds:?} not in {body:?}");
    }
    // The entering agency's administrators are told; the other agency's are not.
    let to_a = c.inbox(&c.admin_a).await;
    assert_eq!(to_a.len(), 1, "{to_a:?}");
    assert_eq!(to_a[0]["kind"], "CONFLICT_ESCALATED");
    names_the_client_by_hmis_number_only(&to_a[0]);
    assert!(c.inbox(&c.admin_b).await.is_empty());

    // The entering agency corrects its own value: that update closes the case.
    let corrected = change(&c.coc, &c.user_a, &c.client, 1, "1984-03-01").await;
    assert_eq!(
        corrected["data"]["changeClientDemographic"]["__typename"], "Client",
        "{corrected}"
    );
    let closed = c.case(&c.user_b).await;
    assert_eq!(closed["state"], "RESOLVED", "{closed}");
    assert!(closed["closedAt"].is_string());
    assert_eq!(closed["nextDue"], Value::Null);
    let last = closed["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .cloned();
    assert_eq!(
        last.map(|e| e["kind"].clone()),
        Some(json!("RESOLVED_BY_UPDATE"))
    );
    refused_with(
        &c.escalate(&c.user_b, closed["version"].as_i64().unwrap_or(0))
            .await,
        "DEM-4",
        "closed",
    );
}

#[tokio::test]
async fn dem_4_a_conflict_case_runs_to_escalation_on_postgres() {
    dem_4_escalation_path(Store::Postgres).await;
}

#[tokio::test]
async fn dem_4_a_conflict_case_runs_to_escalation_on_the_embedded_default() {
    dem_4_escalation_path(Store::Embedded).await;
}

#[tokio::test]
async fn dem_4_an_agreement_names_the_side_whose_update_closes_the_case() {
    let c = conflict_on(Store::Postgres).await;
    // Either side may record the agreement; here the entering agency agrees that the
    // reporting agency's value is right and that the reporting agency updates the record.
    let agreed = c
        .step(
            &c.user_a,
            "agreeOnCase",
            json!({ "caseId": c.case_id, "expectedVersion": 1, "updater": "REPORTER" }),
        )
        .await;
    let agreed = &agreed["data"]["agreeOnCase"]["case"];
    assert_eq!(agreed["state"], "AGREED", "{agreed}");
    assert_eq!(agreed["nextDue"]["updater"], "REPORTER");
    refused_with(&c.escalate(&c.user_b, 2).await, "DEM-4", "agreed");

    // The reporting side's update, without documentation, is now written and closes it.
    let updated = change(&c.coc, &c.user_b, &c.client, 1, "1984-03-01").await;
    assert_eq!(
        updated["data"]["changeClientDemographic"]["__typename"], "Client",
        "{updated}"
    );
    let closed = c.case(&c.user_b).await;
    assert_eq!(closed["state"], "RESOLVED", "{closed}");
    // Once settled, another undocumented change by B is a new disagreement again.
    let again = change(&c.coc, &c.user_b, &c.client, 2, "1984-03-02").await;
    assert_eq!(
        again["data"]["changeClientDemographic"]["__typename"],
        "Client"
    );
}

#[tokio::test]
async fn dem_3_the_same_value_opens_no_conflict_and_a_documented_change_settles_one() {
    let c = conflict_on(Store::Postgres).await;
    // B says what the record already holds: no disagreement, no case.
    let same = change(&c.coc, &c.user_b, &c.client, 1, "1984-02-29").await;
    assert_eq!(
        same["data"]["changeClientDemographic"]["__typename"], "Client",
        "{same}"
    );
    assert_eq!(
        same["data"]["changeClientDemographic"]["version"], 1,
        "nothing written"
    );
    let listed = c
        .coc
        .app
        .gql(
            "query($c: UUID!) { cases(clientId: $c) { edges { node { id state } } } }",
            json!({ "c": c.client }),
            Some(&c.coc.data_center),
        )
        .await;
    assert_eq!(
        listed["data"]["cases"]["edges"].as_array().map(Vec::len),
        Some(1)
    );

    // DEM-2: B brings a birth certificate; the documented change settles the open case.
    let documented = c
        .coc
        .app
        .gql(
            CHANGE,
            json!({ "i": { "clientId": c.client, "expectedVersion": 1, "field": "DOB", "value": "1984-03-01",
                "documentation": { "documentType": "birth certificate" } } }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        documented["data"]["changeClientDemographic"]["__typename"], "Client",
        "{documented}"
    );
    assert_eq!(c.case(&c.user_b).await["state"], "RESOLVED");
}

#[tokio::test]
async fn dem_4_a_plan_published_later_does_not_move_an_open_cases_deadlines() {
    let mut c = conflict_on(Store::Postgres).await;
    let state = &c.coc.app.state.clone();
    let lead = &c.coc.community.data_center.user.clone();
    let mut document = sharing_plan::active(state, lead)
        .await
        .expect("plan")
        .document;
    document.parameters.contact_attempts_min = 1;
    document.parameters.contact_window_days = 1;
    sharing_plan::publish(state, lead, Publication::Edited(document))
        .await
        .expect("publish version 2");

    c.attempt(&c.user_b, 1, false).await;
    c.advance(chrono::Duration::days(2)).await;
    let case = c.case(&c.user_b).await;
    assert_eq!(case["terms"]["planVersion"], 1, "{case}");
    assert_eq!(case["terms"]["contactAttemptsMin"], 3);
    assert_eq!(case["nextDue"]["attemptsStillNeeded"], 2);
    refused_with(&c.escalate(&c.user_b, 2).await, "DEM-4", "1 unanswered");

    // A case opened now runs under version 2.
    let other = c
        .coc
        .client(
            &c.user_a,
            json!({ "firstName": "Ana", "lastName": "Ruiz", "dob": "1990-01-01" }),
        )
        .await;
    change(&c.coc, &c.user_b, &other, 1, "1990-01-02").await;
    let listed = c
        .coc
        .app
        .gql(
            "query($c: UUID!) { cases(clientId: $c) { edges { node { terms { planVersion contactAttemptsMin } } } } }",
            json!({ "c": other }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        listed["data"]["cases"]["edges"][0]["node"]["terms"],
        json!({ "planVersion": 2, "contactAttemptsMin": 1 })
    );
}

#[tokio::test]
async fn dem_4_a_case_is_hidden_from_other_agencies_and_other_tenants() {
    let c = conflict_on(Store::Postgres).await;
    let agency_c = c.coc.community.state.clone();
    let third = domain::tenancy::create_agency(
        &agency_c,
        &c.coc.community.data_center.user,
        "Third Agency",
    )
    .await
    .expect("agency");
    let (outsider, _) = c
        .coc
        .member("c@third.example", "AGENCY_ADMIN", &third.id.to_string())
        .await;
    let seen = c
        .coc
        .app
        .gql(
            "query($id: UUID!) { case(id: $id) { id } }",
            json!({ "id": c.case_id }),
            Some(&outsider),
        )
        .await;
    assert_eq!(error_code(&seen), "NOT_FOUND", "{seen}");
    let listed = c
        .coc
        .app
        .gql(
            "{ cases { edges { node { id } } } }",
            json!({}),
            Some(&outsider),
        )
        .await;
    assert_eq!(listed["data"]["cases"]["edges"], json!([]));
    // The Data Center sees every case of its CoC; the other tenant's lead sees none of it.
    let all = c
        .coc
        .app
        .gql(
            "{ cases { edges { node { id } } } }",
            json!({}),
            Some(&c.coc.data_center),
        )
        .await;
    assert_eq!(
        all["data"]["cases"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
    let other = c.coc.app.sign_up("orange").await;
    let crossed = c
        .coc
        .app
        .gql(
            "query($id: UUID!) { case(id: $id) { id } }",
            json!({ "id": c.case_id }),
            Some(&other.token),
        )
        .await;
    assert_eq!(error_code(&crossed), "NOT_FOUND", "{crossed}");
    let withdrawn = c
        .step(
            &other.token,
            "withdrawCase",
            json!({ "caseId": c.case_id, "expectedVersion": 1 }),
        )
        .await;
    assert_eq!(error_code(&withdrawn), "NOT_FOUND", "{withdrawn}");
    // The reporting agency withdraws it; its conflict closes.
    let withdrawn = c
        .step(
            &c.admin_b,
            "withdrawCase",
            json!({ "caseId": c.case_id, "expectedVersion": 1 }),
        )
        .await;
    assert_eq!(
        withdrawn["data"]["withdrawCase"]["case"]["state"], "WITHDRAWN",
        "{withdrawn}"
    );
}

/// B's user believes A's shelter stay is wrong (the seed's example: A's shelter exit on
/// 7/8/2021, after the client moved into B's housing on 7/1/2021) and reports it.
async fn report_on(store: Store) -> (Parties, String) {
    let mut c = parties_on(store).await;
    let shelter = c.coc.project(&c.coc.agency_a, "UM Shelter", 0).await;
    let enrolled = c
        .coc
        .app
        .gql(
            "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id version } } }",
            json!({ "i": { "clientId": c.client, "projectId": shelter, "relationshipToHoh": 1, "entryDate": "2021-06-01" } }),
            Some(&c.user_a),
        )
        .await;
    let enrollment = crate::helpers::created_id(&enrolled, "enrollClient", "enrollment");
    let exit = json!({ "i": { "id": enrollment, "expectedVersion": 1, "exitDate": "2021-07-08" } });
    let update = "mutation($i: UpdateEnrollmentInput!) { updateEnrollment(input: $i) { enrollment { id version } } }";
    c.coc.app.gql(update, exit.clone(), Some(&c.user_a)).await;
    // ENR-1: B may not change it, and is told how to report it.
    let refused = c.coc.app.gql(update, exit, Some(&c.user_b)).await;
    refused_with(&refused, "ENR-1", "reportEnrollmentError");
    let reported = c
        .coc
        .app
        .gql(
            &format!("mutation($i: ReportEnrollmentErrorInput!) {{ reportEnrollmentError(input: $i) {{ case {{ {CASE_FIELDS} enrollmentId explanation }} }} }}"),
            json!({ "i": { "enrollmentId": enrollment, "explanation": "Exit date after the client moved into our housing on 2021-07-01" } }),
            Some(&c.user_b),
        )
        .await;
    let case = &reported["data"]["reportEnrollmentError"]["case"];
    assert_eq!(case["kind"], "ENROLLMENT_ERROR", "{reported}");
    assert_eq!(case["state"], "OPENED");
    assert_eq!(case["enrollmentId"], enrollment.as_str());
    assert_eq!(case["ownerAgencyId"], c.coc.agency_a.as_str());
    c.case_id = case["id"].as_str().expect("case id").to_owned();
    (c, enrollment)
}

async fn enr_3_report_path(store: Store) {
    let (mut c, enrollment) = report_on(store).await;
    refused_with(&c.escalate(&c.user_b, 1).await, "ENR-3", "0 unanswered");
    c.attempt(&c.user_b, 1, false).await;
    c.advance(chrono::Duration::days(2)).await;
    c.attempt(&c.user_b, 2, false).await;
    c.advance(chrono::Duration::days(3)).await;
    c.attempt(&c.user_b, 3, false).await;
    refused_with(
        &c.escalate(&c.user_b, 4).await,
        "ENR-3",
        "a review request to the owning agency's administrators becomes possible on 2026-03-15",
    );

    // The window closes: the sweep makes the case escalable and reminds the reporter.
    c.advance(chrono::Duration::days(9) + chrono::Duration::minutes(1))
        .await;
    let escalable = wait_for_state(&c, &c.user_b, "ESCALABLE").await;
    let reminded = c.inbox(&c.user_b).await;
    assert_eq!(reminded.len(), 1, "{reminded:?}");
    assert_eq!(reminded[0]["kind"], "REVIEW_REQUESTABLE");
    names_the_client_by_hmis_number_only(&reminded[0]);

    // The owning agency's administrators are asked to review; the enrollment stays as it is.
    let version = escalable["version"].as_i64().expect("version");
    let asked = c.escalate(&c.user_b, version).await;
    let asked = &asked["data"]["escalateCase"]["case"];
    assert_eq!(asked["state"], "IN_ADMIN_REVIEW", "{asked}");
    assert_eq!(asked["nextDue"]["kind"], "DATA_CENTER_HAND_OVER");
    assert_eq!(asked["nextDue"]["at"], "2026-04-14T09:01:00+00:00");
    let to_a = c.inbox(&c.admin_a).await;
    assert_eq!(to_a.len(), 1, "{to_a:?}");
    assert_eq!(to_a[0]["kind"], "REVIEW_REQUESTED");
    names_the_client_by_hmis_number_only(&to_a[0]);
    let version = asked["version"].as_i64().expect("version");
    refused_with(
        &c.escalate(&c.user_b, version).await,
        "ENR-3",
        "already escalated",
    );

    // Thirty days on and still uncorrected: the case goes to the Data Center's queue.
    c.advance(chrono::Duration::days(29)).await;
    assert_eq!(c.case(&c.user_b).await["state"], "IN_ADMIN_REVIEW");
    c.advance(chrono::Duration::days(1) + chrono::Duration::minutes(1))
        .await;
    let queued = wait_for_state(&c, &c.coc.data_center, "IN_DATA_CENTER_QUEUE").await;
    assert_eq!(queued["nextDue"]["kind"], "DATA_CENTER_REVIEW");
    let handed = queued["timeline"]
        .as_array()
        .and_then(|t| t.iter().find(|e| e["kind"] == "HANDED_TO_DATA_CENTER"))
        .unwrap_or_else(|| panic!("{queued}"));
    assert_eq!(handed["byUserId"], Value::Null, "Concord took it by itself");
    let queue = c
        .coc
        .app
        .gql(
            "{ cases(kinds: [ENROLLMENT_ERROR], states: [IN_DATA_CENTER_QUEUE]) { edges { node { id } } } }",
            json!({}),
            Some(&c.coc.data_center),
        )
        .await;
    assert_eq!(
        queue["data"]["cases"]["edges"][0]["node"]["id"],
        c.case_id.as_str(),
        "{queue}"
    );
    let conflicts_only = c
        .coc
        .app
        .gql(
            "{ cases(kinds: [DATA_CONFLICT]) { edges { node { id } } } }",
            json!({}),
            Some(&c.coc.data_center),
        )
        .await;
    assert_eq!(
        conflicts_only["data"]["cases"]["edges"],
        json!([]),
        "{conflicts_only}"
    );
    let dc = c.inbox(&c.coc.data_center).await;
    let told = dc
        .iter()
        .find(|m| m["kind"] == "HANDED_TO_DATA_CENTER")
        .unwrap_or_else(|| panic!("{dc:?}"));
    names_the_client_by_hmis_number_only(told);

    // The owning agency corrects the stay: the case is resolved.
    let corrected = c
        .coc
        .app
        .gql(
            "mutation($i: UpdateEnrollmentInput!) { updateEnrollment(input: $i) { enrollment { id version } } }",
            json!({ "i": { "id": enrollment, "expectedVersion": 2, "exitDate": "2021-06-30" } }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(
        corrected["data"]["updateEnrollment"]["enrollment"]["version"], 3,
        "{corrected}"
    );
    let closed = c.case(&c.user_b).await;
    assert_eq!(closed["state"], "RESOLVED", "{closed}");
}

#[tokio::test]
async fn enr_3_an_entry_exit_report_runs_to_the_data_center_on_postgres() {
    enr_3_report_path(Store::Postgres).await;
}

#[tokio::test]
async fn enr_3_an_entry_exit_report_runs_to_the_data_center_on_the_embedded_default() {
    enr_3_report_path(Store::Embedded).await;
}

const INCONSISTENCIES: &str = "{ enrollmentInconsistencies { edges { node { id
    kind rule hmisNumber enrollmentId otherEnrollmentId reportEnrollmentId message } } } }";

async fn inconsistencies(c: &Parties, token: &str) -> Vec<Value> {
    let listed = c.coc.app.gql(INCONSISTENCIES, json!({}), Some(token)).await;
    nodes(&listed, "enrollmentInconsistencies")
}

#[tokio::test]
async fn enr_4_the_scan_finds_the_seeds_example_one_step_from_a_report() {
    let c = parties_on(Store::Postgres).await;
    let app = &c.coc.app;
    let enroll = "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id version } } }";
    let update = "mutation($i: UpdateEnrollmentInput!) { updateEnrollment(input: $i) { enrollment { id version } } }";
    // A's shelter stay, 6/1 to 7/8/2021; B's rapid re-housing with a move-in on 7/1/2021.
    let shelter = c.coc.project(&c.coc.agency_a, "UM Shelter", 0).await;
    let rrh = c
        .coc
        .project(&c.coc.agency_b, "HNH Rapid Re-Housing", 13)
        .await;
    let stay = app
        .gql(
            enroll,
            json!({ "i": { "clientId": c.client, "projectId": shelter, "relationshipToHoh": 1, "entryDate": "2021-06-01" } }),
            Some(&c.user_a),
        )
        .await;
    let stay = crate::helpers::created_id(&stay, "enrollClient", "enrollment");
    app.gql(
        update,
        json!({ "i": { "id": stay, "expectedVersion": 1, "exitDate": "2021-07-08" } }),
        Some(&c.user_a),
    )
    .await;
    assert!(
        inconsistencies(&c, &c.user_b).await.is_empty(),
        "nothing yet"
    );
    let housed = app
        .gql(
            enroll,
            json!({ "i": { "clientId": c.client, "projectId": rrh, "relationshipToHoh": 1, "entryDate": "2021-06-15", "moveInDate": "2021-07-01" } }),
            Some(&c.user_b),
        )
        .await;
    let housed = crate::helpers::created_id(&housed, "enrollClient", "enrollment");

    // Found at once, after B's enrollment, for both agencies and the Data Center.
    let for_b = inconsistencies(&c, &c.user_b).await;
    assert_eq!(for_b.len(), 1, "{for_b:?}");
    let finding = &for_b[0];
    assert_eq!(finding["kind"], "MOVE_IN_DURING_SHELTER_STAY");
    let again = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on EnrollmentInconsistency { kind rule } } }",
            json!({ "id": finding["id"] }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        again["data"]["node"]["kind"], "MOVE_IN_DURING_SHELTER_STAY",
        "{again}"
    );
    assert_eq!(finding["rule"], "ENR-4");
    assert_eq!(finding["hmisNumber"], HMIS_NUMBER);
    assert_eq!(finding["enrollmentId"], stay.as_str());
    assert_eq!(finding["otherEnrollmentId"], housed.as_str());
    assert_eq!(
        finding["reportEnrollmentId"],
        stay.as_str(),
        "B may report A's stay"
    );
    let for_a = inconsistencies(&c, &c.user_a).await;
    assert_eq!(
        for_a[0]["reportEnrollmentId"],
        housed.as_str(),
        "A may report B's stay"
    );
    assert_eq!(inconsistencies(&c, &c.coc.data_center).await.len(), 1);

    // One mutation away from an ENR-3 report.
    let reported = app
        .gql(
            "mutation($i: ReportEnrollmentErrorInput!) { reportEnrollmentError(input: $i) { case { kind state enrollmentId } } }",
            json!({ "i": { "enrollmentId": finding["reportEnrollmentId"], "explanation": "Shelter exit after the move-in" } }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        reported["data"]["reportEnrollmentError"]["case"]["kind"], "ENROLLMENT_ERROR",
        "{reported}"
    );

    // A corrects its exit: the finding is resolved and the report closed.
    let corrected = app
        .gql(
            update,
            json!({ "i": { "id": stay, "expectedVersion": 2, "exitDate": "2021-07-01" } }),
            Some(&c.user_a),
        )
        .await;
    assert_eq!(
        corrected["data"]["updateEnrollment"]["enrollment"]["version"], 3,
        "{corrected}"
    );
    assert!(inconsistencies(&c, &c.user_b).await.is_empty());
    assert!(inconsistencies(&c, &c.coc.data_center).await.is_empty());
}

/// The case list a Data Center works from: the case whose deadline comes first, first.
#[tokio::test]
async fn the_case_list_comes_by_next_deadline_and_filters_by_agency_and_due_date() {
    let mut c = conflict_on(Store::Postgres).await;
    // The date of birth: three unanswered attempts now, escalable in 14 days.
    let first = c.case_id.clone();
    for version in 1..=3 {
        c.attempt(&c.user_b, version, false).await;
    }
    c.advance(chrono::Duration::days(1)).await;
    // The first name: three attempts a day later, escalable in 15 days.
    let second = open_another(&mut c, "FIRST_NAME", "Mari").await;
    for version in 1..=3 {
        c.attempt(&c.user_b, version, false).await;
    }
    // The last name: no attempt yet, so no deadline.
    let third = open_another(&mut c, "LAST_NAME", "Quinteros").await;

    let list = |args: String| {
        let c = &c;
        async move {
            let listed = c
                .coc
                .app
                .gql(
                    &format!("{{ cases({args}) {{ edges {{ cursor node {{ id }} }} }} }}"),
                    json!({}),
                    Some(&c.coc.data_center),
                )
                .await;
            let edges = listed["data"]["cases"]["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{listed}"))
                .clone();
            edges
                .iter()
                .map(|e| {
                    (
                        e["node"]["id"].as_str().unwrap_or_default().to_owned(),
                        e["cursor"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let ids =
        |listed: Vec<(String, String)>| listed.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    assert_eq!(
        ids(list("first: 10".into()).await),
        [first.as_str(), second.as_str(), third.as_str()]
    );
    assert_eq!(
        ids(list("first: 10, order: NEWEST".into()).await),
        [third.as_str(), second.as_str(), first.as_str()]
    );
    // Due within 14½ days of the start: only the first.
    assert_eq!(
        ids(list(r#"first: 10, dueBefore: "2026-03-15T21:00:00Z""#.into()).await),
        [first.as_str()]
    );
    // Both agencies are sides of all three; an agency that is neither sees none.
    let agency = |id: &str| format!(r#"first: 10, agencyId: "{id}""#);
    assert_eq!(ids(list(agency(&c.coc.agency_a)).await).len(), 3);
    let nobody = uuid::Uuid::now_v7().to_string();
    assert!(ids(list(agency(&nobody)).await).is_empty());

    // Backward from the end, and from a case's cursor, in the same order (the cases without
    // a deadline would come last).
    let everything = list("first: 10".into()).await;
    assert_eq!(
        ids(list("last: 2".into()).await),
        [second.as_str(), third.as_str()]
    );
    assert_eq!(
        ids(list(format!("last: 5, before: \"{}\"", everything[2].1)).await),
        [first.as_str(), second.as_str()]
    );
    assert_eq!(
        ids(list(format!(
            "last: 1, before: \"{}\", order: NEWEST",
            everything[0].1
        ))
        .await),
        [second.as_str()]
    );

    // Page by page in the same order.
    let page = list("first: 1".into()).await;
    assert_eq!(page[0].0, first);
    let after = page[0].1.clone();
    let next = c
        .coc
        .app
        .gql(
            "query($a: String) { cases(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }",
            json!({ "a": after }),
            Some(&c.coc.data_center),
        )
        .await;
    let rest: Vec<&str> = next["data"]["cases"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{next}"))
        .iter()
        .filter_map(|e| e["node"]["id"].as_str())
        .collect();
    assert_eq!(rest, [second.as_str(), third.as_str()]);
    assert_eq!(next["data"]["cases"]["pageInfo"]["hasNextPage"], false);
}

/// Another data conflict on the client, reported by B's user; it becomes the case under test.
async fn open_another(c: &mut Parties, field: &str, value: &str) -> String {
    let said = c
        .coc
        .app
        .gql(
            CHANGE,
            json!({ "i": { "clientId": c.client, "expectedVersion": 1, "field": field, "value": value } }),
            Some(&c.user_b),
        )
        .await;
    assert_eq!(
        said["data"]["changeClientDemographic"]["__typename"], "DataConflict",
        "{said}"
    );
    let listed = c
        .coc
        .app
        .gql(
            "query($c: UUID!) { cases(clientId: $c, order: NEWEST, first: 1) { edges { node { id field } } } }",
            json!({ "c": c.client }),
            Some(&c.user_b),
        )
        .await;
    let node = &listed["data"]["cases"]["edges"][0]["node"];
    assert_eq!(node["field"], field, "{listed}");
    c.case_id = node["id"].as_str().unwrap_or_default().to_owned();
    c.case_id.clone()
}

/// What listing the client's conflicts with their cases and `access` blocks costs, in
/// database statements (the workers are off: nothing else adds to the counter).
async fn conflicts_cost(c: &Parties, expected: usize) -> u64 {
    const LIST: &str = "query($c: UUID!) { dataConflicts(clientId: $c, first: 100) { edges {
        node { id field case { id state } access { action allowed } } } } }";
    let before = c.coc.app.state.db_queries.get();
    let listed = c
        .coc
        .app
        .gql(LIST, json!({ "c": c.client }), Some(&c.user_b))
        .await;
    let cost = c.coc.app.state.db_queries.get() - before;
    let conflicts = nodes(&listed, "dataConflicts");
    assert_eq!(conflicts.len(), expected, "{listed}");
    for conflict in &conflicts {
        assert_eq!(conflict["case"]["state"], "OPENED", "{listed}");
        assert_eq!(access(conflict, "logAttempt")["allowed"], true);
    }
    cost
}

/// A client's conflicts with their cases and `access` blocks cost the same statements for one
/// conflict as for three: the cases are loaded together, once per request.
#[tokio::test]
async fn a_clients_conflicts_load_their_cases_together() {
    let mut c = conflict_on_with(Store::Postgres, |s| s.run_worker = false).await;
    let one = conflicts_cost(&c, 1).await;
    open_another(&mut c, "FIRST_NAME", "Mari").await;
    open_another(&mut c, "LAST_NAME", "Quinteros").await;
    let three = conflicts_cost(&c, 3).await;
    assert_eq!(three, one, "three conflicts cost as many statements as one");
}
