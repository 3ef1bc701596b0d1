-- The plan's resolution workflows (SPEC §4): a case per data conflict (DEM-4) or entry/exit
-- error report (ENR-3), the contact attempts logged on it, its timeline, and its deadlines,
-- each a row with its due time that a frequent sweep acts on (SPEC §5): never an in-memory
-- wait.
CREATE TABLE cases (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('DATA_CONFLICT', 'ENROLLMENT_ERROR')),
    state text NOT NULL CHECK (state IN ('OPENED', 'CONTACTING', 'AGREED', 'ESCALABLE',
                                         'ESCALATED', 'IN_ADMIN_REVIEW', 'IN_DATA_CENTER_QUEUE',
                                         'RESOLVED', 'WITHDRAWN')),
    client_id uuid NOT NULL,
    conflict_id uuid,
    -- No foreign key: the owning agency may delete the enrollment (ENR-1), which closes the
    -- case.
    enrollment_id uuid,
    -- What the reporting agency believes is wrong (ENR-3).
    explanation text NOT NULL,
    reported_by_user uuid NOT NULL,
    reported_by_agency uuid,
    owner_user uuid NOT NULL,
    owner_agency uuid,
    -- The terms: the plan version in force when the case opened, and its parameters. A later
    -- plan does not move an open case's deadlines.
    plan_version integer NOT NULL,
    contact_attempts_min integer NOT NULL,
    contact_window_days integer NOT NULL,
    admin_review_days integer NOT NULL,
    agreed_updater text CHECK (agreed_updater IN ('REPORTER', 'OWNER')),
    opened_at timestamptz NOT NULL,
    -- ENR-3: when the owning agency's administrators were asked to review the record.
    review_requested_at timestamptz,
    closed_at timestamptz,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    FOREIGN KEY (tenant_id, conflict_id) REFERENCES data_conflicts (tenant_id, id)
);
CREATE INDEX cases_by_client ON cases (tenant_id, client_id);
CREATE UNIQUE INDEX cases_by_conflict ON cases (tenant_id, conflict_id);
CREATE INDEX cases_by_enrollment ON cases (tenant_id, enrollment_id);

CREATE TABLE case_attempts (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    case_id uuid NOT NULL,
    attempted_at timestamptz NOT NULL,
    method text NOT NULL CHECK (method IN ('PHONE', 'EMAIL', 'IN_PERSON')),
    reached boolean NOT NULL,
    note text NOT NULL,
    by_user uuid NOT NULL,
    by_agency uuid,
    logged_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_attempts_by_case ON case_attempts (tenant_id, case_id);

-- What happened on a case, in order; a step Concord took by itself has no user.
CREATE TABLE case_events (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    case_id uuid NOT NULL,
    at timestamptz NOT NULL,
    kind text NOT NULL,
    by_user uuid,
    by_agency uuid,
    detail jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_events_by_case ON case_events (tenant_id, case_id, at);

CREATE TABLE deadlines (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    case_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('ESCALATION_ELIGIBLE', 'ADMIN_REVIEW_EXPIRY')),
    due_at timestamptz NOT NULL,
    done_at timestamptz,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE UNIQUE INDEX deadlines_one_per_kind ON deadlines (tenant_id, case_id, kind);
CREATE INDEX deadlines_due ON deadlines (tenant_id, due_at) WHERE done_at IS NULL;

-- A message may be addressed to one person (a reminder to the reporting user) and belong to
-- a case.
ALTER TABLE notifications ADD COLUMN recipient_user_id uuid;
ALTER TABLE notifications ADD COLUMN case_id uuid;
