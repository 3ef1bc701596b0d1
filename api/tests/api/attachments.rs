//! File attachments over `/files` and GraphQL: ATT-1..ATT-4, SRV-3, streaming storage on disk
//! and on a real S3 API (moto's server on loopback), size limits that leave nothing behind.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use domain::auth::{TenantUser, Viewer, sessions};
use domain::records::clients::{self, NewClient};
use rand::RngCore;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{
    Coc, TestApp, created_id, error_code, error_rule, free_port, nodes, spawn_app, spawn_app_with,
};

const LIST: &str = "query($c: UUID!) { clientAttachments(clientId: $c, first: 100) { edges { node {
    id category fileName size contentType medical serviceId version downloadUrl
    provenance { enteredByUserId enteredByAgencyId enteredAt }
    access { action allowed rule reason } } } } }";
const DELETE: &str = "mutation($id: UUID!, $v: Int!) { deleteAttachment(input: { id: $id, expectedVersion: $v }) { attachment { id version deletedAt } } }";
const CHECKLIST: &str = "query { documentChecklist(first: 50) { edges { node { enrollmentId clientId hmisNumber agencyId missing } } } }";

/// A CoC with agencies A and B, two users of A, one of B, and a client entered by A.
struct Community {
    app: TestApp,
    data_center: String,
    a1: String,
    a2: String,
    b1: String,
    agency_a: String,
    agency_b: String,
    client: Uuid,
}

async fn community(app: TestApp) -> Community {
    let coc = Coc::on(app).await;
    let (a1, _) = coc.member("a1@um.example", "USER", &coc.agency_a).await;
    let (a2, _) = coc.member("a2@um.example", "USER", &coc.agency_a).await;
    let (b1, _) = coc.member("b1@hnh.example", "USER", &coc.agency_b).await;
    let client = new_client(&coc.app, &a1).await;
    Community {
        app: coc.app,
        data_center: coc.data_center,
        a1,
        a2,
        b1,
        agency_a: coc.agency_a,
        agency_b: coc.agency_b,
        client,
    }
}

async fn tenant_user(app: &TestApp, token: &str) -> TenantUser {
    match sessions::authenticate(&app.state, token).await.unwrap() {
        Viewer::User(user) => user,
        other => panic!("not a tenant user: {other:?}"),
    }
}

/// A client entered by the token's user, through the records use case (the clients API is
/// another area's).
async fn new_client(app: &TestApp, token: &str) -> Uuid {
    let user = tenant_user(app, token).await;
    let input = NewClient {
        hmis_number: None,
        values: Vec::new(),
    };
    clients::create(&app.state, &user, input)
        .await
        .unwrap()
        .client
        .id
}

fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; size];
    rand::rng().fill_bytes(&mut bytes);
    bytes[..9].copy_from_slice(b"%PDF-1.7\n");
    bytes
}

fn hex_sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// `POST /files` with `query`; returns the status and the JSON answer.
async fn upload(
    app: &TestApp,
    token: &str,
    query: &[(&str, &str)],
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/files", app.address))
        .query(query)
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// A PDF of a few bytes for `client`, in `category`, named `name`.
async fn upload_pdf(
    app: &TestApp,
    token: &str,
    client: Uuid,
    category: &str,
    name: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let client = client.to_string();
    let mut query = vec![
        ("clientId", client.as_str()),
        ("category", category),
        ("fileName", name),
    ];
    query.extend_from_slice(extra);
    upload(app, token, &query, "application/pdf", pdf(2048)).await
}

async fn download(app: &TestApp, token: Option<&str>, id: &str) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/files/{id}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("send")
}

