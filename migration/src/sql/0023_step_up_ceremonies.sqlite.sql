-- As on PostgreSQL: step-up ceremonies get a purpose of their own. SQLite cannot change a
-- CHECK constraint, so the table is rebuilt with its rows (ceremonies begun stay answerable).
-- Nothing refers to it.
CREATE TABLE webauthn_challenges_rebuilt (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('REGISTER', 'SIGN_IN', 'STEP_UP')),
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
INSERT INTO webauthn_challenges_rebuilt
    (tenant_id, id, user_id, purpose, state, created_at, expires_at, used_at)
SELECT tenant_id, id, user_id, purpose, state, created_at, expires_at, used_at
FROM webauthn_challenges;
DROP TABLE webauthn_challenges;
ALTER TABLE webauthn_challenges_rebuilt RENAME TO webauthn_challenges;
