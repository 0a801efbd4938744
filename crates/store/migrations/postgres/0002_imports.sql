-- Imported lists: which row of which source became which person, and the quarantine of rows
-- that could not become a person (as migrations/sqlite/0002_imports.sql).

CREATE TABLE import_rows (
    nation       TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    source       TEXT NOT NULL,
    row_key      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    person_id    BIGINT NOT NULL REFERENCES persons(id),
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (nation, source, row_key)
);
CREATE INDEX import_rows_by_person ON import_rows (person_id);

CREATE TABLE quarantine (
    id           BIGINT PRIMARY KEY,
    nation       TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    source       TEXT NOT NULL,
    row_key      TEXT NOT NULL,
    sheet        TEXT,
    line         BIGINT NOT NULL,
    fingerprint  TEXT NOT NULL,
    raw          TEXT NOT NULL,
    issues       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at   TEXT NOT NULL,
    resolved_at  TEXT,
    UNIQUE (nation, source, fingerprint)
);
CREATE INDEX quarantine_open ON quarantine (nation, status);
