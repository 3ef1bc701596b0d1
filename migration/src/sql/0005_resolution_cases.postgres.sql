-- Row-level security and grants for the cases (PostgreSQL).
DO $$
DECLARE
    t text;
    tenant_check text := 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)';
BEGIN
    FOREACH t IN ARRAY ARRAY['cases', 'case_attempts', 'case_events', 'deadlines']
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

GRANT SELECT, INSERT, UPDATE ON cases TO concord_app;
GRANT SELECT, INSERT ON case_attempts, case_events TO concord_app;
GRANT SELECT, INSERT, UPDATE (due_at, done_at) ON deadlines TO concord_app;

-- A case, its attempts and its timeline are the record of how a disagreement was handled
-- (AUD-1): never deleted, and attempts and events never rewritten.
CREATE TRIGGER cases_never_deleted BEFORE DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER case_attempts_append_only BEFORE UPDATE OR DELETE ON case_attempts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cases_no_truncate BEFORE TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER case_attempts_no_truncate BEFORE TRUNCATE ON case_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
