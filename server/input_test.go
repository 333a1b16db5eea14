package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/dynamicpb"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/floorops/floorops/server"
)

// textField is one string field reachable in a request message: its proto
// path as a field violation names it, and how to set it in a fresh request.
type textField struct {
	path string
	name string // the field's own proto name
	set  func(m protoreflect.Message, s string)
}

// textFields lists every string field of md, through nested messages, lists
// (one element) and maps (one entry), without looping on recursive messages.
func textFields(md protoreflect.MessageDescriptor, prefix string, seen map[protoreflect.FullName]bool) []textField {
	if seen[md.FullName()] {
		return nil
	}
	seen[md.FullName()] = true
	defer delete(seen, md.FullName())
	var out []textField
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		name := prefix + string(fd.Name())
		switch {
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.StringKind {
				out = append(out, textField{name + "[k]", string(fd.Name()), func(m protoreflect.Message, s string) {
					m.Mutable(fd).Map().Set(protoreflect.ValueOfString("k").MapKey(), protoreflect.ValueOfString(s))
				}})
			}
		case fd.IsList() && fd.Message() != nil:
			for _, sub := range textFields(fd.Message(), name+"[0].", seen) {
				out = append(out, textField{sub.path, sub.name, func(m protoreflect.Message, s string) {
					l := m.Mutable(fd).List()
					e := l.NewElement()
					sub.set(e.Message(), s)
					l.Append(e)
				}})
			}
		case fd.IsList() && fd.Kind() == protoreflect.StringKind:
			out = append(out, textField{name + "[0]", string(fd.Name()), func(m protoreflect.Message, s string) {
				m.Mutable(fd).List().Append(protoreflect.ValueOfString(s))
			}})
		case fd.Message() != nil:
			for _, sub := range textFields(fd.Message(), name+".", seen) {
				out = append(out, textField{sub.path, sub.name, func(m protoreflect.Message, s string) {
					sub.set(m.Mutable(fd).Message(), s)
				}})
			}
		case fd.Kind() == protoreflect.StringKind:
			out = append(out, textField{name, string(fd.Name()), func(m protoreflect.Message, s string) {
				m.Set(fd, protoreflect.ValueOfString(s))
			}})
		}
	}
	return out
}

// scanFields are the request fields that carry what a scanner sent, which
// may hold GS1 / ISO 15434 separators (GS, RS, EOT). Every other string
// field of every request refuses control characters.
var scanFields = []string{
	"dock_location_scan", "document_scan", "from_location_scan", "item_scan", "location_scan",
	"raw", "raw_scan", "scan", "ship_location_scan", "to_location_scan", "tote_scans",
}

