GRANT UPDATE (totp_secret_sealed, totp_confirmed_at, totp_last_used_step) ON platform_admins
    TO concord_platform;