async fn list(app: &TestApp, token: &str, client: Uuid) -> Vec<Value> {
    let response = app.gql(LIST, json!({ "c": client }), Some(token)).await;
    nodes(&response, "clientAttachments")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn stored_files(app: &TestApp) -> Vec<PathBuf> {
    files_under(&app.data_dir.join("files"))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.superuser()
        .await
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

fn id_of(answer: &Value) -> String {
    answer["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned()
}

fn http_rule(answer: &Value) -> &str {
    error_rule(answer)
}

#[tokio::test]
async fn att_1_only_the_uploader_deletes_or_replaces() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    let (status, first) = upload_pdf(app, &c.a1, c.client, "OTHER", "lease.pdf", &[]).await;
    assert_eq!(status, 201, "{first}");
    let id = id_of(&first);

    // The access block tells each viewer what the server will do.
    let for_uploader = list(app, &c.a1, c.client).await;
    assert_eq!(for_uploader[0]["access"][0]["action"], "delete");
    assert_eq!(for_uploader[0]["access"][0]["allowed"], true);
    assert_eq!(for_uploader[0]["access"][1]["action"], "replace");
    let for_colleague = list(app, &c.a2, c.client).await;
    assert_eq!(for_colleague[0]["access"][0]["allowed"], false);
    assert_eq!(for_colleague[0]["access"][0]["rule"], "ATT-1");
    assert_eq!(
        for_colleague[0]["provenance"]["enteredByAgencyId"],
        c.agency_a.as_str()
    );

    // Not even a colleague of the same agency deletes or replaces it.
    let refused = app
        .gql(DELETE, json!({ "id": id, "v": 1 }), Some(&c.a2))
        .await;
    assert_eq!(error_code(&refused), "PLAN_RULE");
    assert_eq!(error_rule(&refused), "ATT-1");
    let files_before = stored_files(app).len();
    let replace = [("replaces", id.as_str()), ("expectedVersion", "1")];
    let (status, refused) =
        upload_pdf(app, &c.a2, c.client, "OTHER", "lease v2.pdf", &replace).await;
    assert_eq!((status, http_rule(&refused)), (403, "ATT-1"), "{refused}");
    assert_eq!(
        stored_files(app).len(),
        files_before,
        "a refused replacement stored bytes"
    );

    // The uploader replaces it, naming the version read (LOCK-1).
    let stale = [("replaces", id.as_str()), ("expectedVersion", "7")];
    let (status, conflict) =
        upload_pdf(app, &c.a1, c.client, "OTHER", "lease v2.pdf", &stale).await;
    assert_eq!(
        (status, error_code(&conflict)),
        (409, "CONFLICT"),
        "{conflict}"
    );
    // Mapped like GraphQL's: the conflict carries the record as it is now.
    assert_eq!(
        conflict["errors"][0]["extensions"]["current"]["version"], 1,
        "{conflict}"
    );
    let (status, second) =
        upload_pdf(app, &c.a1, c.client, "OTHER", "lease v2.pdf", &replace).await;
    assert_eq!(status, 201, "{second}");
    let second_id = id_of(&second);
    let listed = list(app, &c.a1, c.client).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], second_id.as_str());
    assert_eq!(download(app, Some(&c.a1), &id).await.status(), 404);

    // Then deletes it: a stale version is refused, the right one marks it deleted.
    let stale = app
        .gql(DELETE, json!({ "id": second_id, "v": 2 }), Some(&c.a1))
        .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    let deleted = app
        .gql(DELETE, json!({ "id": second_id, "v": 1 }), Some(&c.a1))
        .await;
    assert_eq!(
        deleted["data"]["deleteAttachment"]["attachment"]["version"], 2,
        "{deleted}"
    );
    assert!(deleted["data"]["deleteAttachment"]["attachment"]["deletedAt"].is_string());
    assert!(list(app, &c.a1, c.client).await.is_empty());
    assert_eq!(download(app, Some(&c.a1), &second_id).await.status(), 404);

    // The records stay, and the database itself refuses to erase them.
    let sql = "SELECT count(*) AS n FROM attachments WHERE deleted_at IS NOT NULL";
    assert_eq!(count(app, sql).await, 2);
    let erased = app
        .superuser()
        .await
        .execute_unprepared("DELETE FROM attachments")
        .await;
    crate::helpers::refused_as_append_only(erased, "DELETE", "attachments");
    let sql = "SELECT count(*) AS n FROM audit_log WHERE rule = 'ATT-1' AND outcome = 'REFUSED'";
    assert_eq!(count(app, sql).await, 2);
}

