-- The view reads as whoever queries it, so row-level security binds it as it binds the tables.
ALTER VIEW session_checks SET (security_invoker = true);
GRANT SELECT ON session_checks TO concord_app;

-- A request's first statement: takes the request role and the tenant for the rest of the
-- transaction, exactly as `tenant_scope::begin` does, then checks the session under them.
-- One round trip where there were two. The role and tenant are set before the check's query
-- is planned (a PL/pgSQL statement is planned when it runs), so row-level security and the
-- request role's privileges apply to it; one SELECT setting both would be planned before
-- either took effect. No SET clause on the function: it would undo the settings on return.
CREATE FUNCTION begin_request(p_tenant uuid, p_user uuid, p_session uuid)
RETURNS SETOF public.session_checks
LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
    PERFORM pg_catalog.set_config('role', 'concord_app', true);
    PERFORM pg_catalog.set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
        SELECT * FROM public.session_checks
         WHERE tenant_id = p_tenant AND session_id = p_session AND user_id = p_user;
END
$$;
REVOKE ALL ON FUNCTION begin_request(uuid, uuid, uuid) FROM PUBLIC;
-- Held through the request role, which the login role is a member of.
GRANT EXECUTE ON FUNCTION begin_request(uuid, uuid, uuid) TO concord_app;
