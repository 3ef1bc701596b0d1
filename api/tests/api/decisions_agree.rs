//! One decision per action: for every action of `explain` (RecordAction), under both plan
//! templates and for the record's owner, a colleague, another agency and the Data Center,
//! three answers agree — what `explain` says, what the record's `access` entry says, and
//! what the server does when the action is tried. Each try runs on a fresh record, so an
//! allowed action never changes what the next viewer is asked about.
use rand::RngCore;
use serde_json::{Value, json};

use crate::helpers::{Coc, TestApp, error_code, error_rule};

/// Allowed or refused, and by which rule.
type Outcome = (bool, String);

struct World {
    app: TestApp,
    data_center: String,
    owner: String,
    owner_id: String,
    colleague: String,
    other_agency: String,
    project: String,
}

/// The records one action is tried on, all entered by the owner.
struct Records {
    client: String,
    record: String,
}

const ACTIONS: [&str; 15] = [
    "VIEW_CLIENT",
    "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION",
    "CHANGE_DEMOGRAPHIC_WITH_DOCUMENTATION",
    "EDIT_ENROLLMENT",
    "DELETE_ENROLLMENT",
    "CHANGE_CASE_MANAGER",
    "EDIT_SERVICE",
    "DELETE_SERVICE",
    "READ_SERVICE_NOTES",
    "EDIT_NOTE",
    "DELETE_NOTE",
    "CORRECT_PROFILE_ROW_AT_CLIENT_DIRECTION",
    "END_DATE_PROFILE_ROW",
    "READ_ATTACHMENT",
    "DELETE_ATTACHMENT",
];

fn text(v: &Value, path: &[&str]) -> String {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_str()
        .unwrap_or_else(|| panic!("{path:?} in {v}"))
        .to_owned()
}

/// What a refusal to show the record at all looks like: the answer a missing record gets.
const NOT_FOUND: &str = "NOT_FOUND";

fn outcome_of(response: &Value) -> Outcome {
    if response["errors"].is_null() {
        return (true, String::new());
    }
    if error_code(response) == NOT_FOUND {
        assert!(
            response["errors"][0]["extensions"]["rule"].is_null(),
            "a record kept from the viewer names no rule: {response}"
        );
        return (false, NOT_FOUND.into());
    }
    assert_eq!(error_code(response), "PLAN_RULE", "{response}");
    (false, error_rule(response).to_owned())
}

impl World {
    async fn new() -> Self {
        let coc = Coc::new().await;
        let project = coc.project(&coc.agency_a, "Shelter", 0).await;
        let (owner, owner_id) = coc.member("owner@um.example", "USER", &coc.agency_a).await;
        let (colleague, _) = coc
            .member("colleague@um.example", "USER", &coc.agency_a)
            .await;
        let (other_agency, _) = coc.member("staff@hnh.example", "USER", &coc.agency_b).await;
        Self {
            app: coc.app,
            data_center: coc.data_center,
            owner,
            owner_id,
            colleague,
            other_agency,
            project,
        }
    }

    async fn as_owner(&self, query: &str, variables: Value) -> Value {
        let response = self.app.gql(query, variables, Some(&self.owner)).await;
        assert!(response["errors"].is_null(), "{query}: {response}");
        response
    }

