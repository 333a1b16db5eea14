package server_test

import (
	"strings"
	"testing"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestInputHygiene: values no label or handheld produces (control
// characters, a lot on an item without lots, blank scans, impossible
// times) are refused as InvalidArgument, never stored or looked up.
func TestInputHygiene(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	lead := n.login(t, "B-LEAD")
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	rc := receivingv1.NewReceivingServiceClient(n.conn)
	pa := putawayv1.NewPutawayServiceClient(n.conn)
	adjust := func(id, sku, lot string) error {
		_, err := inv.AdjustStock(lead, &inventoryv1.AdjustStockRequest{RequestId: id, LocationCode: "A-01-01-A", Sku: sku, Lot: lot, Delta: 1, Reason: "found"})
		return err
	}
	cases := []struct {
		name string
		err  error
	}{
		{"NUL lot", adjust("h1", "SKU-0004", "\x00")},
		{"GS in lot", adjust("h2", "SKU-0004", "A\x1dB")},
		{"lot on an item without lots", adjust("h3", "SKU-0001", "L1")},
		{"control character in reason", func() error {
			_, err := inv.AdjustStock(lead, &inventoryv1.AdjustStockRequest{RequestId: "h4", LocationCode: "A-01-01-A", Sku: "SKU-0001", Delta: 1, Reason: "found\x00"})
			return err
		}()},
		{"vendor of a NUL", func() error {
			_, err := rc.SetVendorPolicy(lead, &receivingv1.SetVendorPolicyRequest{RequestId: "h5", Vendor: "\x00", BlindReceiving: true})
			return err
		}()},
		{"blank document scan", func() error {
			_, err := rc.StartReceipt(lead, &receivingv1.StartReceiptRequest{RequestId: "h6", DockLocationScan: "DOCK-01", DocumentScan: " \t\r\n"})
			return err
		}()},
		{"impossible start time", func() error {
			_, err := pa.GetDockToStock(lead, &putawayv1.GetDockToStockRequest{StartTime: &timestamppb.Timestamp{Seconds: 1 << 62}})
			return err
		}()},
		{"10k-character SKU", func() error {
			_, err := inv.GetItem(lead, &inventoryv1.GetItemRequest{Sku: strings.Repeat("X", 10000)})
			return err
		}()},
	}
	for _, c := range cases {
		if got := status.Code(c.err); got != codes.InvalidArgument {
			t.Errorf("%s: code %v (%v), want InvalidArgument", c.name, got, c.err)
		}
	}
	// A blank target beside a real one is just blank.
	if _, err := inv.RenderLabel(lead, &inventoryv1.RenderLabelRequest{LocationCode: " ", LpnCode: "LPN000123"}); err != nil {
		t.Errorf("blank location_code beside an LPN: %v", err)
	}
}
