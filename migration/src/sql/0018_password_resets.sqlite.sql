-- An outbox row e-mails one thing: an in-app message, an invitation or a password reset.
-- SQLite cannot change a CHECK: the table is rebuilt with its rows.
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
    password_reset_id uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id),
    FOREIGN KEY (tenant_id, invitation_id) REFERENCES invitations (tenant_id, id),
    FOREIGN KEY (tenant_id, password_reset_id) REFERENCES password_resets (tenant_id, id),
    CHECK ((notification_id IS NOT NULL) + (invitation_id IS NOT NULL)
        + (password_reset_id IS NOT NULL) = 1)
);
INSERT INTO outbox_next (tenant_id, id, notification_id, created_at, status, attempts,
        delivered_at, recipients, detail, invitation_id)
    SELECT tenant_id, id, notification_id, created_at, status, attempts, delivered_at,
        recipients, detail, invitation_id
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (tenant_id, created_at) WHERE status = 'PENDING';