    /// A fresh client and, for actions on another kind of record, one such record.
    async fn records_for(&self, action: &str) -> Records {
        let client = text(
            &self
                .as_owner(
                    "mutation { createClient(input: { firstName: \"John\", lastName: \"Smith\" }) { client { id } } }",
                    json!({}),
                )
                .await,
            &["data", "createClient", "client", "id"],
        );
        let enrollment = || async {
            text(
                &self
                    .as_owner(
                        "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }",
                        json!({ "i": { "clientId": client, "projectId": self.project, "relationshipToHoh": 1, "entryDate": "2024-01-01" } }),
                    )
                    .await,
                &["data", "enrollClient", "enrollment", "id"],
            )
        };
        let record = match action {
            "VIEW_CLIENT"
            | "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION"
            | "CHANGE_DEMOGRAPHIC_WITH_DOCUMENTATION" => client.clone(),
            "EDIT_ENROLLMENT" | "DELETE_ENROLLMENT" => enrollment().await,
            "CHANGE_CASE_MANAGER" => {
                enrollment().await;
                text(
                    &self
                        .as_owner(
                            "mutation($i: AssignCaseManagerInput!) { assignCaseManager(input: $i) { assignment { id } } }",
                            json!({ "i": { "clientId": client, "projectId": self.project, "caseManagerUserId": self.owner_id, "startDate": "2024-01-01" } }),
                        )
                        .await,
                    &["data", "assignCaseManager", "assignment", "id"],
                )
            }
            "EDIT_SERVICE" | "DELETE_SERVICE" | "READ_SERVICE_NOTES" => text(
                &self
                    .as_owner(
                        "mutation($i: RecordServiceInput!) { recordService(input: $i) { service { id } } }",
                        json!({ "i": { "clientId": client, "kind": "SERVICE", "serviceType": "case management", "serviceDate": "2024-01-02", "cmMinutes": 30, "cmNote": "talked about housing" } }),
                    )
                    .await,
                &["data", "recordService", "service", "id"],
            ),
            "EDIT_NOTE" | "DELETE_NOTE" => text(
                &self
                    .as_owner(
                        "mutation($c: UUID!) { addClientNote(input: { clientId: $c, body: \"hello\" }) { note { id } } }",
                        json!({ "c": client }),
                    )
                    .await,
                &["data", "addClientNote", "note", "id"],
            ),
            "CORRECT_PROFILE_ROW_AT_CLIENT_DIRECTION" | "END_DATE_PROFILE_ROW" => text(
                &self
                    .as_owner(
                        "mutation($i: AddProfileRowInput!) { addProfileRow(input: $i) { row { id } } }",
                        json!({ "i": { "clientId": client, "kind": "PHONE", "value": "919-555-0100", "startDate": "2024-01-01" } }),
                    )
                    .await,
                &["data", "addProfileRow", "row", "id"],
            ),
            "READ_ATTACHMENT" | "DELETE_ATTACHMENT" => {
                let mut bytes = vec![0u8; 512];
                rand::rng().fill_bytes(&mut bytes);
                bytes[..9].copy_from_slice(b"%PDF-1.7\n");
                let response = self
                    .app
                    .client
                    .post(format!("{}/files", self.app.address))
                    .query(&[
                        ("clientId", client.as_str()),
                        ("category", "OTHER"),
                        ("fileName", "lease.pdf"),
                    ])
                    .bearer_auth(&self.owner)
                    .header("content-type", "application/pdf")
                    .body(bytes)
                    .send()
                    .await
                    .expect("upload");
                assert_eq!(response.status().as_u16(), 201);
                text(&response.json::<Value>().await.expect("json"), &["id"])
            }
            other => panic!("no records for {other}"),
        };
        Records { client, record }
    }

    async fn explain(&self, viewer: &str, action: &str, records: &Records) -> Outcome {
        let response = self
            .app
            .gql(
                "query($a: RecordAction!, $r: UUID!) { explain(action: $a, recordId: $r, field: FIRST_NAME) { action allowed rule } }",
                json!({ "a": action, "r": records.record }),
                Some(viewer),
            )
            .await;
        if !response["errors"].is_null() {
            return outcome_of(&response);
        }
        let permission = &response["data"]["explain"];
        assert!(permission.is_object(), "{response}");
        // It names the action as the schema's enum value, the one asked about.
        assert_eq!(permission["action"], action, "{response}");
        (
            permission["allowed"].as_bool().unwrap_or_default(),
            text(permission, &["rule"]),
        )
    }

