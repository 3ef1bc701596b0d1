-- An outbox row is an in-app message to e-mail, or an invitation to e-mail: one of the two.
ALTER TABLE outbox
    ALTER COLUMN notification_id DROP NOT NULL,
    ADD COLUMN invitation_id uuid,
    ADD FOREIGN KEY (tenant_id, invitation_id) REFERENCES invitations (tenant_id, id),
    ADD CHECK ((notification_id IS NULL) <> (invitation_id IS NULL));
