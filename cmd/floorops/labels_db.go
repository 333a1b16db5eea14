package main

import (
	"context"

	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/label"
)

// listLocationsForLabels returns the node's locations in walk order,
// optionally of one zone, ready to print.
func listLocationsForLabels(ctx context.Context, dbPath, zone string) ([]label.Location, error) {
	db, err := openDB(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	p, err := nodeParser()
	if err != nil {
		return nil, err
	}
	return inventoryapi.LocationLabels(ctx, db, p, zone)
}