    /// The record's `access` entry for the action, or `None` when the viewer is not shown
    /// the record at all.
    async fn access(&self, viewer: &str, action: &str, records: &Records) -> Option<Outcome> {
        const ACCESS: &str = "access { action allowed rule }";
        let (query, list_path, entry): (String, &[&str], &str) = match action {
            "VIEW_CLIENT" => (
                format!("query($c: UUID!) {{ client(id: $c) {{ id {ACCESS} }} }}"),
                &["client"],
                "view",
            ),
            "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION"
            | "CHANGE_DEMOGRAPHIC_WITH_DOCUMENTATION" => (
                format!(
                    "query($c: UUID!) {{ client(id: $c) {{ demographics {{ field {ACCESS} }} }} }}"
                ),
                &["client", "demographics"],
                if action == "CHANGE_DEMOGRAPHIC_WITH_DOCUMENTATION" {
                    "editWithDocumentation"
                } else {
                    "editWithoutDocumentation"
                },
            ),
            "EDIT_ENROLLMENT" | "DELETE_ENROLLMENT" => (
                format!(
                    "query($c: UUID!) {{ clientEnrollments(clientId: $c) {{ edges {{ node {{ id {ACCESS} }} }} }} }}"
                ),
                &["clientEnrollments", "edges"],
                if action == "EDIT_ENROLLMENT" {
                    "edit"
                } else {
                    "delete"
                },
            ),
            "CHANGE_CASE_MANAGER" => (
                format!(
                    "query($c: UUID!) {{ clientCaseManagers(clientId: $c) {{ edges {{ node {{ id {ACCESS} }} }} }} }}"
                ),
                &["clientCaseManagers", "edges"],
                "endDate",
            ),
            "EDIT_SERVICE" | "DELETE_SERVICE" | "READ_SERVICE_NOTES" => (
                format!(
                    "query($c: UUID!) {{ clientServices(clientId: $c) {{ edges {{ node {{ id {ACCESS} }} }} }} }}"
                ),
                &["clientServices", "edges"],
                match action {
                    "EDIT_SERVICE" => "edit",
                    "DELETE_SERVICE" => "delete",
                    _ => "readNotes",
                },
            ),
            "EDIT_NOTE" | "DELETE_NOTE" => (
                format!(
                    "query($c: UUID!) {{ clientNotes(clientId: $c) {{ edges {{ node {{ id {ACCESS} }} }} }} }}"
                ),
                &["clientNotes", "edges"],
                if action == "EDIT_NOTE" {
                    "edit"
                } else {
                    "delete"
                },
            ),
            "CORRECT_PROFILE_ROW_AT_CLIENT_DIRECTION" | "END_DATE_PROFILE_ROW" => (
                format!(
                    "query($c: UUID!) {{ clientProfileRows(clientId: $c) {{ edges {{ node {{ id {ACCESS} }} }} }} }}"
                ),
                &["clientProfileRows", "edges"],
                if action == "END_DATE_PROFILE_ROW" {
                    "endDate"
                } else {
                    "correct"
                },
            ),
            "READ_ATTACHMENT" | "DELETE_ATTACHMENT" => (
                format!(
                    "query($c: UUID!) {{ clientAttachments(clientId: $c) {{ edges {{ node {{ id {ACCESS} }} }} }} }}"
                ),
                &["clientAttachments", "edges"],
                // A file the viewer may not read is left out of the list; one that is listed
                // is readable, so reading has no entry of its own.
                if action == "READ_ATTACHMENT" {
                    ""
                } else {
                    "delete"
                },
            ),
            other => panic!("no access entry for {other}"),
        };
        let response = self
            .app
            .gql(&query, json!({ "c": records.client }), Some(viewer))
            .await;
        if !response["errors"].is_null() {
            // The client itself is kept from the viewer (DEM-1): nothing of it is shown, as
            // if there were none.
            assert_eq!(outcome_of(&response), (false, NOT_FOUND.into()));
            return None;
        }
        let listed = list_path.iter().fold(&response["data"], |v, k| &v[*k]);
        let node = match listed.as_array() {
            None => listed.clone(),
            Some(items) => {
                let found = items.iter().find(|item| {
                    let node = if item["node"].is_null() {
                        *item
                    } else {
                        &item["node"]
                    };
                    node["id"] == json!(records.record) || node["field"] == json!("FIRST_NAME")
                });
                let item = found?;
                if item["node"].is_null() {
                    item.clone()
                } else {
                    item["node"].clone()
                }
            }
        };
        if entry.is_empty() {
            return Some((true, String::new()));
        }
        let permission = node["access"]
            .as_array()
            .and_then(|entries| entries.iter().find(|e| e["action"] == json!(entry)))
            .unwrap_or_else(|| panic!("no {entry} entry in {node}"));
        Some((
            permission["allowed"].as_bool().unwrap_or_default(),
            text(permission, &["rule"]),
        ))
    }

