package receiving

import (
	"encoding/json"

	"github.com/floorops/floorops/store"
)

// UnmarshalJSON reads a receipt stored beside a request id (StartReceipt,
// CloseReceipt) in today's form and in the older one, whose start_time and
// close_time were formatted strings with close_time empty while the
// receipt was open, so a retry across the change gets its first answer.
func (rc *Receipt) UnmarshalJSON(b []byte) error {
	type receipt Receipt // the fields, without this method
	v := struct {
		*receipt
		StartedAt string `json:"start_time"`
		ClosedAt  string `json:"close_time"`
	}{receipt: (*receipt)(rc)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	var err error
	if rc.StartedAt, err = store.ParseResponseTime(v.StartedAt); err != nil {
		return err
	}
	rc.ClosedAt, err = store.ParseResponseTime(v.ClosedAt)
	return err
}
