//! Least privilege in PostgreSQL, checked as the roles themselves: what the request role may
//! not do, the definer function's search path, the search projection's owner, and the login
//! role's attributes. Each test fails on the schema before the least-privilege migration.
use concord_api::startup::Application;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use uuid::Uuid;

use crate::helpers::{
    OWNER_ROLE, admin, create_database, drop_database, ensure_role, provision_roles, spawn_app,
    test_settings,
};

async fn strings(db: &impl ConnectionTrait, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "v").unwrap())
        .collect()
}

/// Runs `sql` as the request role inside tenant `tenant`'s transaction, as a request would,
/// and returns the database's error if it refused.
async fn as_request_role(
    owner: &DatabaseConnection,
    tenant: Uuid,
    sql: &str,
) -> Result<(), String> {
    let tx = entities::tenant_scope::begin(owner, tenant).await.unwrap();
    let outcome = tx
        .execute_unprepared(sql)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    tx.rollback().await.unwrap();
    outcome
}

#[tokio::test]
async fn every_definer_function_names_pg_temp_last_in_its_search_path() {
    let app = spawn_app().await;
    let db = app.superuser().await;
    let definers = strings(
        &db,
        "SELECT p.oid::regprocedure::text || ' ' || coalesce(array_to_string(p.proconfig, ';'), '') AS v \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
    )
    .await;
    assert!(
        definers.iter().any(|d| d.starts_with("search_clients(")),
        "the search function is a definer function: {definers:?}"
    );
    for definer in &definers {
        let search_path = definer
            .split(';')
            .find_map(|setting| setting.split_once("search_path=").map(|(_, v)| v))
            .unwrap_or_else(|| panic!("{definer} has no fixed search_path"));
        assert!(
            search_path.trim().ends_with("pg_temp"),
            "{definer}: pg_temp must come last, or a caller's temporary objects run as the owner"
        );
    }
}

#[tokio::test]
async fn the_request_role_cannot_plant_temporary_objects_for_the_search_function() {
    let app = spawn_app().await;
    let tenant = app.sign_up("durham").await;
    let owner = app.owner().await;
    // The exploit the review ran: a pg_temp.uuid domain whose check calls the caller's own
    // function, which the definer function would then run as its owner.
    for sql in [
        "CREATE FUNCTION pg_temp.escalate(text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
        "CREATE DOMAIN pg_temp.uuid AS text CHECK (pg_temp.escalate(VALUE))",
        "CREATE TEMPORARY TABLE planted (id int)",
    ] {
        let refused = as_request_role(&owner, tenant.id, sql)
            .await
            .expect_err(&format!("the request role must not: {sql}"));
        assert!(refused.contains("permission denied"), "{sql}: {refused}");
    }
    let db = app.superuser().await;
    let temp = strings(
        &db,
        &format!(
            "SELECT r::text || '=' || has_database_privilege(r, '{}', 'TEMPORARY')::text AS v \
             FROM unnest(ARRAY['public', 'concord_app', 'concord_search', 'concord_platform']) r",
            app.database
        ),
    )
    .await;
    for role in temp {
        assert!(
            role.ends_with("=false"),
            "TEMPORARY must be revoked: {role}"
        );
    }
}