    /// What the server does when the viewer tries the action.
    async fn attempt(&self, viewer: &str, action: &str, records: &Records) -> Outcome {
        let (query, variables) = match action {
            "VIEW_CLIENT" => ("query($r: UUID!) { client(id: $r) { id } }", json!({})),
            "CHANGE_DEMOGRAPHIC_WITH_DOCUMENTATION" => (
                "mutation($r: UUID!) { changeClientDemographic(input: { clientId: $r, expectedVersion: 1, field: FIRST_NAME, value: \"Jon\", documentation: { documentType: \"birth certificate\" } }) { __typename } }",
                json!({}),
            ),
            "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION" => (
                "mutation($r: UUID!) { changeClientDemographic(input: { clientId: $r, expectedVersion: 1, field: FIRST_NAME, value: \"Jon\" }) { __typename } }",
                json!({}),
            ),
            "EDIT_ENROLLMENT" => (
                "mutation($r: UUID!) { updateEnrollment(input: { id: $r, expectedVersion: 1, exitDate: \"2024-02-01\" }) { enrollment { id } } }",
                json!({}),
            ),
            "DELETE_ENROLLMENT" => (
                "mutation($r: UUID!) { deleteEnrollment(input: { id: $r, expectedVersion: 1 }) { deletedId } }",
                json!({}),
            ),
            "CHANGE_CASE_MANAGER" => (
                "mutation($r: UUID!) { endCaseManagerAssignment(input: { id: $r, expectedVersion: 1, endDate: \"2024-03-01\" }) { assignment { id } } }",
                json!({}),
            ),
            "EDIT_SERVICE" => (
                "mutation($r: UUID!) { updateService(input: { id: $r, expectedVersion: 1, serviceType: \"outreach\" }) { service { id } } }",
                json!({}),
            ),
            "DELETE_SERVICE" => (
                "mutation($r: UUID!) { deleteService(input: { id: $r }) { deletedId } }",
                json!({}),
            ),
            "READ_SERVICE_NOTES" => {
                let response = self
                    .app
                    .gql(
                        "query($c: UUID!) { clientServices(clientId: $c) { edges { node { id cmNote } } } }",
                        json!({ "c": records.client }),
                        Some(viewer),
                    )
                    .await;
                let shown = response["data"]["clientServices"]["edges"]
                    .as_array()
                    .and_then(|edges| {
                        edges
                            .iter()
                            .find(|e| e["node"]["id"] == json!(records.record))
                    })
                    .map(|e| e["node"]["cmNote"].is_string());
                // Left out of the list: the service itself is kept from the viewer.
                return match (shown, response["errors"].is_null()) {
                    (Some(true), _) => (true, String::new()),
                    (Some(false), _) => (false, "SRV-2".into()),
                    (None, true) => (false, NOT_FOUND.into()),
                    (None, false) => (false, error_rule(&response).to_owned()),
                };
            }
            "EDIT_NOTE" => (
                "mutation($r: UUID!) { editClientNote(input: { id: $r, expectedVersion: 1, body: \"edited\" }) { note { id } } }",
                json!({}),
            ),
            "DELETE_NOTE" => (
                "mutation($r: UUID!) { deleteClientNote(input: { id: $r, expectedVersion: 1 }) { deletedId } }",
                json!({}),
            ),
            "CORRECT_PROFILE_ROW_AT_CLIENT_DIRECTION" => (
                "mutation($r: UUID!) { correctProfileRow(input: { rowId: $r, expectedVersion: 1, newValue: \"919-555-0199\", startDate: \"2024-02-01\", atClientDirection: true, correctionNote: \"Phone corrected at the client's direction\" }) { __typename } }",
                json!({}),
            ),
            "END_DATE_PROFILE_ROW" => (
                "mutation($r: UUID!) { endDateProfileRow(input: { rowId: $r, expectedVersion: 1, endDate: \"2024-02-01\" }) { row { id } } }",
                json!({}),
            ),
            "DELETE_ATTACHMENT" => (
                "mutation($r: UUID!) { deleteAttachment(input: { id: $r, expectedVersion: 1 }) { attachment { id } } }",
                json!({}),
            ),
            "READ_ATTACHMENT" => {
                let response = self
                    .app
                    .client
                    .get(format!("{}/files/{}", self.app.address, records.record))
                    .bearer_auth(viewer)
                    .send()
                    .await
                    .expect("download");
                if response.status().is_success() {
                    return (true, String::new());
                }
                let body: Value = response.json().await.expect("json");
                return outcome_of(&body);
            }
            other => panic!("no attempt for {other}"),
        };
        let mut variables = variables;
        variables["r"] = json!(records.record);
        let response = self.app.gql(query, variables, Some(viewer)).await;
        if action == "CHANGE_DEMOGRAPHIC_WITHOUT_DOCUMENTATION"
            && response["data"]["changeClientDemographic"]["__typename"] == "DataConflict"
        {
            // Not written: recorded as a data conflict instead (DEM-3).
            return (false, "DEM-3".into());
        }
        outcome_of(&response)
    }
}

