-- The name index behind search (issues 4 and 8): a few short keys per person, so that a search
-- reads the people who share a key with the query instead of every person. Two kinds of key:
--   'n:' and a names-engine blocking key, shared by every spelling and script of a name;
--   'w:' and a lower-cased word of the person's plain search text, for word-prefix search.
-- Keys are derived from each person's stored details: `name_index` records which version of
-- the names engine made them, and a store rebuilds the whole index on opening when it differs.

CREATE TABLE person_keys (
    key        TEXT NOT NULL,
    nation     TEXT NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES persons (id),
    PRIMARY KEY (key, nation, person_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX person_keys_by_person ON person_keys (person_id);

CREATE TABLE name_index (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint  TEXT NOT NULL,
    built_at     TEXT NOT NULL
) STRICT;
