package server_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protowire"
)

// TestMalformedWireNamesTheField sends requests whose bytes are not a valid
// message, as a client writing Latin-1 scanner text does: the refusal is
// InvalidArgument with a BadRequest naming the field by its proto path,
// as the REST face names it.
func TestMalformedWireNamesTheField(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	admin := n.login(t, "B-ADMIN")
	latin1 := []byte("\xc4\xd6L1")
	str := func(num protowire.Number, b []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), b)
	}
	tests := []struct {
		name   string
		method string
		frame  []byte
		fields []string
	}{
		{"top-level string", "/floorops.inventory.v1.InventoryService/ResolveScan", str(1, latin1), []string{"raw"}},
		{"nested string", "/floorops.inventory.v1.InventoryService/UpsertItem",
			append(str(1, []byte("w1")), str(2, str(1, latin1))...), []string{"item.sku"}},
		{"second element of a list", "/floorops.picking.v1.PickingService/ReleaseOrders",
			append(append(str(1, []byte("w2")), str(2, str(1, []byte("SO-1")))...), str(2, str(1, latin1))...), []string{"orders[1].order_id"}},
		{"truncated", "/floorops.inventory.v1.InventoryService/ResolveScan",
			append(protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.BytesType), 100), 'A'), []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := n.conn.Invoke(admin, tt.method, &rawFrame{b: tt.frame}, &rawFrame{}, grpc.ForceCodec(rawCodec{}))
			wantCode(t, err, codes.InvalidArgument)
			if diff := cmp.Diff(tt.fields, violations(err)); diff != "" {
				t.Errorf("field violations (-want +got):\n%s", diff)
			}
		})
	}
}
