-- Accounts, sessions and roles (issue #8). Passwords are kept only as Argon2id PHC strings and
-- session ids only as SHA-256 hashes; a TOTP secret is kept as it must be to check codes.
-- Times that expire (locks, sessions, setup tokens) are seconds since 1970-01-01 UTC.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    nation          TEXT REFERENCES nations(code),
    organisation    INTEGER REFERENCES organisations(id),
    gate            TEXT,
    password_hash   TEXT NOT NULL,
    totp_secret     TEXT,
    totp_last_step  INTEGER,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

-- Server-side sessions. Not registry data: a session row is deleted when it ends or expires.
CREATE TABLE sessions (
    id_hash            TEXT PRIMARY KEY,
    user_id            INTEGER NOT NULL REFERENCES users(id),
    csrf_token         TEXT NOT NULL,
    second_factor_done INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    last_seen          INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The one-time URL that lets the first administrator be created in a browser.
CREATE TABLE setup_tokens (
    token_hash  TEXT PRIMARY KEY,
    expires_at  INTEGER NOT NULL,
    used_at     TEXT
) STRICT;

-- API tokens get a role like a user. Tokens made before roles existed keep what they could do:
-- an operator's token (no nation) is a system administrator's, a nation's its administrator's.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'nation_admin';
ALTER TABLE api_tokens ADD COLUMN organisation INTEGER REFERENCES organisations(id);
ALTER TABLE api_tokens ADD COLUMN gate TEXT;
UPDATE api_tokens SET role = 'system_admin' WHERE nation IS NULL;
