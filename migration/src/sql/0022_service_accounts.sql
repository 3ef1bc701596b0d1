-- Service accounts (issue 10): an integration of a tenant — a reporting script, a data
-- warehouse — that signs in with a client id and secret (OAuth 2.0 client credentials) and
-- acts under its own name, with a role and, narrower still, a set of scopes.
CREATE TABLE service_accounts (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('DATA_CENTER', 'AGENCY_ADMIN', 'USER')),
    agency_id uuid,
    -- What it may do within its role, each between commas (",CLIENTS_READ,SERVICES_WRITE,");
    -- NULL: everything its role may do.
    scopes text,
    -- SHA-256 of the secret: 256 random bits need no slow hash (as refresh tokens).
    secret_hash text NOT NULL,
    -- The current secret's id, carried by the access tokens issued with it (`sid`): rotating
    -- the secret ends every token of the old one at its next request, on every API process.
    secret_id uuid NOT NULL,
    requests_per_minute integer NOT NULL CHECK (requests_per_minute > 0),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    last_token_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, agency_id) REFERENCES agencies (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
    CHECK ((role = 'DATA_CENTER') = (agency_id IS NULL))
);