// TestEveryRequestTextFieldRefusesControlCharacters sends, for every string
// field of every request of every unary method the node serves, a request
// with only that field set: to a BEL inside the text for free text, ids and secrets (the
// edge refuses it, naming the field, before any credentials are read), and
// to GS1 separators for scan fields (which are not refused for them). A new
// string field is covered by the rule without a change here; a new field
// that looks like a scan (its name holds "scan" or "raw") must be one of
// scanFields, and scanFields must all still exist.
func TestEveryRequestTextFieldRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	ctx := context.Background()
	seenScans := map[string]bool{}
	checked := 0
	for svc, info := range n.srv.GRPCServer().GetServiceInfo() {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
		if err != nil {
			t.Fatalf("service %s: %v", svc, err)
		}
		sd := d.(protoreflect.ServiceDescriptor)
		for _, mi := range info.Methods {
			if mi.IsClientStream || mi.IsServerStream {
				continue // streamed messages pass the same check in RecvMsg
			}
			md := sd.Methods().ByName(protoreflect.Name(mi.Name))
			full := "/" + svc + "/" + mi.Name
			for _, f := range textFields(md.Input(), "", map[protoreflect.FullName]bool{}) {
				scan := slices.Contains(scanFields, f.name)
				looksLikeScan := strings.Contains(f.name, "scan") || strings.Contains(f.name, "raw")
				if looksLikeScan && !scan {
					t.Errorf("%s %s looks like a scan but is not in scanFields", full, f.path)
				}
				value := "dup\a"
				if scan {
					seenScans[f.name] = true
					value = "]d2\x1d0106141411234567\x1e\x04"
				}
				req := dynamicpb.NewMessage(md.Input())
				f.set(req, value)
				resp := dynamicpb.NewMessage(md.Output())
				err := n.conn.Invoke(ctx, full, req, resp)
				refused := status.Code(err) == codes.InvalidArgument && slices.Contains(violations(err), f.path)
				switch {
				case scan && refused:
					t.Errorf("%s: scan field %s refused GS1 separators: %v", full, f.path, err)
				case !scan && !refused:
					t.Errorf("%s: %s = %q: got %v, want InvalidArgument naming %s", full, f.path, value, err, f.path)
				}
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d string fields checked: did the walk find the services?", checked)
	}
	for _, s := range scanFields {
		if !seenScans[s] {
			t.Errorf("scanFields lists %s, which no request has any more", s)
		}
	}
}

// TestControlCharactersRefusedOverREST: the QA run's examples over the
// REST face, which goes through the same gRPC edge: 400 naming the field,
// and nothing recorded (the sign-in issued no token).
func TestControlCharactersRefusedOverREST(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	lead := restToken(t, n, "B-LEAD")
	tests := []struct {
		name, method, path, token string
		body                      map[string]any
		field                     string
	}{
		{"login device id with BEL", "POST", "/v1/auth/login", "-",
			map[string]any{"badge": "B-LEAD", "pin": server.DemoPIN, "device_id": "hh\abel"}, "device_id"},
		{"login device id with TAB", "POST", "/v1/auth/login", "-",
			map[string]any{"badge": "B-LEAD", "pin": server.DemoPIN, "device_id": "hh\tbel"}, "device_id"},
		{"login pin with a control character", "POST", "/v1/auth/login", "-",
			map[string]any{"badge": "B-LEAD", "pin": "12\x0034", "device_id": "hh"}, "pin"},
		{"cancel order reason", "POST", "/v1/orders/SO-3:cancel", "",
			map[string]any{"request_id": "c-bel", "reason": "dup\a"}, "reason"},
		{"cancel putaway task reason", "POST", "/v1/putaway/tasks/1:cancel", lead,
			map[string]any{"request_id": "p-bel", "reason": "du\u0085p"}, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := n.send(t, tt.method, tt.path, strings.NewReader(mustJSON(t, tt.body)), tt.token)
			if a.status != http.StatusBadRequest {
				t.Fatalf("status = %d %s, want 400", a.status, a.raw)
			}
			got := violationsOf(a)
			if !slices.Contains(got, tt.field) {
				t.Errorf("violations %v do not name %s: %s", got, tt.field, a.raw)
			}
			if _, ok := a.body["token"]; ok {
				t.Errorf("a refused sign-in issued a token: %s", a.raw)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// violationsOf lists the fields a REST 400 answer's BadRequest names.
func violationsOf(a restAnswer) []string {
	var out []string
	details, _ := a.body["details"].([]any)
	for _, d := range details {
		d, _ := d.(map[string]any)
		vs, _ := d["field_violations"].([]any)
		for _, v := range vs {
			v, _ := v.(map[string]any)
			f, _ := v["field"].(string)
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// TestPutawayTaskTrackingOverREST: the QA run's ad-hoc putaway task with a
// typed lot on an item that is not lot tracked is a 400 naming lot, as a
// move's is, not "only 0 units on hand".
func TestPutawayTaskTrackingOverREST(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	lead := restToken(t, n, "B-LEAD")
	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"lot on an untracked item", map[string]any{"request_id": "ct-1", "from_location_scan": "DOCK-01", "sku": "SKU-0002", "quantity": 1, "lot": "L1"}, "lot"},
		{"expiry on an item without one", map[string]any{"request_id": "ct-2", "from_location_scan": "DOCK-01", "sku": "SKU-0002", "quantity": 1, "expiry": "2027-01-31"}, "expiry"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := n.send(t, "POST", "/v1/putaway/tasks", strings.NewReader(mustJSON(t, tt.body)), lead)
			if a.status != http.StatusBadRequest || !slices.Contains(violationsOf(a), tt.field) {
				t.Fatalf("status = %d %s, want 400 naming %s", a.status, a.raw, tt.field)
			}
		})
	}
}

// TestLockedDatabaseIsUnavailable: while another process holds the node's
// database file locked, an adjustment fails as Unavailable (503 over REST)
// after the node's busy timeout, a code clients retry, having changed
// nothing; released, the same request id goes through, on either face.
func TestLockedDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	ctx := n.login(t, "B-LEAD")
	token := restToken(t, n, "B-LEAD")
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	adjust := func() error {
		_, err := inv.AdjustStock(ctx, &inventoryv1.AdjustStockRequest{RequestId: "busy-1", LocationCode: "C-04-10-C", Sku: "SKU-0003", Delta: 1, Reason: "found"})
		return err
	}
	body := `{"request_id":"busy-2","location_code":"C-04-10-C","sku":"SKU-0003","delta":1,"reason":"found"}`
	before := balances(t, inv, ctx, "SKU-0003")

	other, err := sql.Open("sqlite", "file:"+n.srv.DB.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(context.Background(), `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	// One request, so the test waits the busy timeout once: REST goes
	// through the gRPC edge, and its body carries the gRPC code.
	a := n.send(t, "POST", "/v1/adjustments", strings.NewReader(body), token)
	if code, _ := a.body["code"].(float64); a.status != http.StatusServiceUnavailable || codes.Code(code) != codes.Unavailable {
		t.Errorf("adjustment while the database is locked: %d %s, want 503 with code %d (Unavailable)", a.status, a.raw, codes.Unavailable)
	}
	if _, err := holder.ExecContext(context.Background(), `COMMIT`); err != nil {
		t.Fatal(err)
	}

	if got := balances(t, inv, ctx, "SKU-0003"); !cmp.Equal(got, before, protocmp.Transform()) {
		t.Fatalf("refused adjustments changed stock:\n%v\n%v", before, got)
	}
	if err := adjust(); err != nil {
		t.Fatalf("the retried adjustment: %v", err)
	}
	if a := n.send(t, "POST", "/v1/adjustments", strings.NewReader(body), token); a.status != http.StatusOK {
		t.Fatalf("the retried REST adjustment: %d %s", a.status, a.raw)
	}
}
