ALTER TABLE inconsistencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE inconsistencies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inconsistencies
    USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid));
CREATE POLICY tenant_isolation_guard ON inconsistencies AS RESTRICTIVE
    USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE (resolved_at) ON inconsistencies TO concord_app;
