//! Tenant B never reaches tenant A: through the API by guessing ids, and in PostgreSQL by
//! row-level security even when the application's own filter is missing.
use concord_api::startup::Application;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;

use crate::helpers::{
    EnteredRecords, OWNER_ROLE, create_database, drop_database, ensure_role, error_code, spawn_app,
    test_settings,
};

async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn tenant_b_cannot_read_or_change_tenant_a_by_guessing_ids() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    let agency_a =
        app.create_agency(&a.token, "Urban Ministries").await["data"]["createAgency"]["agency"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let (_, user_a) = app
        .add_user(
            &a.token,
            "durham",
            "staff@um.example",
            "USER",
            Some(&agency_a),
        )
        .await;

    let agencies = app
        .gql(
            "{ agencies { edges { node { id } } } users { edges { node { id } } } }",
            json!({}),
            Some(&b.token),
        )
        .await;
    assert_eq!(agencies["data"]["agencies"]["edges"], json!([]));
    assert_eq!(
        agencies["data"]["users"]["edges"].as_array().unwrap().len(),
        1,
        "only B's own Data Center user"
    );

    let project = app
        .gql(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
            json!({ "i": { "agencyId": agency_a, "name": "Sneaky", "projectType": 0 } }),
            Some(&b.token),
        )
        .await;
    assert_eq!(error_code(&project), "NOT_FOUND");
    let role = app
        .gql(
            "mutation($u: UUID!) { setUserRole(input: { userId: $u, role: DATA_CENTER }) { user { id } } }",
            json!({ "u": user_a }),
            Some(&b.token),
        )
        .await;
    assert_eq!(error_code(&role), "NOT_FOUND");
    let deactivate = app
        .gql(
            "mutation($u: UUID!) { deactivateUser(input: { userId: $u }) { user { id } } }",
            json!({ "u": user_a }),
            Some(&b.token),
        )
        .await;
    assert_eq!(error_code(&deactivate), "NOT_FOUND");
    let invite = app
        .gql(
            "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }",
            json!({ "i": { "email": "x@y.org", "role": "USER", "agencyId": agency_a } }),
            Some(&b.token),
        )
        .await;
    assert_eq!(error_code(&invite), "NOT_FOUND");
    let projects = app
        .gql(
            "query($a: UUID) { projects(agencyId: $a) { edges { node { id } } } }",
            json!({ "a": agency_a }),
            Some(&b.token),
        )
        .await;
    assert_eq!(projects["data"]["projects"]["edges"], json!([]));
}

#[tokio::test]
async fn row_level_security_holds_without_the_application_filter() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    app.create_agency(&a.token, "A's agency").await;
    app.create_agency(&b.token, "B's agency").await;
    let owner = app.owner().await;

    // Inside B's tenant transaction, a query with no tenant filter sees only B.
    let tx = entities::tenant_scope::begin(&owner, b.id).await.unwrap();
    assert_eq!(count(&tx, "SELECT count(*) AS n FROM agencies").await, 1);
    assert_eq!(count(&tx, "SELECT count(*) AS n FROM users").await, 1);
    assert_eq!(
        count(
            &tx,
            &format!(
                "SELECT count(*) AS n FROM agencies WHERE tenant_id = '{}'",
                a.id
            )
        )
        .await,
        0
    );
    // Writing into A from B's transaction is refused by the policy's WITH CHECK.
    let insert = tx
        .execute_unprepared(&format!("INSERT INTO agencies (tenant_id, id, name, created_at) VALUES ('{}', gen_random_uuid(), 'x', now())", a.id))
        .await;
    let refused = insert
        .expect_err("a cross-tenant insert must fail")
        .to_string();
    assert!(
        refused.contains("violates row-level security policy"),
        "{refused}"
    );
    tx.rollback().await.unwrap();

    let tx = entities::tenant_scope::begin(&owner, b.id).await.unwrap();
    let updated = tx
        .execute_unprepared("UPDATE agencies SET name = 'renamed'")
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 1, "only B's own row");
    tx.rollback().await.unwrap();

    // Outside any tenant transaction: the owner (RLS forced) and the request role see nothing.
    assert_eq!(count(&owner, "SELECT count(*) AS n FROM agencies").await, 0);
    assert_eq!(count(&owner, "SELECT count(*) AS n FROM users").await, 0);
    let tx = entities::tenant_scope::begin_without_tenant(&owner)
        .await
        .unwrap();
    assert_eq!(count(&tx, "SELECT count(*) AS n FROM agencies").await, 0);
    tx.rollback().await.unwrap();

    // A transaction-local tenant does not outlive its transaction on a pooled connection.
    let tx = owner.begin().await.unwrap();
    tx.execute_unprepared("SET LOCAL ROLE concord_app")
        .await
        .unwrap();
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [a.id.to_string().into()],
    ))
    .await
    .unwrap();
    assert_eq!(count(&tx, "SELECT count(*) AS n FROM agencies").await, 1);
    tx.commit().await.unwrap();
    for _ in 0..5 {
        assert_eq!(count(&owner, "SELECT count(*) AS n FROM agencies").await, 0);
    }
}

#[tokio::test]
async fn the_audit_log_and_plan_versions_refuse_update_and_delete_in_the_database() {
    let app = spawn_app().await;
    app.sign_up("durham").await;
    let db = app.superuser().await;
    assert!(count(&db, "SELECT count(*) AS n FROM audit_log").await >= 1);
    for sql in [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE plan_versions SET version = 9",
        "DELETE FROM plan_versions",
        // Never deleted means never truncated either.
        "TRUNCATE plan_versions CASCADE",
        "TRUNCATE clients CASCADE",
        "TRUNCATE client_field_values",
        "TRUNCATE services CASCADE",
        "TRUNCATE service_history",
        "TRUNCATE client_notes",
        "TRUNCATE attachments CASCADE",
        "TRUNCATE client_views",
    ] {
        // The append-only trigger's own refusal, not some other failure.
        let refused = db
            .execute_unprepared(sql)
            .await
            .expect_err(&format!("even the superuser: {sql}"))
            .to_string();
        assert!(
            refused.contains("is not allowed: the table is append-only"),
            "{sql}: {refused}"
        );
    }
}

