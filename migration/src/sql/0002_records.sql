-- The shared records (SPEC §2), each with provenance (PROV-1) and a version (LOCK-1).
-- Shared by PostgreSQL and SQLite.

CREATE TABLE clients (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    -- The tenant-unique id used in every communication (COM-1).
    hmis_number text NOT NULL,
    first_name text,
    middle_name text,
    last_name text,
    name_data_quality smallint NOT NULL DEFAULT 99,
    dob date,
    dob_data_quality smallint NOT NULL DEFAULT 99,
    -- AES-256-GCM ciphertext; the last four digits kept apart to show it masked.
    ssn_ciphertext text,
    ssn_last4 text,
    ssn_data_quality smallint NOT NULL DEFAULT 99,
    race_ethnicity jsonb NOT NULL,
    gender jsonb NOT NULL,
    veteran_status smallint NOT NULL DEFAULT 99,
    created_by_user uuid NOT NULL,
    created_by_agency uuid,
    created_at timestamptz NOT NULL,
    updated_by_user uuid NOT NULL,
    updated_by_agency uuid,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, hmis_number)
);
CREATE INDEX clients_by_name ON clients (tenant_id, last_name, first_name);
CREATE INDEX clients_by_dob ON clients (tenant_id, dob);

-- DEM-2 history: every value a single-answer field has held, who entered it, from which
-- agency, and on what documentation. Append-only.
CREATE TABLE client_field_values (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    field text NOT NULL,
    value jsonb NOT NULL,
    entered_by_user uuid NOT NULL,
    entered_by_agency uuid,
    entered_at timestamptz NOT NULL,
    documentation_type text,
    documentation_attachment_id uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);
CREATE INDEX client_field_values_by_client ON client_field_values (tenant_id, client_id, field, entered_at);

-- DEM-3: an undocumented different value, kept outside the record.
CREATE TABLE data_conflicts (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    field text NOT NULL,
    existing_value jsonb NOT NULL,
    existing_entered_by_user uuid NOT NULL,
    existing_entered_by_agency uuid,
    existing_entered_at timestamptz NOT NULL,
    proposed_value jsonb NOT NULL,
    reported_by_user uuid NOT NULL,
    reported_by_agency uuid,
    reported_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('OPEN', 'RESOLVED', 'ESCALATED')),
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);

CREATE TABLE profile_rows (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('PHONE', 'EMAIL', 'ADDRESS', 'EMERGENCY_CONTACT', 'OTHER')),
    value text NOT NULL,
    start_date date NOT NULL,
    end_date date,
    -- PRO-1: a change to another agency's data records that the client directed it.
    at_client_direction boolean NOT NULL,
    corrects_row_id uuid,
    created_by_user uuid NOT NULL,
    created_by_agency uuid,
    created_at timestamptz NOT NULL,
    updated_by_user uuid NOT NULL,
    updated_by_agency uuid,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);
CREATE INDEX profile_rows_by_client ON profile_rows (tenant_id, client_id);

CREATE TABLE enrollments (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    project_id uuid NOT NULL,
    household_id uuid NOT NULL,
    -- HUD 3.15: 1 self (head of household), 2 child, 3 spouse/partner, 4 other relative,
    -- 5 other non-relative, 99 not collected.
    relationship_to_hoh smallint NOT NULL,
    entry_date date NOT NULL,
    exit_date date,
    move_in_date date,
    destination smallint,
    -- HUD 3.08: 0 no, 1 yes, 8/9/99 unknown.
    disabling_condition smallint NOT NULL DEFAULT 99,
    created_by_user uuid NOT NULL,
    created_by_agency uuid,
    created_at timestamptz NOT NULL,
    updated_by_user uuid NOT NULL,
    updated_by_agency uuid,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id),
    CHECK (exit_date IS NULL OR exit_date >= entry_date)
);
CREATE INDEX enrollments_by_client ON enrollments (tenant_id, client_id);

CREATE TABLE services (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    enrollment_id uuid,
    kind text NOT NULL CHECK (kind IN ('NEED', 'SERVICE', 'REFERRAL')),
    service_type text NOT NULL,
    service_date date NOT NULL,
    provider_agency_id uuid NOT NULL,
    cm_minutes integer CHECK (cm_minutes IS NULL OR cm_minutes >= 0),
    cm_note text,
    created_by_user uuid NOT NULL,
    created_by_agency uuid,
    created_at timestamptz NOT NULL,
    updated_by_user uuid NOT NULL,
    updated_by_agency uuid,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    FOREIGN KEY (tenant_id, enrollment_id) REFERENCES enrollments (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_agency_id) REFERENCES agencies (tenant_id, id)
);
CREATE INDEX services_by_client ON services (tenant_id, client_id);

-- SRV-1: every edit of a service transaction is kept. Append-only.
CREATE TABLE service_history (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    service_id uuid NOT NULL,
    version integer NOT NULL,
    snapshot jsonb NOT NULL,
    changed_by_user uuid NOT NULL,
    changed_by_agency uuid,
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id)
);

CREATE TABLE attachments (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    service_id uuid,
    category text NOT NULL,
    file_name text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    storage_key text NOT NULL,
    medical boolean NOT NULL,
    no_diagnosis_confirmed boolean NOT NULL,
    created_by_user uuid NOT NULL,
    created_by_agency uuid,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz,
    deleted_by_user uuid,
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id)
);
CREATE INDEX attachments_by_client ON attachments (tenant_id, client_id);

CREATE TABLE case_manager_assignments (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    project_id uuid NOT NULL,
    agency_id uuid NOT NULL,
    case_manager_user_id uuid NOT NULL,
    start_date date NOT NULL,
    end_date date,
    created_by_user uuid NOT NULL,
    created_by_agency uuid,
    created_at timestamptz NOT NULL,
    updated_by_user uuid NOT NULL,
    updated_by_agency uuid,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id),
    FOREIGN KEY (tenant_id, agency_id) REFERENCES agencies (tenant_id, id),
    FOREIGN KEY (tenant_id, case_manager_user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX case_managers_by_client ON case_manager_assignments (tenant_id, client_id);

-- NOTE-1: never deleted except by the author; a deletion is recorded, not erased.
CREATE TABLE client_notes (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    body text NOT NULL,
    author_user_id uuid NOT NULL,
    author_agency_id uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    version integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);
CREATE INDEX client_notes_by_client ON client_notes (tenant_id, client_id);

-- AUD-2: every read of a client's profile. Append-only.
CREATE TABLE client_views (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    viewer_user_id uuid NOT NULL,
    viewer_agency_id uuid,
    viewed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);
CREATE INDEX client_views_by_client ON client_views (tenant_id, client_id, viewed_at);

-- In-app messages to an agency's administrators (PRO-4). COM-1: they name a client by HMIS
-- number only.
CREATE TABLE notifications (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    recipient_agency_id uuid,
    kind text NOT NULL,
    hmis_number text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL,
    read_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_by_agency ON notifications (tenant_id, recipient_agency_id, created_at);
