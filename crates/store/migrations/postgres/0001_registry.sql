-- The registry: nations, organisations, cases, people, documents, status history, audit trail.
-- The same tables and columns as migrations/sqlite/0001_registry.sql. Times are kept as the
-- same RFC 3339 text on both backends, because the audit chain hashes them as text. Codes and
-- statuses that are sorted use the "C" collation, so that PostgreSQL orders them byte by byte
-- as SQLite does, whatever the server's locale.

CREATE TABLE nations (
    code        TEXT COLLATE "C" PRIMARY KEY CHECK (length(code) = 2),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE organisations (
    id          BIGINT PRIMARY KEY,
    nation      TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (nation, name)
);

CREATE TABLE cases (
    id           BIGINT PRIMARY KEY,
    nation       TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    organisation BIGINT REFERENCES organisations(id),
    reference    TEXT,
    eligibility  TEXT NOT NULL DEFAULT '{"bases":[]}',
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX cases_by_nation ON cases (nation, id);
CREATE INDEX cases_by_reference ON cases (nation, reference);

CREATE TABLE persons (
    id             BIGINT PRIMARY KEY,
    nation         TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    case_id        BIGINT REFERENCES cases(id),
    relation       TEXT COLLATE "C",
    status         TEXT COLLATE "C" NOT NULL,
    display_name   TEXT NOT NULL,
    search_name    TEXT NOT NULL,
    birth_first    BIGINT,
    birth_last     BIGINT,
    details        TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK ((case_id IS NULL) = (relation IS NULL))
);
CREATE INDEX persons_by_nation_status ON persons (nation, status);
CREATE INDEX persons_by_case ON persons (case_id);

CREATE TABLE documents (
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    kind        TEXT NOT NULL,
    number      TEXT NOT NULL,
    issuer      TEXT
);
CREATE INDEX documents_by_number ON documents (number);
CREATE INDEX documents_by_person ON documents (person_id);

CREATE TABLE status_changes (
    id          BIGINT PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    location    TEXT,
    reason      TEXT
);
CREATE INDEX status_changes_by_person ON status_changes (person_id, id);

-- API tokens: only a SHA-256 of the secret is kept.
CREATE TABLE api_tokens (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL UNIQUE,
    nation      TEXT COLLATE "C" REFERENCES nations(code),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- The audit trail, append-only and hash-chained as on SQLite (see crates/store/src/audit.rs).
CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY,
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
);
CREATE INDEX audit_by_entity ON audit_events (entity_type, entity_id, seq);

-- No event is deleted or truncated away; an update may only redact a payload (set it to NULL),
-- which is what a purge does.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit events are append-only';
    END IF;
    IF NEW.seq IS DISTINCT FROM OLD.seq OR NEW.at IS DISTINCT FROM OLD.at
       OR NEW.actor IS DISTINCT FROM OLD.actor OR NEW.nation IS DISTINCT FROM OLD.nation
       OR NEW.action IS DISTINCT FROM OLD.action OR NEW.entity_type IS DISTINCT FROM OLD.entity_type
       OR NEW.entity_id IS DISTINCT FROM OLD.entity_id
       OR NEW.payload_hash IS DISTINCT FROM OLD.payload_hash
       OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash OR NEW.hash IS DISTINCT FROM OLD.hash
       OR (NEW.before IS NOT NULL AND NEW.before IS DISTINCT FROM OLD.before)
       OR (NEW.after IS NOT NULL AND NEW.after IS DISTINCT FROM OLD.after) THEN
        RAISE EXCEPTION 'audit events are append-only (only a purge may redact a payload)';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_redact_only BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
