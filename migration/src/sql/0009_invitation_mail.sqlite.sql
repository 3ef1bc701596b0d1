-- An outbox row is an in-app message to e-mail, or an invitation to e-mail: one of the two.
-- SQLite cannot drop a NOT NULL: the table is rebuilt with its rows.
CREATE TABLE outbox_next (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    notification_id uuid,
    created_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('PENDING', 'SENT', 'NOT_EMAILED')),
    attempts integer NOT NULL,
    delivered_at timestamptz,
    recipients integer,
    detail text,
    invitation_id uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id),
    FOREIGN KEY (tenant_id, invitation_id) REFERENCES invitations (tenant_id, id),
    CHECK ((notification_id IS NULL) <> (invitation_id IS NULL))
);
INSERT INTO outbox_next (tenant_id, id, notification_id, created_at, status, attempts,
        delivered_at, recipients, detail)
    SELECT tenant_id, id, notification_id, created_at, status, attempts, delivered_at,
        recipients, detail
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (tenant_id, created_at) WHERE status = 'PENDING';
