package main

import (
	"context"
	"fmt"

	"github.com/floorops/floorops/inventory"
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
	inv := inventory.NewService(db)
	var out []label.Location
	token := ""
	for {
		locs, next, err := inv.ListLocations(ctx, zone, 1000, token)
		if err != nil {
			return nil, err
		}
		for _, l := range locs {
			out = append(out, label.Location{Code: l.Code, Zone: l.Zone, Type: string(l.Type)})
		}
		if next == "" {
			break
		}
		token = next
	}
	if len(out) == 0 {
		if zone != "" {
			return nil, fmt.Errorf("no locations in zone %s", zone)
		}
		return nil, fmt.Errorf("no locations in %s; import some with floorops import locations", dbPath)
	}
	return out, nil
}
