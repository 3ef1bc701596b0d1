-- ENR-4: entry/exit inconsistencies the scan found, for the agencies concerned. A finding is
-- resolved when a later scan no longer finds it; one comes back as a new row.
CREATE TABLE inconsistencies (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('EXIT_BEFORE_ENTRY', 'MOVE_IN_DURING_SHELTER_STAY',
                                       'UNEXPECTED_OVERLAP')),
    -- The enrollments concerned, by id and owning agency; no foreign keys, because their
    -- owners may delete them (ENR-1), which resolves the finding at the next scan.
    enrollment_id uuid NOT NULL,
    enrollment_agency uuid NOT NULL,
    other_enrollment_id uuid,
    other_agency uuid,
    finding_key text NOT NULL,
    found_at timestamptz NOT NULL,
    resolved_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);
CREATE UNIQUE INDEX inconsistencies_open ON inconsistencies (tenant_id, finding_key)
    WHERE resolved_at IS NULL;
CREATE INDEX inconsistencies_by_client ON inconsistencies (tenant_id, client_id);
