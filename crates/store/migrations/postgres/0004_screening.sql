-- Sanctions lists as loaded and the screening hits raised against registry people (as
-- migrations/sqlite/0004_screening.sql).

CREATE TABLE sanctions_lists (
    id            BIGINT PRIMARY KEY,
    source        TEXT COLLATE "C" NOT NULL,
    version_date  TEXT,
    sha256        TEXT NOT NULL UNIQUE,
    entries       BIGINT NOT NULL,
    content       TEXT NOT NULL,
    loaded_at     TEXT NOT NULL
);

CREATE TABLE screening_hits (
    id                  BIGINT PRIMARY KEY,
    person_id           BIGINT NOT NULL REFERENCES persons(id),
    list_id             BIGINT NOT NULL REFERENCES sanctions_lists(id),
    entry_ref           TEXT NOT NULL,
    listed_name         TEXT NOT NULL,
    score               DOUBLE PRECISION NOT NULL,
    explanation         TEXT NOT NULL,
    entry_fingerprint   TEXT NOT NULL,
    person_fingerprint  TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'confirmed', 'false_positive', 'superseded')),
    decided_by          TEXT,
    decided_at          TEXT,
    reason              TEXT,
    created_at          TEXT NOT NULL
);
CREATE INDEX screening_hits_by_person ON screening_hits (person_id, entry_ref);
CREATE INDEX screening_hits_by_status ON screening_hits (status);
