-- Floor exceptions: things that make a location's record likely wrong
-- (short picks, putaway overrides, rejected scans, unexpected items at
-- receiving). Cycle counting reads them to raise count risk.
CREATE TABLE exceptions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    location_id INTEGER REFERENCES locations (id),
    item_id     INTEGER REFERENCES items (id),
    ref         TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    user_badge  TEXT NOT NULL DEFAULT '',
    device_id   TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX exceptions_request ON exceptions (request_id) WHERE request_id <> '';
CREATE INDEX exceptions_location ON exceptions (location_id, created_at);
CREATE INDEX exceptions_item ON exceptions (item_id, created_at);
