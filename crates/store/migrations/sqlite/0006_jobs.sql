-- Background jobs (screening after a list update, deduplication, sending the outbox), claimed by
-- one worker at a time. A claim holds a lease (seconds since 1970-01-01 UTC): a job whose worker
-- died is claimed again once its lease runs out, and `attempts` tells the claims apart.

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    claimed_at   TEXT,
    lease_until  INTEGER,
    result       TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT
) STRICT;
CREATE INDEX jobs_waiting ON jobs (state, id);