#[tokio::test]
async fn the_search_projection_and_function_belong_to_a_nologin_role_with_rls_forced() {
    let app = spawn_app().await;
    let db = app.superuser().await;
    let facts = strings(
        &db,
        "SELECT 'table ' || pg_get_userbyid(c.relowner) || ' forced=' || c.relforcerowsecurity::text AS v \
         FROM pg_class c WHERE c.relname = 'client_search' \
         UNION ALL SELECT 'function ' || pg_get_userbyid(p.proowner) FROM pg_proc p WHERE p.proname = 'search_clients' \
         UNION ALL SELECT 'login=' || rolcanlogin::text FROM pg_roles WHERE rolname = 'concord_search' \
         UNION ALL SELECT 'owns ' || count(*)::text FROM pg_class c \
            WHERE pg_get_userbyid(c.relowner) = 'concord_search' AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')",
    )
    .await;
    assert_eq!(
        facts,
        [
            "table concord_search forced=true",
            "function concord_search",
            "login=false",
            "owns 1"
        ]
    );
    // The owner may read (through the function) but not write the projection.
    let tx = db.begin().await.unwrap();
    tx.execute_unprepared("SET LOCAL ROLE concord_search")
        .await
        .unwrap();
    let write = tx
        .execute_unprepared(
            "INSERT INTO client_search VALUES (gen_random_uuid(), gen_random_uuid(), 'x', NULL, 'x')",
        )
        .await;
    let refused = write
        .expect_err("the search role must not write")
        .to_string();
    assert!(
        refused.contains("permission denied for table client_search"),
        "{refused}"
    );
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn the_request_role_cannot_change_tenants_or_reach_platform_administrators() {
    let app = spawn_app().await;
    let a = app.sign_up("durham").await;
    let b = app.sign_up("orange").await;
    let owner = app.owner().await;
    for sql in [
        format!(
            "UPDATE tenants SET status = 'SUSPENDED' WHERE id = '{}'",
            b.id
        ),
        format!("UPDATE tenants SET slug = 'taken' WHERE id = '{}'", a.id),
        format!("DELETE FROM tenants WHERE id = '{}'", b.id),
        "INSERT INTO platform_admins VALUES (gen_random_uuid(), 'evil@example.org', 'x', now())"
            .into(),
        "SELECT password_hash FROM platform_admins".into(),
        "SELECT count(*) FROM platform_admins".into(),
        "SELECT count(*) FROM platform_sessions".into(),
    ] {
        let refused = as_request_role(&owner, a.id, &sql)
            .await
            .expect_err(&format!("the request role must not: {sql}"));
        assert!(refused.contains("permission denied"), "{sql}: {refused}");
    }
    // What a request needs is still there: reading the registry by slug.
    let tx = entities::tenant_scope::begin_without_tenant(&owner)
        .await
        .unwrap();
    let slugs = strings(&tx, "SELECT slug AS v FROM tenants ORDER BY slug").await;
    assert_eq!(slugs, ["durham", "orange"]);
    tx.rollback().await.unwrap();
    let db = app.superuser().await;
    assert_eq!(
        strings(&db, "SELECT status AS v FROM tenants ORDER BY slug").await,
        ["ACTIVE", "ACTIVE"],
        "nothing changed"
    );
}

#[tokio::test]
async fn concord_refuses_a_login_role_with_createrole_before_postgresql_16() {
    // The roles exist before anyone is granted them, as on a fresh cluster after setup.
    provision_roles().await;
    let admin = admin().await;
    let version = strings(&admin, "SELECT current_setting('server_version_num') AS v").await;
    let before_16 = version[0].parse::<i32>().unwrap() < 160_000;
    ensure_role(
        &admin,
        "concord_createrole_test",
        "LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE",
    )
    .await;
    admin
        .execute_unprepared(
            "GRANT concord_app, concord_search, concord_platform TO concord_createrole_test",
        )
        .await
        .unwrap();
    let database = create_database("concord_createrole_test").await;
    let mut settings = test_settings(&database);
    settings.database_url = settings.database_url.map(|url| {
        secrecy::SecretString::from(
            secrecy::ExposeSecret::expose_secret(&url)
                .replace(OWNER_ROLE, "concord_createrole_test"),
        )
    });
    let outcome = Application::build(settings).await;
    if before_16 {
        let refused = outcome.err().expect("must refuse a CREATEROLE login role");
        assert!(refused.to_string().contains("CREATEROLE"), "{refused}");
        assert!(
            refused.to_string().contains("migration setup-roles"),
            "{refused}"
        );
    }
    drop_database(database);

    // The documented setup leaves the login role without it.
    let attributes = strings(
        &admin,
        &format!("SELECT rolcreaterole::text AS v FROM pg_roles WHERE rolname = '{OWNER_ROLE}'"),
    )
    .await;
    assert_eq!(attributes, ["false"]);
}

/// Issue 13: a signed-in request's first statement (`begin_request`) both takes the request
/// role and tenant and checks the session, in one round trip; the check finds only a session
/// of that tenant, and what follows in the transaction is bound by the role and tenant as
/// after `tenant_scope::begin`.
#[tokio::test]
async fn a_requests_session_check_takes_the_request_role_and_its_tenant() {
    let app = spawn_app().await;
    let durham = app.sign_up("durham").await;
    let orange = app.sign_up("orange").await;
    let superuser = sea_orm::Database::connect(crate::helpers::url_for("postgres", &app.database))
        .await
        .unwrap();
    let sessions = superuser
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id, user_id FROM sessions WHERE tenant_id = $1",
            [durham.id.into()],
        ))
        .await
        .unwrap();
    let session: Uuid = sessions[0].try_get("", "id").unwrap();
    let user: Uuid = sessions[0].try_get("", "user_id").unwrap();
    assert_eq!(user, durham.user_id);

    let (tx, found) =
        entities::tenant_scope::begin_request(&app.state.db, durham.id, user, session)
            .await
            .unwrap();
    assert!(found.is_some(), "the session of its own tenant is found");
    assert_eq!(
        strings(&tx, "SELECT current_user::text AS v").await,
        ["concord_app"]
    );
    assert_eq!(
        strings(&tx, "SELECT current_setting('app.tenant_id') AS v").await,
        [durham.id.to_string()]
    );
    // Both tenants have a user; the transaction sees its own tenant's only.
    assert_eq!(
        strings(&tx, "SELECT id::text AS v FROM users").await,
        [durham.user_id.to_string()]
    );
    tx.rollback().await.unwrap();

    // The same session asked for under another tenant is not there.
    let (tx, found) =
        entities::tenant_scope::begin_request(&app.state.db, orange.id, user, session)
            .await
            .unwrap();
    assert!(found.is_none(), "a session is found only in its own tenant");
    assert_eq!(
        strings(&tx, "SELECT id::text AS v FROM users").await,
        [orange.user_id.to_string()]
    );
    tx.rollback().await.unwrap();
}
