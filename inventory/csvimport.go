package inventory

import (
	"fmt"
	"strings"

	"github.com/floorops/floorops"
)

// RowError is one rejected row of an import file (items, locations, POs):
// its line number in the file and why.
type RowError struct {
	Line int
	Err  error
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// ImportReport says what an import of master data did.
type ImportReport struct {
	Rows     int        // data rows read
	Imported int        // rows written
	Errors   []RowError // rows rejected; each wrote nothing
}

// MapCSVHeader checks an import file's header row against the known and
// required column names (case-insensitive, BOM and spaces trimmed) and
// returns the column name of each position. Any import (items, locations,
// POs) reports a bad header the same way.
func MapCSVHeader(header, known, required []string) ([]string, error) {
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		ok := false
		for _, k := range known {
			ok = ok || k == h
		}
		if !ok {
			return nil, floorops.Errorf(floorops.EINVALID, "line 1: unknown column %q; columns are %s", h, strings.Join(known, ","))
		}
		if seen[h] {
			return nil, floorops.Errorf(floorops.EINVALID, "line 1: column %q appears twice", h)
		}
		seen[h] = true
		cols[i] = h
	}
	for _, r := range required {
		if !seen[r] {
			return nil, floorops.Errorf(floorops.EINVALID, "line 1: required column %q is missing", r)
		}
	}
	return cols, nil
}
