-- Second factors (ASVS 6.3.3; issue 10). Which roles must use one is a tenant's setting,
-- kept under row-level security like the tenant's other rows (the `tenants` registry has
-- none). Roles are stored as ",DATA_CENTER,AGENCY_ADMIN," so one LIKE finds a role.
CREATE TABLE tenant_security (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    second_factor_roles text NOT NULL
);
-- Existing tenants get the default of new ones: the Data Center and Agency Administrators.
INSERT INTO tenant_security (tenant_id, second_factor_roles)
    SELECT id, ',DATA_CENTER,AGENCY_ADMIN,' FROM tenants;

-- A user's authenticator app (RFC 6238). The shared secret is sealed with the field key,
-- bound to the tenant and the factor. `last_used_step` is the time step of the last code
-- accepted: a code is never accepted twice. Unconfirmed until a first code proves the app
-- holds the secret; one per user.
CREATE TABLE totp_factors (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    secret_sealed text NOT NULL,
    created_at timestamptz NOT NULL,
    confirmed_at timestamptz,
    last_used_step bigint,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- Ten single-use backup codes. `lookup` is the code's first group, which finds its row; the
-- rest is kept only as an argon2 hash (ASVS 6.5.2: under 112 bits of entropy).
CREATE TABLE backup_codes (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    lookup text NOT NULL,
    code_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id, lookup),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- When this session last passed a second-factor check: removing a factor needs a recent one.
ALTER TABLE sessions ADD COLUMN second_factor_at timestamptz;
