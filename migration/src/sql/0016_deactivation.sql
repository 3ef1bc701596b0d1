-- Agencies and projects are deactivated, never deleted: what was entered under them stays
-- theirs. A deactivated agency's people no longer sign in and nobody joins it; a deactivated
-- project takes no new enrollments.
ALTER TABLE agencies ADD COLUMN deactivated_at timestamptz;
ALTER TABLE projects ADD COLUMN deactivated_at timestamptz;
