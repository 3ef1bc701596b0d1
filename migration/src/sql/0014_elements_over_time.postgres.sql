-- HUD's further data elements (4.02, 4.04, 4.05-4.10, 4.12) are answers over time, kept in
-- the strategy's one table beside the profile rows: each row now names its element, and
-- `kind` (which field of the element it answers) is checked against the element's fields by
-- the application, which holds them as data.
ALTER TABLE profile_rows DROP CONSTRAINT profile_rows_kind_check;
ALTER TABLE profile_rows ADD COLUMN element text NOT NULL DEFAULT 'profile_assessment';
CREATE INDEX profile_rows_by_element ON profile_rows (tenant_id, client_id, element);