#[tokio::test]
async fn att_2_ssn_cards_are_refused_by_category_and_by_file_name() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    let (status, refused) = upload_pdf(app, &c.a1, c.client, "SSN_CARD", "scan.pdf", &[]).await;
    assert_eq!(
        (status, error_code(&refused)),
        (403, "PLAN_RULE"),
        "{refused}"
    );
    assert_eq!(http_rule(&refused), "ATT-2");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("SSN on file")
    );
    // A name that says it is an SSN card is refused whatever else it says ("on file" too).
    for name in [
        "SSN card.pdf",
        "social_security-card.pdf",
        "ss.pdf",
        "scan of SSN card (on file).pdf",
    ] {
        let (status, refused) =
            upload_pdf(app, &c.a1, c.client, "IDENTITY_DOCUMENT", name, &[]).await;
        assert_eq!(
            (status, http_rule(&refused)),
            (403, "ATT-2"),
            "{name}: {refused}"
        );
    }
    assert!(
        stored_files(app).is_empty(),
        "a refused SSN card reached storage"
    );
    assert_eq!(count(app, "SELECT count(*) AS n FROM attachments").await, 0);

    // The plan's alternative: a disclosure that the agency holds the card on paper.
    let (status, allowed) = upload_pdf(
        app,
        &c.a1,
        c.client,
        "SSN_ON_FILE_DISCLOSURE",
        "SSN on file at Urban Ministries.pdf",
        &[],
    )
    .await;
    assert_eq!(status, 201, "{allowed}");
    assert_eq!(allowed["category"], "SSN_ON_FILE_DISCLOSURE");
    assert_eq!(stored_files(app).len(), 1);
    let sql = "SELECT count(*) AS n FROM audit_log WHERE rule = 'ATT-2' AND outcome = 'REFUSED'";
    assert_eq!(count(app, sql).await, 5);
    // The audit log holds ids, never the names of client documents.
    let sql = "SELECT count(*) AS n FROM audit_log WHERE detail::text ILIKE '%.pdf%'";
    assert_eq!(count(app, sql).await, 0);
}

#[tokio::test]
async fn att_3_medical_files_stay_inside_the_uploading_agency() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    // A disability verification needs the uploader's word that it names no diagnosis.
    let (status, refused) = upload_pdf(
        app,
        &c.a1,
        c.client,
        "DISABILITY_VERIFICATION",
        "verification.pdf",
        &[],
    )
    .await;
    assert_eq!((status, http_rule(&refused)), (403, "ATT-3"), "{refused}");
    assert!(stored_files(app).is_empty());
    let confirmed = [("noDiagnosisConfirmed", "true")];
    let (status, verification) = upload_pdf(
        app,
        &c.a1,
        c.client,
        "DISABILITY_VERIFICATION",
        "verification.pdf",
        &confirmed,
    )
    .await;
    assert_eq!(status, 201, "{verification}");

    let (status, medical) = upload_pdf(
        app,
        &c.a1,
        c.client,
        "OTHER",
        "discharge.pdf",
        &[("medical", "true")],
    )
    .await;
    assert_eq!(status, 201, "{medical}");
    assert_eq!(medical["medical"], true);
    let medical_id = id_of(&medical);

    // Inside the uploading agency: listed and served.
    assert_eq!(list(app, &c.a2, c.client).await.len(), 2);
    let served = download(app, Some(&c.a2), &medical_id).await;
    assert_eq!(served.status(), 200);

    // Another agency, and the Data Center, see only the shared file.
    for token in [&c.b1, &c.data_center] {
        let listed = list(app, token, c.client).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["id"], verification["id"]);
        let refused = download(app, Some(token), &medical_id).await;
        assert_eq!(refused.status(), 403);
        let refused: Value = refused.json().await.unwrap();
        assert_eq!(
            (error_code(&refused), error_rule(&refused)),
            ("PLAN_RULE", "ATT-3")
        );
    }
    let shared = download(app, Some(&c.b1), &id_of(&verification)).await;
    assert_eq!(shared.status(), 200);
}

async fn project(app: &TestApp, token: &str, agency: &str, name: &str) -> String {
    let created = app
        .gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
            json!({ "i": { "agencyId": agency, "name": name, "projectType": 0 } }),
            Some(token),
        )
        .await;
    created_id(&created, "createProject", "project")
}

