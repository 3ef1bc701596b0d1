-- Only platform administration reaches these sessions; the request role does not.
GRANT SELECT, INSERT, UPDATE (last_seen_at, revoked_at, revoked_reason) ON platform_sessions
    TO concord_platform;
