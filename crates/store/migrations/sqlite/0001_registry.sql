-- The registry: nations, organisations, cases, people, documents, status history, audit trail.
-- Personal details live in `persons.details` (JSON of airbridge_domain::Person); the other
-- person columns are indexes derived from it in the same transaction.

CREATE TABLE nations (
    code        TEXT PRIMARY KEY CHECK (length(code) = 2),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    nation      TEXT NOT NULL REFERENCES nations(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (nation, name)
) STRICT;

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    nation       TEXT NOT NULL REFERENCES nations(code),
    organisation INTEGER REFERENCES organisations(id),
    reference    TEXT,
    eligibility  TEXT NOT NULL DEFAULT '{"bases":[]}',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX cases_by_nation ON cases (nation, id);
CREATE INDEX cases_by_reference ON cases (nation, reference);

CREATE TABLE persons (
    id             INTEGER PRIMARY KEY,
    nation         TEXT NOT NULL REFERENCES nations(code),
    case_id        INTEGER REFERENCES cases(id),
    relation       TEXT,
    status         TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    -- Lower-cased names for plain search; the names engine brings real matching.
    search_name    TEXT NOT NULL,
    -- The Gregorian interval of the birth date, as days since 1970-01-01.
    birth_first    INTEGER,
    birth_last     INTEGER,
    details        TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK ((case_id IS NULL) = (relation IS NULL))
) STRICT;
CREATE INDEX persons_by_nation_status ON persons (nation, status);
CREATE INDEX persons_by_case ON persons (case_id);

CREATE TABLE documents (
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    kind        TEXT NOT NULL,
    number      TEXT NOT NULL,
    issuer      TEXT
) STRICT;
CREATE INDEX documents_by_number ON documents (number);
CREATE INDEX documents_by_person ON documents (person_id);

CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    location    TEXT,
    reason      TEXT
) STRICT;
CREATE INDEX status_changes_by_person ON status_changes (person_id, id);

-- API tokens: only a SHA-256 of the secret is kept.
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL UNIQUE,
    nation      TEXT REFERENCES nations(code),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;

-- The audit trail. Append-only: each event's hash covers the previous event's hash, its own
-- fields and a hash of its payload (before/after), so any altered, removed or reordered event
-- breaks the chain. The payload itself may be redacted (set to NULL) by a purge without
-- breaking the chain, because only its hash is chained.
CREATE TABLE audit_events (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    nation       TEXT,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    before       TEXT,
    after        TEXT,
    payload_hash TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_entity ON audit_events (entity_type, entity_id, seq);

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_redact_only BEFORE UPDATE ON audit_events
WHEN NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor
  OR NEW.nation IS NOT OLD.nation OR NEW.action IS NOT OLD.action
  OR NEW.entity_type IS NOT OLD.entity_type OR NEW.entity_id IS NOT OLD.entity_id
  OR NEW.payload_hash IS NOT OLD.payload_hash OR NEW.prev_hash IS NOT OLD.prev_hash
  OR NEW.hash IS NOT OLD.hash
  OR (NEW.before IS NOT NULL AND NEW.before IS NOT OLD.before)
  OR (NEW.after IS NOT NULL AND NEW.after IS NOT OLD.after)
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only (only a purge may redact a payload)');
END;
