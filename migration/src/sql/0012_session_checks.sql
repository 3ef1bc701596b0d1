-- Issue 13: what checking a request's session reads, defined once: the session, its user, the
-- tenant's status and the version of the plan in force (versions are never changed and the
-- latest is in force).
CREATE VIEW session_checks AS
SELECT sessions.tenant_id,
       sessions.id AS session_id,
       sessions.user_id,
       tenants.status AS tenant_status,
       users.status AS user_status,
       users.role AS user_role,
       users.agency_id AS user_agency_id,
       users.sessions_valid_after,
       sessions.created_at,
       sessions.last_seen_at,
       sessions.revoked_at,
       (SELECT max(plan_versions.version) FROM plan_versions
         WHERE plan_versions.tenant_id = sessions.tenant_id) AS plan_version
FROM sessions
JOIN users ON users.tenant_id = sessions.tenant_id AND users.id = sessions.user_id
JOIN tenants ON tenants.id = sessions.tenant_id;
