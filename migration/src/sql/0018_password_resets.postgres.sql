ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_resets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON password_resets
    USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid));
CREATE POLICY tenant_isolation_guard ON password_resets AS RESTRICTIVE
    USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE (token_hash, used_at) ON password_resets TO concord_app;
-- An outbox row e-mails one thing: an in-app message, an invitation or a password reset.
ALTER TABLE outbox
    ADD COLUMN password_reset_id uuid,
    ADD FOREIGN KEY (tenant_id, password_reset_id) REFERENCES password_resets (tenant_id, id),
    DROP CONSTRAINT outbox_check,
    ADD CONSTRAINT outbox_one_thing
        CHECK (num_nonnulls(notification_id, invitation_id, password_reset_id) = 1);
