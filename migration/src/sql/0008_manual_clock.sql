-- CONCORD_CLOCK=manual (testing only; refused in production): how far the platform
-- administrator has moved time forward. Kept in the database so that every process on it —
-- several API processes, workers run apart (`concord worker`) — reads the same time. One row.
CREATE TABLE manual_clock (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    offset_seconds bigint NOT NULL CHECK (offset_seconds >= 0)
);
INSERT INTO manual_clock (id, offset_seconds) VALUES (true, 0);
