-- Field operations (as migrations/sqlite/0008_field.sql).

CREATE TABLE call_forwards (
    id          BIGINT PRIMARY KEY,
    nation      TEXT NOT NULL REFERENCES nations(code),
    gate        TEXT NOT NULL,
    rendezvous  TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    actor       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE passes (
    id            BIGINT PRIMARY KEY,
    wave          BIGINT NOT NULL REFERENCES call_forwards(id),
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    nation        TEXT NOT NULL REFERENCES nations(code),
    gate          TEXT NOT NULL,
    code_hash     TEXT NOT NULL UNIQUE,
    valid_from    TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('issued', 'used', 'revoked')),
    issued_at     TEXT NOT NULL,
    used_gate     TEXT,
    used_at       TEXT,
    revoked_at    TEXT,
    revoke_reason TEXT
);
CREATE INDEX passes_by_case ON passes (case_id, id);
CREATE INDEX passes_by_gate ON passes (gate, state);

-- Every action a gate sent, applied or refused. `op_id` is chosen by the device, so an action
-- sent twice is recorded once.
CREATE TABLE gate_events (
    id          BIGINT PRIMARY KEY,
    op_id       TEXT NOT NULL UNIQUE,
    pass_id     BIGINT REFERENCES passes(id),
    case_id     BIGINT REFERENCES cases(id),
    gate        TEXT NOT NULL,
    action      TEXT NOT NULL,
    at_ms       BIGINT NOT NULL,
    offline     BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    received_at TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('applied', 'refused')),
    refusal     TEXT
);
CREATE INDEX gate_events_by_pass ON gate_events (pass_id, id);

CREATE TABLE gate_flags (
    id          BIGINT PRIMARY KEY,
    pass_id     BIGINT REFERENCES passes(id),
    case_id     BIGINT REFERENCES cases(id),
    nation      TEXT,
    gate        TEXT NOT NULL,
    op_id       TEXT NOT NULL,
    flag        TEXT NOT NULL,
    raised_at   TEXT NOT NULL,
    cleared_at  TEXT,
    cleared_by  TEXT,
    note        TEXT,
    UNIQUE (op_id, flag)
);
CREATE INDEX gate_flags_open ON gate_flags (cleared_at, id);

-- Messages to one person each. The body (which holds the pass code) is dropped once sent.
CREATE TABLE outbox (
    id          BIGINT PRIMARY KEY,
    pass_id     BIGINT REFERENCES passes(id),
    person_id   BIGINT REFERENCES persons(id),
    nation      TEXT NOT NULL REFERENCES nations(code),
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    language    TEXT NOT NULL,
    body        TEXT,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    error       TEXT
);
CREATE INDEX outbox_waiting ON outbox (state, id);
CREATE INDEX outbox_by_person ON outbox (person_id);

CREATE INDEX status_changes_by_status ON status_changes (to_status, at);
