DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webauthn_credentials', 'webauthn_challenges'] LOOP
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
GRANT SELECT, INSERT, DELETE, UPDATE (passkey, last_used_at) ON webauthn_credentials TO concord_app;
GRANT SELECT, INSERT, UPDATE (used_at) ON webauthn_challenges TO concord_app;

-- A security key is a second factor too.
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
       (EXISTS (SELECT 1 FROM totp_factors
                 WHERE totp_factors.tenant_id = sessions.tenant_id
                   AND totp_factors.user_id = sessions.user_id
                   AND totp_factors.confirmed_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM webauthn_credentials
                    WHERE webauthn_credentials.tenant_id = sessions.tenant_id
                      AND webauthn_credentials.user_id = sessions.user_id)) AS has_second_factor,
       sessions.second_factor_at
FROM sessions
JOIN users ON users.tenant_id = sessions.tenant_id AND users.id = sessions.user_id
JOIN tenants ON tenants.id = sessions.tenant_id
LEFT JOIN tenant_security ON tenant_security.tenant_id = sessions.tenant_id;
-- As in 0019: CREATE OR REPLACE VIEW drops the view's options.
ALTER VIEW session_checks SET (security_invoker = true);
