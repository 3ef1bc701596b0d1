-- Platform administrators always use a second factor (issue 10): their authenticator app,
-- kept as a tenant user's is (the secret sealed with the field key, the last step accepted).
-- Enrolled at their first sign-in; until then their session reaches nothing else.
ALTER TABLE platform_admins ADD COLUMN totp_secret_sealed text;
ALTER TABLE platform_admins ADD COLUMN totp_confirmed_at timestamptz;
ALTER TABLE platform_admins ADD COLUMN totp_last_used_step bigint;
