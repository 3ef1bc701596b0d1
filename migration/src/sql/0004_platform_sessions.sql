-- Platform administrators' sessions: ended by logout, after 30 minutes idle and after 12 hours,
-- like every other user's. Not tenant data: the administrators belong to the installation.
CREATE TABLE platform_sessions (
    id uuid PRIMARY KEY,
    admin_id uuid NOT NULL REFERENCES platform_admins (id),
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_reason text
);
CREATE INDEX platform_sessions_by_admin ON platform_sessions (admin_id);
