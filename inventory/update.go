package inventory

import (
	"strings"

	"github.com/floorops/floorops"
)

// Fields is the set of fields an update of existing master data (an item,
// a location, a purchase order) writes, by proto (and JSON) name. A nil
// Fields writes every field.
type Fields map[string]bool

// Has reports whether the update writes the named field.
func (f Fields) Has(name string) bool { return f == nil || f[name] }

// UpdateFields checks an update mask's paths against the fields an update
// may write and returns them as a set: nil paths give nil (every field),
// an empty list an empty set (none). An unknown path is EINVALID on
// update_mask, so a typo never turns into "write nothing" unnoticed.
func UpdateFields(paths, known []string) (Fields, error) {
	if paths == nil {
		return nil, nil
	}
	f := make(Fields, len(paths))
	for _, p := range paths {
		p = strings.TrimSpace(p)
		ok := false
		for _, k := range known {
			ok = ok || k == p
		}
		if !ok {
			return nil, floorops.Invalid("update_mask", "%q is not a field that can be updated; fields are %s", p, strings.Join(known, ", "))
		}
		f[p] = true
	}
	return f, nil
}
