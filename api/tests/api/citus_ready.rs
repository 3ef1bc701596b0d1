//! Citus-ready (SPEC §1): a table distributed by tenant must have every primary and unique
//! key begin with `tenant_id`, and a foreign key between two such tables must carry it —
//! the rules Citus enforces. Read from PostgreSQL's catalog of the fully migrated schema, so a
//! migration that breaks them fails here, not at the move to Citus.
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::helpers::spawn_app;

/// Every way a table with a `tenant_id` column (a tenant table) breaks the rules, one line
/// each; empty when it is Citus-ready.
const BREACHES: &str = r"
WITH tenant_tables AS (
    SELECT c.oid, c.relname, a.attnum AS tenant_attnum
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
)
SELECT 'unique key not led by tenant_id: ' || t.relname || ' ' || i.indexrelid::regclass::text AS breach
FROM tenant_tables t
JOIN pg_index i ON i.indrelid = t.oid
WHERE i.indisunique AND i.indkey[0] <> t.tenant_attnum
UNION ALL
SELECT 'no primary key: ' || t.relname
FROM tenant_tables t
WHERE NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = t.oid AND i.indisprimary)
UNION ALL
SELECT 'foreign key without tenant_id: ' || t.relname || ' ' || con.conname
FROM tenant_tables t
JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f'
JOIN tenant_tables r ON r.oid = con.confrelid
WHERE NOT EXISTS (
    SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(col, refcol)
    WHERE k.col = t.tenant_attnum AND k.refcol = r.tenant_attnum
)
ORDER BY 1";

async fn rows(db: &DatabaseConnection, sql: &str, column: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("catalog query")
        .iter()
        .map(|r| r.try_get("", column).expect(column))
        .collect()
}

#[tokio::test]
async fn every_tenant_table_is_ready_to_be_distributed_by_tenant() {
    let app = spawn_app().await;
    let db = app.superuser().await;
    let tables = rows(
        &db,
        "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid \
         WHERE a.attname = 'tenant_id' AND c.relkind = 'r' \
         AND c.relnamespace = 'public'::regnamespace",
        "relname",
    )
    .await;
    // The check reads the real schema: the tables the workflows need are among those read.
    for table in [
        "clients",
        "cases",
        "deadlines",
        "outbox",
        "invitations",
        "audit_log",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    assert_eq!(rows(&db, BREACHES, "breach").await, Vec::<String>::new());

    // And it finds each breach when there is one.
    db.execute_unprepared(
        "CREATE TABLE not_ready (tenant_id uuid NOT NULL, id uuid PRIMARY KEY, \
         other_tenant uuid, case_id uuid, UNIQUE (case_id, tenant_id), \
         FOREIGN KEY (other_tenant, case_id) REFERENCES cases (tenant_id, id))",
    )
    .await
    .expect("a table that breaks the rules");
    assert_eq!(
        rows(&db, BREACHES, "breach").await,
        [
            "foreign key without tenant_id: not_ready not_ready_other_tenant_case_id_fkey",
            "unique key not led by tenant_id: not_ready not_ready_case_id_tenant_id_key",
            "unique key not led by tenant_id: not_ready not_ready_pkey",
        ]
    );
}
