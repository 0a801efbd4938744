-- Imported lists: which row of which source became which person (so importing a file twice
-- creates nothing new, and a corrected file updates only the rows that changed), and the
-- quarantine of rows that could not become a person, kept whole until corrected.

CREATE TABLE import_rows (
    nation       TEXT NOT NULL REFERENCES nations(code),
    source       TEXT NOT NULL,
    row_key      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    person_id    INTEGER NOT NULL REFERENCES persons(id),
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (nation, source, row_key)
) STRICT;
CREATE INDEX import_rows_by_person ON import_rows (person_id);

CREATE TABLE quarantine (
    id           INTEGER PRIMARY KEY,
    nation       TEXT NOT NULL REFERENCES nations(code),
    source       TEXT NOT NULL,
    row_key      TEXT NOT NULL,
    sheet        TEXT,
    line         INTEGER NOT NULL,
    fingerprint  TEXT NOT NULL,
    raw          TEXT NOT NULL,
    issues       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at   TEXT NOT NULL,
    resolved_at  TEXT,
    UNIQUE (nation, source, fingerprint)
) STRICT;
CREATE INDEX quarantine_open ON quarantine (nation, status);
