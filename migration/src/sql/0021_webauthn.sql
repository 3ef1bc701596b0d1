-- WebAuthn security keys and passkeys as a second factor (issue 10). A credential is the
-- public key webauthn-rs keeps (`passkey`, its JSON, with the signature counter); nothing
-- secret is stored. A challenge is a ceremony begun (registering a key, or signing in with
-- one): its state stays on the server, works once and for five minutes.
CREATE TABLE webauthn_credentials (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    passkey text NOT NULL,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (tenant_id, user_id);

CREATE TABLE webauthn_challenges (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('REGISTER', 'SIGN_IN')),
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
