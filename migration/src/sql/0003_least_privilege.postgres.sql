-- Least privilege for the roles Concord runs as (PostgreSQL only). The roles themselves are
-- made by an administrator beforehand (`migration setup-roles`, README): the login role that
-- runs this keeps no CREATEROLE.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['concord_app', 'concord_search', 'concord_platform']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'the role % does not exist: an administrator creates it once per cluster with the SQL that `migration setup-roles <login role>` prints (README, PostgreSQL)', r;
        END IF;
        IF NOT pg_has_role(current_user, r, 'MEMBER') THEN
            RAISE EXCEPTION 'the role % is not granted to %: an administrator runs the SQL that `migration setup-roles %` prints (README, PostgreSQL)', r, current_user, current_user;
        END IF;
    END LOOP;
END
$$;

-- A SECURITY DEFINER function resolves types and tables in the caller's temporary schema
-- first unless pg_temp is named last; and nobody but the owner needs temporary objects.
ALTER FUNCTION search_clients(text, integer) SET search_path = pg_catalog, public, pg_temp;
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM concord_app, concord_search, concord_platform',
                   current_database());
END
$$;

-- The search projection and its function belong to a role that owns nothing else, so the
-- definer function runs with the rights to this one table. RLS is forced on that owner too:
-- it may read every tenant's rows (the function's tenant filter is the one reviewed place: a
-- tenant policy here would keep pg_trgm's operators, which are not LEAKPROOF, off the trigram
-- index) and holds no right to write; requests write through the sync trigger under the tenant policies.
CREATE POLICY tenant_isolation_guard ON client_search AS RESTRICTIVE TO concord_app
    USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid));
CREATE POLICY search_owner_reads ON client_search FOR SELECT TO concord_search USING (true);
GRANT CREATE ON SCHEMA public TO concord_search;
ALTER TABLE client_search OWNER TO concord_search;
ALTER FUNCTION search_clients(text, integer) OWNER TO concord_search;
REVOKE CREATE ON SCHEMA public FROM concord_search;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON client_search FROM concord_search;
ALTER TABLE client_search FORCE ROW LEVEL SECURITY;
REVOKE ALL ON FUNCTION search_clients(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_clients(text, integer) TO concord_app;

-- The registries. A request reads tenants (sign-in by slug, a session's tenant status) and
-- inserts one at sign-up; it never changes a tenant's status and never sees the platform
-- administrators. Those run as concord_platform.
REVOKE UPDATE, DELETE, TRUNCATE ON tenants FROM concord_app;
REVOKE ALL ON platform_admins FROM concord_app;
GRANT USAGE ON SCHEMA public TO concord_platform;
GRANT SELECT ON tenants TO concord_platform;
GRANT UPDATE (status, status_changed_at) ON tenants TO concord_platform;
GRANT SELECT, INSERT ON platform_admins TO concord_platform;
-- Approving and suspending a tenant are written in that tenant's audit log.
GRANT INSERT ON audit_log TO concord_platform;

-- Never deleted means never truncated either (AUD-1, DEM-2, SRV-1, NOTE-1, ATT-1).
CREATE TRIGGER clients_no_truncate BEFORE TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER client_field_values_no_truncate BEFORE TRUNCATE ON client_field_values
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER service_history_no_truncate BEFORE TRUNCATE ON service_history
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER client_notes_no_truncate BEFORE TRUNCATE ON client_notes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER attachments_no_truncate BEFORE TRUNCATE ON attachments
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER client_views_no_truncate BEFORE TRUNCATE ON client_views
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER plan_versions_no_truncate BEFORE TRUNCATE ON plan_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
