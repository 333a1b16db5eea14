package server_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"google.golang.org/protobuf/proto"
)

// TestCodeNormalisingIsOneRule: a code an associate types or a scanner
// reads (a SKU, a location, a PO or ASN number, a badge) means the same
// with spaces around it or in lower case, by one rule (scan.Code). No other
// hand-written file spells the rule itself, and every entry point answers
// a code as typed exactly as it answers the code as stored.
func TestCodeNormalisingIsOneRule(t *testing.T) {
	t.Parallel()
	t.Run("one definition", func(t *testing.T) {
		t.Parallel()
		spelled := regexp.MustCompile(`ToUpper\(\s*strings\.TrimSpace|TrimSpace\(\s*strings\.ToUpper|EqualFold\(\s*strings\.TrimSpace`)
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != root && (d.Name() == "proto" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == filepath.Join(root, "scan", "code.go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(src), "\n") {
				if code, _, _ := strings.Cut(line, "//"); spelled.MatchString(code) {
					rel, _ := filepath.Rel(root, path)
					t.Errorf("%s:%d normalises a code itself: use scan.Code: %s", rel, i+1, strings.TrimSpace(code))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the rule", func(t *testing.T) {
		t.Parallel()
		for in, want := range map[string]string{
			"A-01-01-A": "A-01-01-A", " a-01-01-a\t": "A-01-01-A", "sku-0001\r\n": "SKU-0001", "  ": "", "Po-1001": "PO-1001",
		} {
			if got := scan.Code(in); got != want {
				t.Errorf("scan.Code(%q) = %q, want %q", in, got, want)
			}
		}
	})

	t.Run("every entry point", func(t *testing.T) {
		t.Parallel()
		n := startNode(t)
		lead := n.login(t, "B-LEAD")
		inv := inventoryv1.NewInventoryServiceClient(n.conn)
		rc := receivingv1.NewReceivingServiceClient(n.conn)
		typed := func(code string) string { return " " + strings.ToLower(code) + "\t" }
		for _, entry := range []struct {
			name string
			call func(code string) (proto.Message, error)
			code string
		}{
			{"GetItem", func(c string) (proto.Message, error) {
				return inv.GetItem(lead, &inventoryv1.GetItemRequest{Sku: c})
			}, "SKU-0001"},
			{"GetLocation", func(c string) (proto.Message, error) {
				return inv.GetLocation(lead, &inventoryv1.GetLocationRequest{Code: c})
			}, "A-01-01-A"},
			{"GetBalances by location", func(c string) (proto.Message, error) {
				return inv.GetBalances(lead, &inventoryv1.GetBalancesRequest{LocationCode: c})
			}, "A-01-01-A"},
			{"GetBalances by item", func(c string) (proto.Message, error) {
				return inv.GetBalances(lead, &inventoryv1.GetBalancesRequest{Sku: c})
			}, "SKU-0001"},
			{"GetPurchaseOrder", func(c string) (proto.Message, error) {
				return rc.GetPurchaseOrder(lead, &receivingv1.GetPurchaseOrderRequest{PoNumber: c})
			}, server.DemoPONumber},
			{"GetAdvanceShipNotice", func(c string) (proto.Message, error) {
				return rc.GetAdvanceShipNotice(lead, &receivingv1.GetAdvanceShipNoticeRequest{AsnNumber: c})
			}, "ASN-1001"},
			{"ListAdvanceShipNotices by PO", func(c string) (proto.Message, error) {
				return rc.ListAdvanceShipNotices(lead, &receivingv1.ListAdvanceShipNoticesRequest{PoNumber: c})
			}, server.DemoPONumber},
			{"Login", func(c string) (proto.Message, error) {
				resp, err := authv1.NewAuthServiceClient(n.conn).Login(context.Background(), &authv1.LoginRequest{Badge: c, Pin: server.DemoPIN, DeviceId: "test-hh"})
				return resp.GetUser(), err
			}, "B-ASSOC"},
		} {
			stored, err := entry.call(entry.code)
			if err != nil {
				t.Fatalf("%s(%q): %v", entry.name, entry.code, err)
			}
			got, err := entry.call(typed(entry.code))
			if err != nil {
				t.Errorf("%s(%q): %v, want the answer for %q", entry.name, typed(entry.code), err, entry.code)
				continue
			}
			if !proto.Equal(got, stored) {
				t.Errorf("%s(%q) = %v, want %v", entry.name, typed(entry.code), got, stored)
			}
		}
	})
}