#[tokio::test]
async fn explain_access_and_the_action_agree_for_every_action() {
    let world = World::new().await;
    let viewers = [
        ("owner", world.owner.clone()),
        ("colleague", world.colleague.clone()),
        ("other agency", world.other_agency.clone()),
        ("data center", world.data_center.clone()),
    ];
    let (mut allowed, mut refused, mut hidden) = (0, 0, 0);
    for template in ["DURHAM_V1", "PRIVATE"] {
        let published = world
            .app
            .gql(
                "mutation($t: PlanTemplate!) { publishSharingPlanTemplate(input: { template: $t }) { version { version } } }",
                json!({ "t": template }),
                Some(&world.data_center),
            )
            .await;
        assert!(published["errors"].is_null(), "{published}");
        for action in ACTIONS {
            for (who, viewer) in &viewers {
                let records = world.records_for(action).await;
                let explained = world.explain(viewer, action, &records).await;
                let access = world.access(viewer, action, &records).await;
                let attempted = world.attempt(viewer, action, &records).await;
                let case = format!("{template} {action} by {who}");
                // A success names no rule; a refusal names the one `explain` named.
                let expected = if explained.0 {
                    (true, String::new())
                } else {
                    explained.clone()
                };
                assert_eq!(attempted, expected, "{case}: the action and explain differ");
                match &access {
                    // Being listed is the only answer reading a file has (no rule named).
                    Some((true, rule)) if rule.is_empty() => {
                        assert!(explained.0, "{case}: listed, but explain refuses")
                    }
                    Some(entry) => {
                        assert_eq!(entry, &explained, "{case}: access and explain differ")
                    }
                    None => {
                        hidden += 1;
                        assert!(
                            !explained.0,
                            "{case}: a record kept from the viewer was allowed"
                        );
                    }
                }
                if explained.1 == NOT_FOUND {
                    assert!(access.is_none(), "{case}: explained as missing, but shown");
                }
                if explained.0 {
                    allowed += 1;
                } else {
                    refused += 1;
                }
            }
        }
    }
    // Both outcomes and the hidden-record case occur, or the comparison proves little.
    assert!(
        allowed > 20 && refused > 20 && hidden > 0,
        "{allowed} {refused} {hidden}"
    );
}
