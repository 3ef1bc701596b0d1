-- Row-level security, grants, never-deleted guards and the fuzzy client search (PostgreSQL).

DO $$
DECLARE
    t text;
    tenant_check text := 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)';
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'client_field_values', 'data_conflicts', 'profile_rows',
                             'enrollments', 'services', 'service_history', 'attachments',
                             'case_manager_assignments', 'client_notes', 'client_views',
                             'notifications']
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

GRANT SELECT, INSERT, UPDATE ON clients, data_conflicts, profile_rows, enrollments, services,
    attachments, case_manager_assignments, client_notes, notifications TO concord_app;
GRANT SELECT, INSERT ON client_field_values, service_history, client_views TO concord_app;
-- ENR-1 and CM-2 allow the owning agency to delete; everything else is never deleted.
GRANT DELETE ON enrollments, case_manager_assignments TO concord_app;

-- Never deleted (SRV-1, NOTE-1, ATT-1 keep a record), and history is never rewritten (DEM-2,
-- SRV-1, AUD-2): the database refuses whoever asks.
CREATE TRIGGER services_never_deleted BEFORE DELETE ON services
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER client_notes_never_deleted BEFORE DELETE ON client_notes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER attachments_never_deleted BEFORE DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER clients_never_deleted BEFORE DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER client_field_values_append_only BEFORE UPDATE OR DELETE ON client_field_values
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER service_history_append_only BEFORE UPDATE OR DELETE ON service_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER client_views_append_only BEFORE UPDATE OR DELETE ON client_views
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER protected_no_truncate BEFORE TRUNCATE ON services
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Fuzzy search (SECURITY.md): pg_trgm's operators are not LEAKPROOF, so under forced RLS
-- PostgreSQL would scan the whole tenant. A projection kept by triggers, with RLS enabled but
-- not forced on its owner, is searched by one SECURITY DEFINER function that reads the
-- tenant from the transaction's setting (never from an argument) and returns only ids and
-- scores; callers join the ids back through the protected tables.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE TABLE client_search (
    tenant_id uuid NOT NULL,
    client_id uuid NOT NULL,
    normalized_name text NOT NULL,
    dob date,
    hmis_number text NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
);
ALTER TABLE client_search ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON client_search
    USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid));
CREATE INDEX client_search_name_trgm ON client_search USING gin (normalized_name gin_trgm_ops);
CREATE INDEX client_search_hmis ON client_search (tenant_id, hmis_number);
GRANT SELECT, INSERT, UPDATE ON client_search TO concord_app;

CREATE FUNCTION client_search_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_search (tenant_id, client_id, normalized_name, dob, hmis_number)
    VALUES (NEW.tenant_id, NEW.id,
            lower(concat_ws(' ', NEW.first_name, NEW.middle_name, NEW.last_name)),
            NEW.dob, NEW.hmis_number)
    ON CONFLICT (tenant_id, client_id) DO UPDATE
        SET normalized_name = EXCLUDED.normalized_name, dob = EXCLUDED.dob,
            hmis_number = EXCLUDED.hmis_number;
    RETURN NEW;
END
$$;
CREATE TRIGGER clients_search_sync AFTER INSERT OR UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION client_search_sync();

CREATE FUNCTION search_clients(query text, max_results integer)
RETURNS TABLE (client_id uuid, score real)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET pg_trgm.similarity_threshold = 0.2
AS $$
    -- Trigrams find the candidates (indexed); the edit distance ranks them, so that swapped
    -- letters ("Jonh Smtih") rank the name they garble above a merely similar one.
    SELECT s.client_id,
           greatest(similarity(s.normalized_name, lower(query)),
                    1 - levenshtein(left(s.normalized_name, 255), left(lower(query), 255))::real
                        / greatest(length(s.normalized_name), length(query), 1))::real AS score
    FROM public.client_search s
    WHERE s.tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)
      AND (s.normalized_name OPERATOR(public.%) lower(query)
           -- A partial name ("smi") is too short to be similar; the trigram index serves
           -- this substring match too.
           OR s.normalized_name LIKE '%' || replace(replace(replace(lower(query), '\', '\\'), '%', '\%'), '_', '\_') || '%'
           OR s.hmis_number = query)
    ORDER BY score DESC, s.client_id
    LIMIT least(max_results, 200)
$$;
REVOKE ALL ON FUNCTION search_clients(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_clients(text, integer) TO concord_app;