/// An enrollment written as the superuser (the enrollments API is another area's).
async fn enroll(app: &TestApp, client: Uuid, project: &str, hoh: i16, disabled: i16, exited: bool) {
    let tenant: Uuid = app
        .superuser()
        .await
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT tenant_id::text AS t FROM clients WHERE id = '{client}'"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "t")
        .unwrap()
        .parse()
        .unwrap();
    let exit = if exited { "'2026-02-01'" } else { "NULL" };
    let user = Uuid::nil();
    app.superuser()
        .await
        .execute_unprepared(&format!(
            "INSERT INTO enrollments (tenant_id, id, client_id, project_id, household_id,
                relationship_to_hoh, entry_date, exit_date, disabling_condition, created_by_user,
                created_at, updated_by_user, updated_at, version)
             VALUES ('{tenant}', '{}', '{client}', '{project}', '{}', {hoh}, '2026-01-05',
                {exit}, {disabled}, '{user}', now(), '{user}', now(), 1)",
            Uuid::now_v7(),
            Uuid::new_v4()
        ))
        .await
        .unwrap();
}

fn checklist_rows(response: &Value) -> Vec<Value> {
    nodes(response, "documentChecklist")
}

#[tokio::test]
async fn att_4_the_checklist_lists_missing_documents() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    let shelter_a = project(app, &c.data_center, &c.agency_a, "UM Shelter").await;
    let shelter_b = project(app, &c.data_center, &c.agency_b, "HNH Shelter").await;
    let disabled_head = c.client;
    let head_b = new_client(app, &c.b1).await;
    let child = new_client(app, &c.a1).await;
    let exited = new_client(app, &c.a1).await;
    enroll(app, disabled_head, &shelter_a, 1, 1, false).await;
    enroll(app, head_b, &shelter_b, 1, 0, false).await;
    enroll(app, child, &shelter_a, 2, 1, false).await;
    enroll(app, exited, &shelter_a, 1, 1, true).await;

    // The Data Center sees every agency's heads of household; children and exits are not there.
    let all = checklist_rows(&app.gql(CHECKLIST, json!({}), Some(&c.data_center)).await);
    assert_eq!(all.len(), 2, "{all:?}");
    let row = |rows: &[Value], client: Uuid| {
        rows.iter()
            .find(|r| r["clientId"] == client.to_string().as_str())
            .cloned()
    };
    let head = row(&all, disabled_head).unwrap();
    assert_eq!(
        head["missing"],
        json!([
            "BIRTH_CERTIFICATE",
            "HOMELESSNESS_VERIFICATION",
            "DISABILITY_VERIFICATION"
        ])
    );
    assert_eq!(head["agencyId"], c.agency_a.as_str());
    assert!(head["hmisNumber"].is_string());
    assert_eq!(
        row(&all, head_b).unwrap()["missing"],
        json!(["BIRTH_CERTIFICATE", "HOMELESSNESS_VERIFICATION"])
    );

    // Each agency sees its own projects' enrollments only.
    let for_a = checklist_rows(&app.gql(CHECKLIST, json!({}), Some(&c.a1)).await);
    assert_eq!(for_a.len(), 1);
    assert!(row(&for_a, disabled_head).is_some());
    let for_b = checklist_rows(&app.gql(CHECKLIST, json!({}), Some(&c.b1)).await);
    assert_eq!(for_b.len(), 1);
    assert!(row(&for_b, head_b).is_some());

    // Documents arrive; a refused one (ATT-3: no confirmation) does not count.
    for category in ["BIRTH_CERTIFICATE", "HOMELESSNESS_VERIFICATION"] {
        let (status, answer) =
            upload_pdf(app, &c.a1, disabled_head, category, "doc.pdf", &[]).await;
        assert_eq!(status, 201, "{answer}");
    }
    let (status, refused) = upload_pdf(
        app,
        &c.a1,
        disabled_head,
        "DISABILITY_VERIFICATION",
        "dv.pdf",
        &[],
    )
    .await;
    assert_eq!((status, http_rule(&refused)), (403, "ATT-3"));
    let for_a = checklist_rows(&app.gql(CHECKLIST, json!({}), Some(&c.a1)).await);
    assert_eq!(for_a[0]["missing"], json!(["DISABILITY_VERIFICATION"]));
    let confirmed = [("noDiagnosisConfirmed", "true")];
    let (status, _) = upload_pdf(
        app,
        &c.a1,
        disabled_head,
        "DISABILITY_VERIFICATION",
        "dv.pdf",
        &confirmed,
    )
    .await;
    assert_eq!(status, 201);
    assert!(checklist_rows(&app.gql(CHECKLIST, json!({}), Some(&c.a1)).await).is_empty());
    let all = checklist_rows(&app.gql(CHECKLIST, json!({}), Some(&c.data_center)).await);
    assert_eq!(all.len(), 1);
    assert!(row(&all, head_b).is_some());
}

