package inventory_test

import (
	"testing"

	"github.com/floorops/floorops/inventory"
)

// TestWhoIsToldWhatABinHolds: a refusal states a bin's record to anyone
// but an associate, who may be counting it blind.
func TestWhoIsToldWhatABinHolds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		role inventory.Role
		told bool
	}{{inventory.Associate, false}, {inventory.Lead, true}, {inventory.Admin, true}, {inventory.Integration, true}, {"", true}} {
		if got := inventory.ToldHeld(inventory.Actor{Badge: "B1", Role: tt.role}); got != tt.told {
			t.Errorf("ToldHeld(%q) = %v, want %v", tt.role, got, tt.told)
		}
	}
}
