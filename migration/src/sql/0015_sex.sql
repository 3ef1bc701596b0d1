-- HUD FY2026 4.21 Sex, a single-answer demographic beside the local Gender (3.06, no longer in
-- the HUD CSV): 0 female, 1 male, or a data-quality answer; 99 (data not collected) until
-- asked.
ALTER TABLE clients ADD COLUMN sex smallint NOT NULL DEFAULT 99;
