DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_security', 'totp_factors', 'backup_codes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
            WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_isolation_guard ON %I AS RESTRICTIVE
            USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
            WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))$p$, t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE (second_factor_roles) ON tenant_security TO concord_app;
GRANT SELECT, INSERT, DELETE, UPDATE (confirmed_at, last_used_step) ON totp_factors TO concord_app;
GRANT SELECT, INSERT, DELETE, UPDATE (used_at) ON backup_codes TO concord_app;

-- The session check also says whether the user must still enrol a second factor, and when
-- the session last passed one. Columns are added at the end, so `begin_request`, which
-- returns the view's rows, stays as it is.
CREATE OR REPLACE VIEW session_checks AS
SELECT sessions.tenant_id,
       sessions.id AS session_id,
       sessions.user_id,
       tenants.status AS tenant_status,
       users.status AS user_status,
       users.role AS user_role,
       users.agency_id AS user_agency_id,
       users.sessions_valid_after,
       sessions.created_at,
       sessions.last_seen_at,
       sessions.revoked_at,
       (SELECT max(plan_versions.version) FROM plan_versions
         WHERE plan_versions.tenant_id = sessions.tenant_id) AS plan_version,
       COALESCE(tenant_security.second_factor_roles, ',DATA_CENTER,AGENCY_ADMIN,')
           AS second_factor_roles,
       EXISTS (SELECT 1 FROM totp_factors
                WHERE totp_factors.tenant_id = sessions.tenant_id
                  AND totp_factors.user_id = sessions.user_id
                  AND totp_factors.confirmed_at IS NOT NULL) AS has_second_factor,
       sessions.second_factor_at
FROM sessions
JOIN users ON users.tenant_id = sessions.tenant_id AND users.id = sessions.user_id
JOIN tenants ON tenants.id = sessions.tenant_id
LEFT JOIN tenant_security ON tenant_security.tenant_id = sessions.tenant_id;
-- CREATE OR REPLACE VIEW replaces the view's options with those it names (none): set again,
-- or the view would read as its owner, past row-level security.
ALTER VIEW session_checks SET (security_invoker = true);
