-- Sanctions lists as loaded (each version kept with its source and date), and the screening hits
-- raised against registry people, with the officer's decision. A decision is remembered for the
-- person and the entry as they were (fingerprints): it is not raised again unless one changes.

CREATE TABLE sanctions_lists (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    version_date  TEXT,
    sha256        TEXT NOT NULL UNIQUE,
    entries       INTEGER NOT NULL,
    content       TEXT NOT NULL,
    loaded_at     TEXT NOT NULL
) STRICT;

CREATE TABLE screening_hits (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER NOT NULL REFERENCES persons(id),
    list_id             INTEGER NOT NULL REFERENCES sanctions_lists(id),
    entry_ref           TEXT NOT NULL,
    listed_name         TEXT NOT NULL,
    score               REAL NOT NULL,
    explanation         TEXT NOT NULL,
    entry_fingerprint   TEXT NOT NULL,
    person_fingerprint  TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'confirmed', 'false_positive', 'superseded')),
    decided_by          TEXT,
    decided_at          TEXT,
    reason              TEXT,
    created_at          TEXT NOT NULL
) STRICT;
CREATE INDEX screening_hits_by_person ON screening_hits (person_id, entry_ref);
CREATE INDEX screening_hits_by_status ON screening_hits (status);
