-- Deduplication of the registry (issue 5): each run of the engine over everyone, the cluster
-- (the person behind the records) each record was put in by the latest run, and the pairs a
-- reviewer looks at. A pair's decision binds every later run: 'not_same' pairs never share a
-- cluster, 'same' pairs always do. Decisions are audited by the store in the same transaction.

CREATE TABLE dedup_runs (
    id            BIGINT PRIMARY KEY,
    records       BIGINT NOT NULL,
    pairs_scored  BIGINT NOT NULL,
    links         BIGINT NOT NULL,
    clusters      BIGINT NOT NULL,
    -- Records that share their cluster with another record.
    duplicates    BIGINT NOT NULL,
    queued        BIGINT NOT NULL,
    threshold     DOUBLE PRECISION NOT NULL,
    review_low    DOUBLE PRECISION NOT NULL,
    review_high   DOUBLE PRECISION NOT NULL,
    -- The fitted model (JSON), so records added later are matched without fitting again.
    model         TEXT NOT NULL,
    actor         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- The latest run's clusters: a cluster is named by its smallest person id.
CREATE TABLE dedup_clusters (
    person_id  BIGINT PRIMARY KEY REFERENCES persons(id),
    cluster    BIGINT NOT NULL REFERENCES persons(id),
    run        BIGINT NOT NULL REFERENCES dedup_runs(id)
);
CREATE INDEX dedup_clusters_by_cluster ON dedup_clusters (cluster);

-- Pairs in review, and every pair a reviewer decided. `probability` is the latest run's (NULL
-- for a pair decided without having been proposed); `explanation` its field-by-field weights as
-- JSON (levels and bits, never the values). `decision` NULL is "waiting for a reviewer".
CREATE TABLE dedup_pairs (
    person_a     BIGINT NOT NULL REFERENCES persons(id),
    person_b     BIGINT NOT NULL REFERENCES persons(id),
    probability  DOUBLE PRECISION,
    explanation  TEXT NOT NULL,
    run          BIGINT REFERENCES dedup_runs(id),
    decision     TEXT COLLATE "C" CHECK (decision IN ('same', 'not_same', 'unsure')),
    reason       TEXT,
    decided_by   TEXT,
    decided_at   TEXT,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (person_a, person_b),
    CHECK (person_a < person_b)
);
CREATE INDEX dedup_pairs_by_b ON dedup_pairs (person_b);
