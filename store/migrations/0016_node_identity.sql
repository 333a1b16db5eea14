-- The node's name in its events, recorded the first time the node serves
-- (issue 13): central dedupes by (node, seq), so a node that restarted
-- under another name would send its whole outbox again as a new node and
-- central would count its stock twice. One row; serve refuses a different
-- --node-id on a database that has one.
CREATE TABLE node_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    node_id     TEXT NOT NULL CHECK (node_id <> ''),
    recorded_at TEXT NOT NULL
);