#[tokio::test]
async fn srv_3_documents_attach_to_a_service_transaction() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    let other_client = new_client(app, &c.a1).await;
    let service = Uuid::now_v7();
    let user = tenant_user(app, &c.a1).await;
    app.superuser()
        .await
        .execute_unprepared(&format!(
            "INSERT INTO services (tenant_id, id, client_id, kind, service_type, service_date,
                provider_agency_id, created_by_user, created_by_agency, created_at,
                updated_by_user, updated_by_agency, updated_at, version)
             VALUES ('{t}', '{service}', '{other}', 'SERVICE', 'rental assistance', '2026-03-01',
                '{a}', '{u}', '{a}', now(), '{u}', '{a}', now(), 1)",
            t = user.tenant_id,
            other = other_client,
            a = c.agency_a,
            u = user.user_id,
        ))
        .await
        .unwrap();
    let service_id = service.to_string();
    let on_service = [("serviceId", service_id.as_str())];

    // A document on another client's service transaction is refused before it is stored.
    let (status, refused) = upload_pdf(
        app,
        &c.a1,
        c.client,
        "SERVICE_AGREEMENT",
        "agreement.pdf",
        &on_service,
    )
    .await;
    assert_eq!((status, http_rule(&refused)), (403, "SRV-3"), "{refused}");
    let unknown = Uuid::now_v7().to_string();
    let (status, missing) = upload_pdf(
        app,
        &c.a1,
        c.client,
        "SERVICE_AGREEMENT",
        "agreement.pdf",
        &[("serviceId", unknown.as_str())],
    )
    .await;
    assert_eq!((status, error_code(&missing)), (404, "NOT_FOUND"));
    assert!(stored_files(app).is_empty());

    // On the service's own client it is attached, and shown with it.
    let (status, attached) = upload_pdf(
        app,
        &c.a1,
        other_client,
        "SERVICE_AGREEMENT",
        "agreement.pdf",
        &on_service,
    )
    .await;
    assert_eq!(status, 201, "{attached}");
    assert_eq!(attached["serviceId"], service_id.as_str());
    let listed = list(app, &c.b1, other_client).await;
    assert_eq!(listed[0]["serviceId"], service_id.as_str());
    assert_eq!(listed[0]["category"], "SERVICE_AGREEMENT");
}

/// `size` bytes in chunks of 64 KiB, as a streamed (chunked) request body.
fn streamed(bytes: &[u8]) -> reqwest::Body {
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
}

async fn assert_round_trip(app: &TestApp, token: &str, client: Uuid, original: &[u8]) -> Value {
    let client = client.to_string();
    let query = [
        ("clientId", client.as_str()),
        ("category", "OTHER"),
        ("fileName", "Relevé de situation \"2026\".pdf"),
    ];
    let (status, stored) = upload(app, token, &query, "application/pdf", streamed(original)).await;
    assert_eq!(status, 201, "{stored}");
    assert_eq!(stored["size"], original.len());
    assert_eq!(stored["sha256"], hex_sha256(original).as_str());
    let response = download(app, Some(token), &id_of(&stored)).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"Relev_ de situation _2026_.pdf\""));
    assert!(disposition.contains("filename*=UTF-8''Relev%C3%A9%20de%20situation%20%222026%22.pdf"));
    let returned = response.bytes().await.unwrap();
    assert_eq!(hex_sha256(&returned), hex_sha256(original));
    stored
}

