-- An invitation can be revoked before it is accepted; its tokens stop working.
ALTER TABLE invitations ADD COLUMN revoked_at timestamptz;
