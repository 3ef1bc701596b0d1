-- Password reset (ASVS 6.4): a request for an account is a row, e-mailed through the outbox.
-- The e-mail's token is made when it is sent and kept only as a hash (like an invitation's);
-- it works once, before `expires_at`.
CREATE TABLE password_resets (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash text,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX password_resets_token ON password_resets (tenant_id, token_hash);
