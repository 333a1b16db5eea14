package upstream

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// ClaimNodeID settles the node's name in its events against the one its
// database recorded the first time it served. Central knows a node's
// events by (node, seq), so the name must never change under a database:
// a node that came back as "dc-west2" would send its whole outbox again as
// a new node and central would count its stock twice.
//
// asked is the --node-id the operator gave, or "" for none; fallback (the
// host name) names a database that has recorded nothing yet. A database
// that recorded a name keeps it: with no --node-id the recorded name is
// used, whatever the host is called now, and a different --node-id is
// EPRECONDITION naming both.
func ClaimNodeID(ctx context.Context, db *store.DB, asked, fallback string) (string, error) {
	var recorded string
	err := db.Reader().QueryRowContext(ctx, `SELECT node_id FROM node_identity WHERE id = 1`).Scan(&recorded)
	switch {
	case err == nil:
		if asked != "" && asked != recorded {
			return "", floorops.Errorf(floorops.EPRECONDITION,
				"this database is node %q's (its events reached central under that name); it was started as %q: start it with --node-id %q, or give the new node a new database",
				recorded, asked, recorded)
		}
		return recorded, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("upstream: read the node id: %w", err)
	}
	id := asked
	if id == "" {
		id = fallback
	}
	if id == "" {
		return "", floorops.Errorf(floorops.EINVALID, "the node needs a name: give --node-id (the host name is unknown)")
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO node_identity (id, node_id, recorded_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO NOTHING`, id, store.FormatTime(tx.Now))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("upstream: record the node id: %w", err)
	}
	// Another process may have recorded first; what is recorded wins.
	if err := db.Reader().QueryRowContext(ctx, `SELECT node_id FROM node_identity WHERE id = 1`).Scan(&recorded); err != nil {
		return "", fmt.Errorf("upstream: read the node id: %w", err)
	}
	if asked != "" && asked != recorded {
		return "", floorops.Errorf(floorops.EPRECONDITION, "this database is node %q's; it was started as %q", recorded, asked)
	}
	return recorded, nil
}