#[tokio::test]
async fn concord_refuses_to_serve_through_a_role_that_bypasses_row_level_security() {
    let admin = crate::helpers::admin().await;
    ensure_role(&admin, "concord_bypass_test", "LOGIN NOSUPERUSER BYPASSRLS").await;
    let database = create_database("concord_bypass_test").await;
    let mut settings = test_settings(&database);
    settings.database_url = settings.database_url.map(|url| {
        secrecy::SecretString::from(
            secrecy::ExposeSecret::expose_secret(&url).replace(OWNER_ROLE, "concord_bypass_test"),
        )
    });
    let refused = Application::build(settings)
        .await
        .err()
        .expect("must refuse to start");
    assert!(
        refused.to_string().contains("bypass row-level security"),
        "{refused}"
    );

    let mut settings = test_settings(&database);
    settings.database_url = settings.database_url.map(|url| {
        secrecy::SecretString::from(
            secrecy::ExposeSecret::expose_secret(&url).replace(OWNER_ROLE, "postgres"),
        )
    });
    let refused = Application::build(settings)
        .await
        .err()
        .expect("must refuse a superuser");
    assert!(refused.to_string().contains("superuser"), "{refused}");
    drop_database(database);
}

/// Every table that holds tenant rows is under forced row-level security with both tenant
/// policies, so a table added later cannot forget them (the cases tables were the last).
#[tokio::test]
async fn every_tenant_table_forces_row_level_security_with_both_policies() {
    let app = spawn_app().await;
    let db = app.superuser().await;
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced, \
                (SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname \
                   AND p.policyname IN ('tenant_isolation', 'tenant_isolation_guard')) AS policies \
             FROM pg_class c \
             WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace \
               AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid \
                           AND a.attname = 'tenant_id' AND NOT a.attisdropped) \
             ORDER BY 1",
        ))
        .await
        .expect("catalog");
    let mut checked = Vec::new();
    for row in rows {
        let name: String = row.try_get("", "name").expect("name");
        let enabled: bool = row.try_get("", "enabled").expect("enabled");
        let forced: bool = row.try_get("", "forced").expect("forced");
        let policies: i64 = row.try_get("", "policies").expect("policies");
        // The search projection is read only through its definer function, which scopes by
        // the transaction's tenant itself (SECURITY.md); see database_roles.rs.
        if name == "client_search" {
            continue;
        }
        assert!(enabled && forced, "{name}: row-level security not forced");
        assert_eq!(policies, 2, "{name}: tenant policies missing");
        checked.push(name);
    }
    for table in [
        "cases",
        "case_attempts",
        "case_events",
        "deadlines",
        "clients",
    ] {
        assert!(
            checked.iter().any(|t| t == table),
            "{table} not checked: {checked:?}"
        );
    }
}

/// Every tenant table, the records included, reads inside one tenant's transaction as that
/// tenant's rows alone, with no filter of the application's: tenant A's records (a client with
/// its values, a view, an enrollment, a service, a note, a profile row, their audit entries)
/// are never seen from tenant B, table by table as the catalog lists them.
#[tokio::test]
async fn row_level_security_holds_for_every_tenant_table_records_included() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    app.create_agency(&b.token, "B's agency").await;
    let EnteredRecords { user, client, .. } = app.enter_records(&a, "durham").await;
    let viewed = app
        .gql(
            "query($c: UUID!) { client(id: $c) { id } }",
            json!({ "c": client }),
            Some(&user),
        )
        .await;
    assert!(viewed["errors"].is_null(), "{viewed}");

    let superuser = app.superuser().await;
    let owner = app.owner().await;
    let tables: Vec<String> = superuser
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text AS name FROM pg_class c \
             WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace \
               AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid \
                           AND a.attname = 'tenant_id' AND NOT a.attisdropped) \
             ORDER BY 1",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        // Read only through its definer function, which scopes by the tenant itself.
        .filter(|name| name != "client_search")
        .collect();
    let mut with_rows_of_a = Vec::new();
    for table in &tables {
        let of = |tenant: uuid::Uuid| {
            format!("SELECT count(*) AS n FROM {table} WHERE tenant_id = '{tenant}'")
        };
        let a_has = count(&superuser, &of(a.id)).await;
        let b_has = count(&superuser, &of(b.id)).await;
        let tx = entities::tenant_scope::begin(&owner, b.id).await.unwrap();
        let seen_by_b = count(&tx, &format!("SELECT count(*) AS n FROM {table}")).await;
        let of_a_seen_by_b = count(&tx, &of(a.id)).await;
        tx.rollback().await.unwrap();
        assert_eq!(seen_by_b, b_has, "{table}: B sees other rows than its own");
        assert_eq!(of_a_seen_by_b, 0, "{table}: B sees A's rows");
        if a_has > 0 {
            with_rows_of_a.push(table.as_str());
        }
    }
    // The comparison means something only where A has rows: the records among them.
    for table in [
        "clients",
        "client_field_values",
        "client_views",
        "enrollments",
        "services",
        "client_notes",
        "profile_rows",
        "audit_log",
        "projects",
        "users",
    ] {
        assert!(
            with_rows_of_a.contains(&table),
            "{table} has no rows of A: {with_rows_of_a:?}"
        );
    }
}
