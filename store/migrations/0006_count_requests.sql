-- Requests to count a location now (triggered counts): a short pick, a
-- location emptied unexpectedly, a putaway override. Cycle counting turns
-- open requests into count tasks ahead of the risk-ranked plan; putaway and
-- picking avoid locations with an open request.
CREATE TABLE count_requests (
    id          INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    item_id     INTEGER REFERENCES items (id),
    reason      TEXT NOT NULL,
    ref         TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    user_badge  TEXT NOT NULL DEFAULT '',
    device_id   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    closed_at   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX count_requests_open ON count_requests (location_id) WHERE status = 'open';
