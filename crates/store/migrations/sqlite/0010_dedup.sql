-- Deduplication of the registry (issue 5): each run of the engine over everyone, the cluster
-- (the person behind the records) each record was put in by the latest run, and the pairs a
-- reviewer looks at. A pair's decision binds every later run: 'not_same' pairs never share a
-- cluster, 'same' pairs always do. Decisions are audited by the store in the same transaction.

CREATE TABLE dedup_runs (
    id            INTEGER PRIMARY KEY,
    records       INTEGER NOT NULL,
    pairs_scored  INTEGER NOT NULL,
    links         INTEGER NOT NULL,
    clusters      INTEGER NOT NULL,
    -- Records that share their cluster with another record.
    duplicates    INTEGER NOT NULL,
    queued        INTEGER NOT NULL,
    threshold     REAL NOT NULL,
    review_low    REAL NOT NULL,
    review_high   REAL NOT NULL,
    -- The fitted model (JSON), so records added later are matched without fitting again.
    model         TEXT NOT NULL,
    actor         TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- The latest run's clusters: a cluster is named by its smallest person id.
CREATE TABLE dedup_clusters (
    person_id  INTEGER PRIMARY KEY REFERENCES persons(id),
    cluster    INTEGER NOT NULL REFERENCES persons(id),
    run        INTEGER NOT NULL REFERENCES dedup_runs(id)
) STRICT;
CREATE INDEX dedup_clusters_by_cluster ON dedup_clusters (cluster);

-- Pairs in review, and every pair a reviewer decided. `probability` is the latest run's (NULL
-- for a pair decided without having been proposed); `explanation` its field-by-field weights as
-- JSON (levels and bits, never the values). `decision` NULL is "waiting for a reviewer".
CREATE TABLE dedup_pairs (
    person_a     INTEGER NOT NULL REFERENCES persons(id),
    person_b     INTEGER NOT NULL REFERENCES persons(id),
    probability  REAL,
    explanation  TEXT NOT NULL,
    run          INTEGER REFERENCES dedup_runs(id),
    decision     TEXT CHECK (decision IN ('same', 'not_same', 'unsure')),
    reason       TEXT,
    decided_by   TEXT,
    decided_at   TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (person_a, person_b),
    CHECK (person_a < person_b)
) STRICT;
CREATE INDEX dedup_pairs_by_b ON dedup_pairs (person_b);
