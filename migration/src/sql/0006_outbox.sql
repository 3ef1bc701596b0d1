-- The outbox (SPEC §5): every message to be e-mailed is a row written in the same transaction
-- as the change that causes it (beside its in-app notification); a relay pushes each pending
-- row as a job keyed by the row's id, and delivery marks the row done.
CREATE TABLE outbox (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    notification_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    -- PENDING; SENT (e-mailed to `recipients` addresses); NOT_EMAILED (no SMTP server set up,
    -- or nobody to send it to: `detail` says which — the in-app message stands either way).
    status text NOT NULL CHECK (status IN ('PENDING', 'SENT', 'NOT_EMAILED')),
    attempts integer NOT NULL,
    delivered_at timestamptz,
    recipients integer,
    detail text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id)
);
CREATE INDEX outbox_pending ON outbox (tenant_id, created_at) WHERE status = 'PENDING';
