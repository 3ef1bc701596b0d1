-- Webhooks (issue 10): a tenant's HTTPS endpoints, each for some event kinds, and one delivery
-- row per event and endpoint, written in the same transaction as the change (an outbox of its
-- own: delivery is retried with backoff and its status is listed to the tenant).
CREATE TABLE webhook_endpoints (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    url text NOT NULL,
    -- The event kinds it receives, each between commas (",CASE_OPENED,CLIENT_CHANGED,"), so
    -- one LIKE picks the endpoints of an event on PostgreSQL and SQLite alike.
    events text NOT NULL,
    description text NOT NULL,
    -- The signing secret, sealed with the field key (AES-256-GCM, bound to the endpoint): the
    -- worker needs it readable to sign; it is shown once, when the endpoint is registered.
    secret_sealed text NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    removed_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE TABLE webhook_deliveries (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    endpoint_id uuid NOT NULL,
    event text NOT NULL,
    -- What the event is about: COM-1, a client is named to the receiver by HMIS number and
    -- global id only, both read when the delivery is made.
    client_id uuid,
    subject_type text NOT NULL,
    subject_id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    -- PENDING (next try at next_attempt_at); DELIVERED (a 2xx answer); FAILED (gave up).
    status text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts integer NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    last_status integer,
    last_error text,
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at)
    WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_of_endpoint ON webhook_deliveries (tenant_id, endpoint_id, id);
