-- Shared by PostgreSQL and SQLite. Every tenant table's primary key and unique keys begin
-- with tenant_id and its foreign keys carry tenant_id, so the schema distributes by tenant
-- (Citus) unchanged and a unique or foreign-key check never crosses tenants.

CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    coc_code text NOT NULL,
    slug text NOT NULL UNIQUE,
    status text NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'SUSPENDED')),
    created_at timestamptz NOT NULL,
    status_changed_at timestamptz NOT NULL
);

CREATE TABLE platform_admins (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE agencies (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE projects (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    agency_id uuid NOT NULL,
    name text NOT NULL,
    -- HUD project type codes, FY2024+ (5 is retired).
    project_type smallint NOT NULL CHECK (project_type IN (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14)),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, agency_id, name),
    FOREIGN KEY (tenant_id, agency_id) REFERENCES agencies (tenant_id, id)
);

CREATE TABLE users (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('DATA_CENTER', 'AGENCY_ADMIN', 'USER')),
    agency_id uuid,
    status text NOT NULL CHECK (status IN ('ACTIVE', 'DEACTIVATED')),
    failed_logins integer NOT NULL DEFAULT 0,
    first_failed_at timestamptz,
    locked_until timestamptz,
    -- Access tokens issued before this instant are refused: the durable half of revocation,
    -- so that flushing Redis never lets a revoked session back in.
    sessions_valid_after timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email),
    FOREIGN KEY (tenant_id, agency_id) REFERENCES agencies (tenant_id, id),
    CHECK ((role = 'DATA_CENTER') = (agency_id IS NULL))
);

CREATE TABLE invitations (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('DATA_CENTER', 'AGENCY_ADMIN', 'USER')),
    agency_id uuid,
    token_hash text NOT NULL,
    invited_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, agency_id) REFERENCES agencies (tenant_id, id),
    FOREIGN KEY (tenant_id, invited_by) REFERENCES users (tenant_id, id),
    CHECK ((role = 'DATA_CENTER') = (agency_id IS NULL))
);

-- A session is one refresh-token family (RFC 9700 §4.14.2).
CREATE TABLE sessions (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_reason text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX sessions_by_user ON sessions (tenant_id, user_id);

CREATE TABLE refresh_tokens (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    session_id uuid NOT NULL,
    token_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id)
);

CREATE TABLE plan_versions (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    version integer NOT NULL,
    template text NOT NULL,
    document jsonb NOT NULL,
    published_by uuid,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, version)
);

-- AUD-1: append-only. PostgreSQL refuses UPDATE and DELETE with a trigger.
CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    at timestamptz NOT NULL,
    actor_user_id uuid,
    actor_agency_id uuid,
    action text NOT NULL,
    subject_id uuid,
    outcome text NOT NULL CHECK (outcome IN ('ALLOWED', 'REFUSED')),
    rule text,
    source_ip text,
    detail jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at);
