package server_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	"github.com/floorops/floorops/scan"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestLocationScanIsOneRule: verifying where an associate stands (the
// location's barcode, or its 2-digit check code typed when the label is
// damaged) is one rule, inventory.LocationScan. No other hand-written file
// reads a scan as a location or compares check codes itself, and every
// workflow that checks a location scan gives the same answer for the same
// scan: confirmed, or InvalidArgument on the scan's field for "not a
// location", "wrong location" and "bad check code".
func TestLocationScanIsOneRule(t *testing.T) {
	t.Parallel()
	t.Run("one definition", func(t *testing.T) {
		t.Parallel()
		rule := regexp.MustCompile(`scan\.Kind(Location|CheckCode)\b|(?i)check_?code\s*(==|!=)|(==|!=)\s*[\w.]*check_?code\b`)
		// Naming a kind of scan in a message is not reading one.
		exempt := map[string]bool{filepath.Join("receiving", "receipt.go") + " kindWords": true}
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != root && (d.Name() == "proto" || d.Name() == "scan" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			rel, _ := filepath.Rel(root, path)
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || rel == filepath.Join("inventory", "location_scan.go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fn := ""
			for i, line := range strings.Split(string(src), "\n") {
				if name, ok := strings.CutPrefix(line, "func "); ok {
					fn, _, _ = strings.Cut(name, "(")
				}
				if code, _, _ := strings.Cut(line, "//"); rule.MatchString(code) && !exempt[rel+" "+fn] {
					t.Errorf("%s:%d reads a location scan itself: use inventory.LocationScan: %s", rel, i+1, strings.TrimSpace(code))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	// Scans at a location an associate is sent to (a pick line's, the
	// directed putaway location, the pick list's ship lane, the location a
	// handheld expects): sent is that location, other another one.
	type outcome struct {
		code  codes.Code
		field string
	}
	refused := func(field string) outcome { return outcome{codes.InvalidArgument, field} }
	for _, entry := range []struct {
		name string
		// setup readies one confirmation and returns the location the
		// associate is sent to and the call that confirms it with a scan;
		// at reports whether the scan confirmed sent.
		setup func(t *testing.T, e *pickEnv, i int) (sent string, confirm func(scan string) (at bool, err error))
		field string
		other string
		// otherOutcome is what a scan of other gets: where the workflow
		// lets the associate choose another location, that choice has
		// its own rule (a putaway override reason, a ship lane's type).
		otherOutcome outcome
		// fresh gives each scan a node of its own: a short pick holds its
		// location for a count.
		fresh bool
	}{
		{name: "ConfirmPick", field: "location_scan", other: "A-01-09-A", otherOutcome: refused("location_scan"),
			setup: func(t *testing.T, e *pickEnv, i int) (string, func(string) (bool, error)) {
				list := e.startedList(t, order(fmt.Sprintf("SO-LS%d", i), "SKU-0001", 1), fmt.Sprintf("LPN-LS%d", i))
				l := list.GetLines()[0]
				return l.GetLocationCode(), func(s string) (bool, error) {
					_, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: e.rid("pick"), PickListId: list.GetId(),
						LineId: l.GetId(), LocationScan: s, ItemScan: pickGTIN(1), Quantity: 1})
					return err == nil, err
				}
			}},
		{name: "ShortPick", field: "location_scan", other: "A-01-09-A", otherOutcome: refused("location_scan"), fresh: true,
			setup: func(t *testing.T, e *pickEnv, i int) (string, func(string) (bool, error)) {
				list := e.startedList(t, order(fmt.Sprintf("SO-LS%d", i), "SKU-0001", 1), fmt.Sprintf("LPN-LS%d", i))
				l := list.GetLines()[0]
				return l.GetLocationCode(), func(s string) (bool, error) {
					_, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: e.rid("short"), PickListId: list.GetId(),
						LineId: l.GetId(), LocationScan: s, Reason: "empty"})
					return err == nil, err
				}
			}},
		{name: "ConfirmPutaway", field: "location_scan", other: "C-04-10-C", otherOutcome: refused("override_reason"),
			setup: func(t *testing.T, e *pickEnv, i int) (string, func(string) (bool, error)) {
				pa := putawayv1.NewPutawayServiceClient(e.n.conn)
				e.adjust(t, "STG-01", "SKU-0001", "", "", 1)
				task, err := pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("task"), FromLocationScan: "STG-01", Sku: "SKU-0001", Quantity: 1})
				if err != nil {
					t.Fatal(err)
				}
				// SKU-0001 lives in its pick face: stock is directed there.
				return "A-01-01-A", func(s string) (bool, error) {
					_, err := pa.ConfirmPutaway(e.assoc, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("put"), TaskId: task.GetTask().GetId(),
						LocationScan: s, Quantity: 1})
					return err == nil, err
				}
			}},
		{name: "CompletePickList", field: "ship_location_scan", other: "A-01-01-B", otherOutcome: outcome{codes.FailedPrecondition, ""},
			setup: func(t *testing.T, e *pickEnv, i int) (string, func(string) (bool, error)) {
				list := e.startedList(t, order(fmt.Sprintf("SO-LS%d", i), "SKU-0001", 1), fmt.Sprintf("LPN-LS%d", i))
				l := list.GetLines()[0]
				if _, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: e.rid("pick"), PickListId: list.GetId(),
					LineId: l.GetId(), LocationScan: l.GetLocationCode(), ItemScan: pickGTIN(1), Quantity: 1}); err != nil {
					t.Fatal(err)
				}
				return list.GetShipLocationCode(), func(s string) (bool, error) {
					_, err := e.pk.CompletePickList(e.assoc, &pickingv1.CompletePickListRequest{RequestId: e.rid("done"), PickListId: list.GetId(),
						ShipLocationScan: s})
					return err == nil, err
				}
			}},
		{name: "ResolveScan", field: "raw", other: "A-01-09-A",
			setup: func(t *testing.T, e *pickEnv, i int) (string, func(string) (bool, error)) {
				const sent = "B-02-03-A"
				return sent, func(s string) (bool, error) {
					r, err := e.inv.ResolveScan(e.assoc, &inventoryv1.ResolveScanRequest{Raw: s, ExpectedLocationCode: sent})
					return err == nil && r.GetFound() && r.GetLocation().GetCode() == sent, err
				}
			}},
	} {
		t.Run(entry.name, func(t *testing.T) {
			t.Parallel()
			e := newPickEnv(t)
			for i, tt := range []struct {
				name string
				scan func(sent string) string
				at   bool
			}{
				{"its barcode", func(sent string) string { return sent }, true},
				{"its barcode as typed", func(sent string) string { return " " + strings.ToLower(sent) + "\r\n" }, true},
				{"its check code", scan.CheckCode, true},
				{"a bad check code", func(sent string) string { return paWrongCheckCode(scan.CheckCode(sent)) }, false},
				{"another location", nil, false},
				{"not a location", func(string) string { return pickGTIN(1) }, false},
				{"an unreadable label", func(string) string { return "4006381333932" }, false},
			} {
				if entry.fresh && i > 0 {
					e = newPickEnv(t)
				}
				sent, confirm := entry.setup(t, e, i)
				raw := entry.other
				if tt.scan != nil {
					raw = tt.scan(sent)
				}
				at, err := confirm(raw)
				if at != tt.at {
					t.Errorf("%s (%q at %s): confirmed %v (%v), want %v", tt.name, raw, sent, at, err, tt.at)
					continue
				}
				if at || entry.name == "ResolveScan" {
					continue // a query answers, it does not refuse
				}
				want := refused(entry.field)
				if tt.scan == nil {
					want = entry.otherOutcome
				}
				if got := status.Code(err); got != want.code || want.field != "" && !slices.Contains(violations(err), want.field) {
					t.Errorf("%s (%q at %s): %v %v (%v), want %v on %s", tt.name, raw, sent, got, violations(err), err, want.code, want.field)
				}
			}
		})
	}

	// Scans where the associate says where they are (a move, a putaway
	// task's source): any location the node knows, by its barcode; a check
	// code names none on its own.
	t.Run("no location expected", func(t *testing.T) {
		t.Parallel()
		e := newPickEnv(t)
		pa := putawayv1.NewPutawayServiceClient(e.n.conn)
		for _, entry := range []struct {
			name, field, at string
			call            func(scan string) error
		}{
			{"MoveStock", "to_location_scan", "C-04-10-C", func(s string) error {
				_, err := e.inv.MoveStock(e.lead, &inventoryv1.MoveStockRequest{RequestId: e.rid("mv"), FromLocationScan: "A-01-01-A", ToLocationScan: s, Sku: "SKU-0001", Quantity: 1})
				return err
			}},
			{"CreateTask", "from_location_scan", "STG-01", func(s string) error {
				e.adjust(t, "STG-01", "SKU-0001", "", "", 1)
				_, err := pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("task"), FromLocationScan: s, Sku: "SKU-0001", Quantity: 1})
				return err
			}},
		} {
			for _, tt := range []struct {
				name string
				scan string
				want outcome
			}{
				{"a barcode", entry.at, outcome{codes.OK, ""}},
				{"a barcode as typed", " " + strings.ToLower(entry.at) + "\t", outcome{codes.OK, ""}},
				{"a check code", scan.CheckCode(entry.at), refused(entry.field)},
				{"an unknown location", "Z-09-09-Z", outcome{codes.NotFound, ""}},
				{"not a location", pickGTIN(1), refused(entry.field)},
				{"an unreadable label", "4006381333932", refused(entry.field)},
			} {
				err := entry.call(tt.scan)
				if got := status.Code(err); got != tt.want.code || tt.want.field != "" && !slices.Contains(violations(err), tt.want.field) {
					t.Errorf("%s %s (%q): %v %v (%v), want %v on %q", entry.name, tt.name, tt.scan, got, violations(err), err, tt.want.code, tt.want.field)
				}
			}
		}
	})
}
