//! The database roles Concord runs as, made once per PostgreSQL cluster by an administrator.
//!
//! The role `DATABASE_URL` logs in as owns the schema and migrates it, but keeps no
//! `CREATEROLE`: on PostgreSQL 15 and older that attribute is close to superuser (it can grant
//! itself `pg_execute_server_program`). So an administrator creates the three `NOLOGIN` roles
//! below and grants them to the login role, before Concord's first start.
//!
//! Requests run as `APP_ROLE` (row-level security binds it, and it holds only the tables and
//! columns a request needs); `SEARCH_ROLE` owns the client-search projection and the one
//! `SECURITY DEFINER` function over it, so that function runs with the rights to that table
//! alone; platform administration runs as `PLATFORM_ROLE`.

pub use entities::tenant_scope::{APP_ROLE, PLATFORM_ROLE, SEARCH_ROLE};

/// The administrator's SQL for a login role named `login_role`: creates the roles when they
/// are missing, grants them to the login role and takes `CREATEROLE` away from it. Safe to run
/// again. `None` when the name is not a plain lower-case identifier.
pub fn setup_roles_sql(login_role: &str) -> Option<String> {
    let plain = !login_role.is_empty()
        && login_role.len() <= 63
        && login_role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && login_role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return None;
    }
    let mut sql = String::new();
    for role in [APP_ROLE, SEARCH_ROLE, PLATFORM_ROLE] {
        // Several installations (or test runs) may set up the same cluster at once: the
        // loser of a race to create a role carries on.
        sql.push_str(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN \
             CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; \
             END IF; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;\n"
        ));
    }
    sql.push_str(&format!(
        "GRANT {APP_ROLE}, {SEARCH_ROLE}, {PLATFORM_ROLE} TO {login_role};\n\
         ALTER ROLE {login_role} NOSUPERUSER NOBYPASSRLS NOCREATEROLE;\n"
    ));
    Some(sql)
}

/// Nobody but the owner needs temporary objects, and a `SECURITY DEFINER` function would
/// resolve names in a caller's temporary schema. Privileges on the database itself live
/// outside it — a copy from a template or a restored dump starts with PostgreSQL's defaults
/// again — so Concord re-applies this at every start, as well as in its migration.
pub const DATABASE_PRIVILEGES_SQL: &str = "DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM concord_app, concord_search, concord_platform',
                   current_database());
END
$$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setup_refuses_a_login_role_name_that_would_need_quoting() {
        assert!(setup_roles_sql("concord").is_some());
        assert!(setup_roles_sql("concord; DROP DATABASE x").is_none());
        assert!(setup_roles_sql("Concord").is_none());
        assert!(setup_roles_sql("").is_none());
    }

    #[test]
    fn the_setup_takes_createrole_away_from_the_login_role() {
        let sql = setup_roles_sql("concord").unwrap_or_default();
        assert!(sql.contains("ALTER ROLE concord NOSUPERUSER NOBYPASSRLS NOCREATEROLE"));
        assert!(sql.contains("GRANT concord_app, concord_search, concord_platform TO concord"));
    }
}