#[tokio::test]
async fn uploads_stream_to_disk_and_back_byte_identical() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    let original = pdf(6 * 1024 * 1024 + 123);
    let stored = assert_round_trip(app, &c.a1, c.client, &original).await;

    // On disk under a random key, never under the client's file name.
    let files = stored_files(app);
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::read(&files[0]).unwrap().len(), original.len());
    let path = files[0].to_string_lossy().into_owned();
    assert!(!path.contains("Relev"), "{path}");
    assert!(Uuid::try_parse(&files[0].file_name().unwrap().to_string_lossy()).is_ok());
    assert!(path.contains(&tenant_user(app, &c.a1).await.tenant_id.to_string()));

    // The name may come in a header instead, out of the URL that request logs record.
    let client = c.client.to_string();
    let response = app
        .client
        .post(format!("{}/files", app.address))
        .query(&[("clientId", client.as_str()), ("category", "OTHER")])
        .bearer_auth(&c.a1)
        .header("content-type", "text/plain; charset=utf-8")
        .header("x-file-name", "note%20d%C3%A9tail.txt")
        .body("plain words")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["fileName"], "note détail.txt");
    assert_eq!(answer["contentType"], "text/plain");

    // Refused: no token, a type Concord does not store, bytes that are not what they claim.
    assert_eq!(download(app, None, &id_of(&stored)).await.status(), 401);
    let q = [
        ("clientId", client.as_str()),
        ("category", "OTHER"),
        ("fileName", "x.zip"),
    ];
    let (status, refused) = upload(app, &c.a1, &q, "application/zip", pdf(100)).await;
    assert_eq!(
        (status, error_code(&refused)),
        (415, "UNSUPPORTED_MEDIA_TYPE")
    );
    let (status, refused) = upload(app, &c.a1, &q, "image/png", pdf(100)).await;
    assert_eq!(
        (status, error_code(&refused)),
        (415, "UNSUPPORTED_MEDIA_TYPE")
    );
    let (status, refused) = upload(app, "not-a-token", &q, "application/pdf", pdf(100)).await;
    assert_eq!((status, error_code(&refused)), (401, "UNAUTHENTICATED"));
    assert_eq!(stored_files(app).len(), 2);
}

#[tokio::test]
async fn oversize_uploads_are_refused_and_leave_nothing_behind() {
    let app = spawn_app_with(|s| s.storage.max_upload_bytes = 1024 * 1024).await;
    let c = community(app).await;
    let app = &c.app;
    let client = c.client.to_string();
    let q = [
        ("clientId", client.as_str()),
        ("category", "OTHER"),
        ("fileName", "big.pdf"),
    ];

    // Declared too large: refused before reading.
    let (status, refused) = upload(app, &c.a1, &q, "application/pdf", pdf(2 * 1024 * 1024)).await;
    assert_eq!(
        (status, error_code(&refused)),
        (413, "PAYLOAD_TOO_LARGE"),
        "{refused}"
    );
    // Streamed without a length: refused once past the limit, the partial file removed.
    let (status, refused) = upload(
        app,
        &c.a1,
        &q,
        "application/pdf",
        streamed(&pdf(3 * 1024 * 1024)),
    )
    .await;
    assert_eq!(
        (status, error_code(&refused)),
        (413, "PAYLOAD_TOO_LARGE"),
        "{refused}"
    );
    assert!(stored_files(app).is_empty(), "{:?}", stored_files(app));
    assert_eq!(count(app, "SELECT count(*) AS n FROM attachments").await, 0);

    // Exactly the limit is allowed.
    let (status, stored) = upload(
        app,
        &c.a1,
        &q,
        "application/pdf",
        streamed(&pdf(1024 * 1024)),
    )
    .await;
    assert_eq!(status, 201, "{stored}");
    assert_eq!(stored_files(app).len(), 1);
}

/// moto's S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Moto {
    let port = free_port();
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start python3 -m moto.server (pip install 'moto[server]')");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(&moto.endpoint).send().await.is_ok() {
            return moto;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto's S3 server did not start; is `moto[server]` installed for python3?");
}

