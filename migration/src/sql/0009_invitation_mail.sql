-- Invitation e-mails go through the outbox (SPEC §5). The e-mail carries a token of its own,
-- made when it is sent and stored, like the inviter's, only as a hash: no token is kept
-- readable anywhere. Either token accepts the invitation, once.
ALTER TABLE invitations ADD COLUMN emailed_token_hash text;
CREATE UNIQUE INDEX invitations_emailed_token ON invitations (tenant_id, emailed_token_hash);
