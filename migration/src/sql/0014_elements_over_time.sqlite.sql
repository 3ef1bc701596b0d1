-- As on PostgreSQL; SQLite cannot drop a CHECK constraint, so the table is rebuilt.
CREATE TABLE profile_rows_by_element (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    client_id uuid NOT NULL,
    element text NOT NULL DEFAULT 'profile_assessment',
    kind text NOT NULL,
    value text NOT NULL,
    start_date date NOT NULL,
    end_date date,
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
INSERT INTO profile_rows_by_element (tenant_id, id, client_id, kind, value, start_date,
    end_date, at_client_direction, corrects_row_id, created_by_user, created_by_agency,
    created_at, updated_by_user, updated_by_agency, updated_at, version)
SELECT tenant_id, id, client_id, kind, value, start_date, end_date, at_client_direction,
    corrects_row_id, created_by_user, created_by_agency, created_at, updated_by_user,
    updated_by_agency, updated_at, version
FROM profile_rows;
DROP TABLE profile_rows;
ALTER TABLE profile_rows_by_element RENAME TO profile_rows;
CREATE INDEX profile_rows_by_client ON profile_rows (tenant_id, client_id);
CREATE INDEX profile_rows_by_element ON profile_rows (tenant_id, client_id, element);