#[tokio::test]
async fn attachments_stream_through_s3_compatible_storage() {
    let moto = start_moto().await;
    let http = reqwest::Client::new();
    let bucket = format!("{}/concord-files", moto.endpoint);
    assert!(
        http.put(&bucket)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let endpoint = moto.endpoint.clone();
    let app = spawn_app_with(move |s| {
        s.storage.backend = "s3".into();
        s.storage.s3_bucket = Some("concord-files".into());
        s.storage.s3_endpoint = Some(endpoint);
        s.storage.s3_region = Some("us-east-1".into());
        s.storage.s3_access_key_id = Some("testing".into());
        s.storage.s3_secret_access_key = Some("testing".into());
        s.storage.max_upload_bytes = 14 * 1024 * 1024;
    })
    .await;
    let c = community(app).await;
    let app = &c.app;
    let objects = async || {
        http.get(format!("{bucket}?list-type=2"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    // 12 MiB: three parts of a multipart upload.
    let original = pdf(12 * 1024 * 1024 + 7);
    let stored = assert_round_trip(app, &c.a1, c.client, &original).await;
    let key = app
        .superuser()
        .await
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT storage_key AS k FROM attachments WHERE id = '{}'",
                id_of(&stored)
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "k")
        .unwrap();
    let listing = objects().await;
    assert!(listing.contains(&format!("<Key>{key}</Key>")), "{listing}");
    assert_eq!(listing.matches("<Key>").count(), 1);
    // A small file goes up in one PUT.
    let (status, small) = upload_pdf(app, &c.a1, c.client, "OTHER", "small.pdf", &[]).await;
    assert_eq!(status, 201, "{small}");
    assert_eq!(objects().await.matches("<Key>").count(), 2);

    // Refused by the plan (ATT-2) or by size: nothing reaches the bucket, no upload lingers.
    let (status, refused) = upload_pdf(app, &c.a1, c.client, "SSN_CARD", "card.pdf", &[]).await;
    assert_eq!((status, http_rule(&refused)), (403, "ATT-2"));
    let client = c.client.to_string();
    let q = [
        ("clientId", client.as_str()),
        ("category", "OTHER"),
        ("fileName", "big.pdf"),
    ];
    let (status, refused) = upload(
        app,
        &c.a1,
        &q,
        "application/pdf",
        streamed(&pdf(20 * 1024 * 1024)),
    )
    .await;
    assert_eq!(
        (status, error_code(&refused)),
        (413, "PAYLOAD_TOO_LARGE"),
        "{refused}"
    );
    assert_eq!(objects().await.matches("<Key>").count(), 2);
    let uploads = http
        .get(format!("{bucket}?uploads"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!uploads.contains("<UploadId>"), "{uploads}");
}

/// DEM-2: the documentation of an override is a file of the same client; another client's
/// file (or none at all under that id) is refused and changes nothing.
#[tokio::test]
async fn dem_2_documentation_must_be_a_file_of_the_same_client() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    let other_client = new_client(app, &c.a1).await;
    let (status, theirs) = upload_pdf(
        app,
        &c.a1,
        other_client,
        "OTHER",
        "their birth certificate.pdf",
        &[],
    )
    .await;
    assert_eq!(status, 201, "{theirs}");
    let (status, ours) =
        upload_pdf(app, &c.b1, c.client, "OTHER", "birth certificate.pdf", &[]).await;
    assert_eq!(status, 201, "{ours}");
    let change = |attachment: String| {
        app.gql(
            "mutation($i: ChangeDemographicInput!) { changeClientDemographic(input: $i) { __typename ... on Client { version } } }",
            json!({ "i": { "clientId": c.client, "expectedVersion": 1, "field": "FIRST_NAME", "value": "Jonathan",
                           "documentation": { "documentType": "birth certificate", "attachmentId": attachment } } }),
            Some(&c.b1),
        )
    };
    for wrong in [id_of(&theirs), Uuid::new_v4().to_string()] {
        let refused = change(wrong).await;
        assert_eq!(error_code(&refused), "VALIDATION", "{refused}");
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], "documentation.attachmentId",
            "{refused}"
        );
    }
    assert_eq!(
        count(app, &format!("SELECT count(*) AS n FROM client_field_values WHERE client_id = '{}' AND documentation_attachment_id IS NOT NULL", c.client)).await,
        0,
        "nothing was written"
    );
    let documented = change(id_of(&ours)).await;
    assert_eq!(
        documented["data"]["changeClientDemographic"]["version"], 2,
        "{documented}"
    );
}

/// LOCK-1: deleting one file by requests that all read version 1; exactly one deletes it.
#[tokio::test]
async fn lock_1_concurrent_deletes_of_a_file_let_exactly_one_through() {
    let c = community(spawn_app().await).await;
    let app = &c.app;
    let (status, file) = upload_pdf(app, &c.a1, c.client, "OTHER", "lease.pdf", &[]).await;
    assert_eq!(status, 201, "{file}");
    let id = id_of(&file);
    let deletes = futures_util::future::join_all(
        (0..4).map(|_| app.gql(DELETE, json!({ "id": id, "v": 1 }), Some(&c.a1))),
    );
    let outcomes = crate::helpers::race_on_row(app, "attachments", &id, 4, deletes).await;
    crate::helpers::assert_one_won(&outcomes, |o| {
        o["data"]["deleteAttachment"]["attachment"]["version"] == 2
    });
}
