-- Background jobs, claimed by one worker at a time across every instance (as
-- migrations/sqlite/0006_jobs.sql). Claims select with FOR UPDATE SKIP LOCKED.

CREATE TABLE jobs (
    id           BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    claimed_at   TEXT,
    lease_until  BIGINT,
    result       TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX jobs_waiting ON jobs (state, id);
