-- The audit trail of what admins did to badge users: enabling, disabling,
-- PIN resets and unlocks, with who did it, from which device, and when.
CREATE TABLE user_audit (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    action       TEXT NOT NULL CHECK (action IN ('enable', 'disable', 'reset_pin', 'unlock')),
    actor_badge  TEXT NOT NULL CHECK (actor_badge <> ''),
    actor_device TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX user_audit_user ON user_audit (user_id, id);

-- One row the node's health check rewrites: a write that commits (and so
-- syncs to disk) proves the database can take writes.
CREATE TABLE write_probe (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at TEXT NOT NULL
);
