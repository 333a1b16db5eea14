-- People and systems that may use the node.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    badge           TEXT NOT NULL UNIQUE CHECK (badge <> ''),
    name            TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL CHECK (role IN ('associate', 'lead', 'admin')),
    pin_hash        BLOB NOT NULL,
    pin_salt        BLOB NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);

-- Bearer tokens issued at login; only their SHA-256 is stored.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    device_id  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API keys for central systems; only their SHA-256 is stored.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (name <> ''),
    key_hash   BLOB NOT NULL UNIQUE,
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL
);
