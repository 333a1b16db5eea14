package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/floorops/floorops/store"
)

// TestStoredTimesReadAsRFC3339: what FormatTime wrote into stored
// responses while domain times were strings decodes as a time.Time (RFC
// 3339), so a retry across the change gets the same instant back; and
// ParseResponseTime reads both that older form and today's, and the empty
// string of a time not yet set.
func TestStoredTimesReadAsRFC3339(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 9, 0, 0, 120000000, time.FixedZone("CET", 3600))
	today, err := json.Marshal(at)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, s string
		want    time.Time
	}{
		{"older form (FormatTime)", store.FormatTime(at), at},
		{"today's form (time.Time)", string(today[1 : len(today)-1]), at},
		{"not set", "", time.Time{}},
		{"zero time", "0001-01-01T00:00:00Z", time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.ParseResponseTime(tt.s)
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("ParseResponseTime(%q) = %v, %v; want %v", tt.s, got, err, tt.want)
			}
			if tt.s == "" {
				return
			}
			var viaJSON time.Time
			if err := json.Unmarshal([]byte(`"`+tt.s+`"`), &viaJSON); err != nil || !viaJSON.Equal(tt.want) {
				t.Fatalf("json %q = %v, %v; want %v", tt.s, viaJSON, err, tt.want)
			}
		})
	}
	if _, err := store.ParseResponseTime("yesterday"); err == nil {
		t.Fatal("ParseResponseTime(yesterday) = nil error")
	}
}
