-- Row-level security, the request role and the append-only audit log (PostgreSQL only).

-- The role requests run as. Created here when the migrating role may create roles; a DBA
-- may instead create it beforehand (CREATE ROLE concord_app NOLOGIN) and grant it to the
-- owner. Two databases migrating at once may race to create it: the loser carries on.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'concord_app') THEN
        CREATE ROLE concord_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'concord_app', 'MEMBER') THEN
        EXECUTE format('GRANT concord_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO concord_app;

-- The registries: not tenant data. Login needs the tenant before a tenant is set, and the
-- platform administrator lists tenants; neither holds client data.
GRANT SELECT, INSERT, UPDATE ON tenants TO concord_app;
GRANT SELECT, INSERT ON platform_admins TO concord_app;

-- Tenant tables: fail-closed policies (no tenant set, no rows), forced on the owner too,
-- plus a restrictive copy so that no later permissive policy can widen access.
DO $$
DECLARE
    t text;
    tenant_check text := 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)';
BEGIN
    FOREACH t IN ARRAY ARRAY['agencies', 'projects', 'users', 'invitations', 'sessions',
                             'refresh_tokens', 'plan_versions', 'audit_log']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (%s) WITH CHECK (%s)',
                       t, tenant_check, tenant_check);
        EXECUTE format('CREATE POLICY tenant_isolation_guard ON %I AS RESTRICTIVE USING (%s) WITH CHECK (%s)',
                       t, tenant_check, tenant_check);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON agencies, projects, users, invitations, sessions,
    refresh_tokens, plan_versions TO concord_app;
GRANT DELETE ON refresh_tokens TO concord_app;
GRANT SELECT, INSERT ON audit_log TO concord_app;

-- AUD-1: the database itself refuses to rewrite history, whoever asks.
CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
REVOKE ALL ON FUNCTION refuse_change() FROM PUBLIC;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER plan_versions_immutable BEFORE UPDATE OR DELETE ON plan_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
