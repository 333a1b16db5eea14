package server_test

// Tests of the REST face's second QA round: update masks in the spelling the
// API documents, field violations whose message and details agree on both
// faces, body fields that contradict the path, HEAD, and the 413 status.

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	fproto "github.com/floorops/floorops/proto"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// wantViolationMessage checks that message lists exactly the violations
// (field, description), in order, as "field: description; ...".
func wantViolationMessage(t *testing.T, message string, fields, descs []string) {
	t.Helper()
	parts := make([]string, len(fields))
	for i, f := range fields {
		if f == "" {
			f = "request body"
		}
		parts[i] = f + ": " + descs[i]
	}
	if want := strings.Join(parts, "; "); message != want {
		t.Errorf("message = %q, want the violations %q", message, want)
	}
}

// restViolations is the field violations of a REST error answer, in order.
func restViolations(a restAnswer) (fields, descs []string) {
	details, _ := a.body["details"].([]any)
	for _, d := range details {
		d, _ := d.(map[string]any)
		vs, _ := d["field_violations"].([]any)
		for _, v := range vs {
			v, _ := v.(map[string]any)
			f, _ := v["field"].(string)
			desc, _ := v["description"].(string)
			fields = append(fields, f)
			descs = append(descs, desc)
		}
	}
	return fields, descs
}

func TestRESTUpdateMaskTakesProtoNames(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	tests := []struct {
		name, path string
		body       string
		check      func(t *testing.T, got map[string]any)
	}{
		{"items snake string", "/v1/items",
			`{"request_id":"um-1","item":{"sku":"SKU-0001","description":"snake","unit_cost_cents":55},"update_mask":"description,unit_cost_cents"}`,
			func(t *testing.T, got map[string]any) {
				it := got["item"].(map[string]any)
				if it["description"] != "snake" || it["unit_cost_cents"] != "55" {
					t.Errorf("item = %v", it)
				}
			}},
		{"items object form", "/v1/items",
			`{"request_id":"um-2","item":{"sku":"SKU-0001","description":"object","unit_cost_cents":56},"update_mask":{"paths":["description","unit_cost_cents"]}}`,
			func(t *testing.T, got map[string]any) {
				it := got["item"].(map[string]any)
				if it["description"] != "object" || it["unit_cost_cents"] != "56" {
					t.Errorf("item = %v", it)
				}
			}},
		{"items camel string", "/v1/items",
			`{"request_id":"um-3","item":{"sku":"SKU-0001","description":"camel","unit_cost_cents":57},"update_mask":" description , unitCostCents "}`,
			func(t *testing.T, got map[string]any) {
				it := got["item"].(map[string]any)
				if it["description"] != "camel" || it["unit_cost_cents"] != "57" {
					t.Errorf("item = %v", it)
				}
			}},
		{"items lot_tracked", "/v1/items",
			`{"request_id":"um-4","item":{"sku":"SKU-0002","lot_tracked":false},"update_mask":"lot_tracked"}`,
			func(t *testing.T, got map[string]any) {
				if it := got["item"].(map[string]any); it["lot_tracked"] != false {
					t.Errorf("item = %v", it)
				}
			}},
		{"locations walk_sequence", "/v1/locations",
			`{"request_id":"um-5","location":{"code":"A-01-01-A","walk_sequence":77},"update_mask":"walk_sequence"}`,
			func(t *testing.T, got map[string]any) {
				if l := got["location"].(map[string]any); l["walk_sequence"] != float64(77) && l["walk_sequence"] != "77" {
					t.Errorf("location = %v", l)
				}
			}},
		{"purchase orders expected_date", "/v1/purchase-orders",
			`{"request_id":"um-6","purchase_order":{"po_number":"PO-1001","expected_date":"2030-01-02"},"update_mask":"expected_date"}`,
			func(t *testing.T, got map[string]any) {
				if po := got["purchase_order"].(map[string]any); po["expected_date"] != "2030-01-02" {
					t.Errorf("purchase order = %v", po)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := n.send(t, "POST", tt.path, strings.NewReader(tt.body), "")
			if a.status != http.StatusOK {
				t.Fatalf("status = %d %s, want 200", a.status, a.raw)
			}
			tt.check(t, a.body)
		})
	}
	// A path that names no field is still refused, on update_mask.
	for _, mask := range []string{`"description,no_such_field"`, `{"paths":["no_such_field"]}`, `{"paths":[1]}`, `"a..b"`} {
		a := n.send(t, "POST", "/v1/items", strings.NewReader(`{"request_id":"um-bad","item":{"sku":"SKU-0001"},"update_mask":`+mask+`}`), "")
		badRequest(t, a, "update_mask")
	}
}

func TestViolationsAgreeWithTheMessage(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	tests := []struct {
		path, body string
		want       []string
	}{
		{"/v1/locations", `{"location":{"code":"ZZ-09","zone":"A","type":"LOCATION_TYPE_STORAGE"}}`, []string{"request_id"}},
		{"/v1/items", `{"item":{"sku":"SKU-7777","description":"x"}}`, []string{"request_id"}},
		{"/v1/purchase-orders", `{"purchase_order":{"po_number":"PO-1001","vendor":"ACME"}}`, []string{"request_id"}},
		{"/v1/locations", `{"request_id":"x","location":{"code":"A-01-01-A"},"update_mask":"zone"}`, nil},
		{"/v1/moves", `{}`, nil},
		{"/v1/items", `{"request_id":null,"item":null}`, nil},
		{"/v1/items", `{"request_id":"r","item":{"sku":"SKU-0001","unit_cost_cents":"x"}}`, []string{"item.unit_cost_cents"}},
	}
	admin := restToken(t, n, "B-ADMIN")
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.body, func(t *testing.T) {
			a := n.send(t, "POST", tt.path, strings.NewReader(tt.body), admin)
			if a.status != http.StatusBadRequest {
				t.Fatalf("status = %d %s, want 400", a.status, a.raw)
			}
			fields, descs := restViolations(a)
			if len(fields) == 0 {
				t.Fatalf("no field violations: %s", a.raw)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, fields); diff != "" {
					t.Errorf("violated fields (-want +got):\n%s", diff)
				}
			}
			for _, f := range fields {
				if strings.HasSuffix(f, ".request_id") {
					t.Errorf("violation %q names no field of the request", f)
				}
			}
			msg, _ := a.body["message"].(string)
			wantViolationMessage(t, msg, fields, descs)
		})
	}

	// The same over gRPC.
	ctx := n.login(t, "B-ADMIN")
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	calls := []struct {
		name string
		call func(context.Context) error
		want []string
	}{
		{"UpsertLocation without request id", func(ctx context.Context) error {
			_, err := inv.UpsertLocation(ctx, &inventoryv1.UpsertLocationRequest{Location: &inventoryv1.Location{Code: "ZZ-09", Zone: "A", Type: inventoryv1.LocationType_LOCATION_TYPE_STORAGE}})
			return err
		}, []string{"request_id"}},
		{"UpsertItem without request id", func(ctx context.Context) error {
			_, err := inv.UpsertItem(ctx, &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "SKU-7777", Description: "x"}})
			return err
		}, []string{"request_id"}},
		{"UpsertItem empty", func(ctx context.Context) error {
			_, err := inv.UpsertItem(ctx, &inventoryv1.UpsertItemRequest{})
			return err
		}, nil},
		{"MoveStock empty", func(ctx context.Context) error {
			_, err := inv.MoveStock(ctx, &inventoryv1.MoveStockRequest{})
			return err
		}, nil},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			err := c.call(ctx)
			wantCode(t, err, codes.InvalidArgument)
			var fields, descs []string
			for _, d := range status.Convert(err).Details() {
				if br, ok := d.(*errdetails.BadRequest); ok {
					for _, v := range br.GetFieldViolations() {
						fields = append(fields, v.GetField())
						descs = append(descs, v.GetDescription())
					}
				}
			}
			if c.want != nil {
				if diff := cmp.Diff(c.want, fields); diff != "" {
					t.Errorf("violated fields (-want +got):\n%s", diff)
				}
			}
			wantViolationMessage(t, status.Convert(err).Message(), fields, descs)
		})
	}
}

func TestRESTBodyTextErrorsNameTheField(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	tests := []struct {
		path, body string
		field      string
	}{
		{"/v1/moves", `{"request_id":"\xff\xfe"}`, "request_id"},
		{"/v1/moves", "{\"request_id\":\"\xff\xfe\"}", "request_id"},
		{"/v1/items", `{"request_id":"r","item":{"sku":"\q"}}`, "item.sku"},
		{"/v1/items", `{"request_id":"r","item":{"sku":"S","gtins":[{"gtin":"1"},{"gtin":"\q"}]}}`, "item.gtins[1].gtin"},
		{"/v1/items", `{"request_id":"r","item":{"sku":"S"},"allow_gtin_removal":tru}`, "allow_gtin_removal"},
		{"/v1/items", "{\"request_id\":\"r\",\"item\":{\"description\":\"a\x01b\"}}", "item.description"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			badRequest(t, n.send(t, "POST", tt.path, strings.NewReader(tt.body), ""), tt.field)
		})
	}
}

func TestRESTBodyMayNotContradictThePath(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(fproto.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	routes := 0
	for tmpl, ops := range doc.Paths {
		for method, op := range ops {
			var names []string
			body := false
			for _, p := range op.Parameters {
				switch p.In {
				case "path":
					names = append(names, p.Name)
				case "body":
					body = true
				}
			}
			if !body || len(names) == 0 {
				continue
			}
			routes++
			path := param.ReplaceAllString(tmpl, "1")
			for _, name := range names {
				t.Run(strings.ToUpper(method)+" "+tmpl+" "+name, func(t *testing.T) {
					other := n.send(t, strings.ToUpper(method), path, strings.NewReader(`{`+jsonAt(name, "2")+`}`), "")
					badRequest(t, other, name)
					same := n.send(t, strings.ToUpper(method), path, strings.NewReader(`{`+jsonAt(name, "1")+`}`), "")
					fields, _ := restViolations(same)
					for _, f := range fields {
						if f == name {
							t.Errorf("the path's own value in the body is refused: %s", same.raw)
						}
					}
				})
			}
		}
	}
	if routes < 10 {
		t.Fatalf("only %d routes with a path and a body", routes)
	}
}

// jsonAt is `"a":{"b":"v"}` for the dotted field path a.b and string v.
func jsonAt(path, v string) string {
	parts := strings.Split(path, ".")
	out := `"` + v + `"`
	for i := len(parts) - 1; i > 0; i-- {
		out = `{"` + parts[i] + `":` + out + `}`
	}
	return `"` + parts[0] + `":` + out
}

func TestRESTHeadIsGetWithoutBody(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	get := n.send(t, "GET", "/v1/items", nil, "")
	head := n.send(t, "HEAD", "/v1/items", nil, "")
	if head.status != http.StatusOK || get.status != http.StatusOK {
		t.Fatalf("HEAD = %d, GET = %d, want 200", head.status, get.status)
	}
	if len(head.raw) != 0 {
		t.Errorf("HEAD answered with a body: %q", head.raw)
	}
	if head.header.Get("Content-Type") != get.header.Get("Content-Type") {
		t.Errorf("HEAD Content-Type = %q, GET's = %q", head.header.Get("Content-Type"), get.header.Get("Content-Type"))
	}
	// Without credentials HEAD is refused as GET is.
	if a := n.send(t, "HEAD", "/v1/items", nil, "-"); a.status != http.StatusUnauthorized {
		t.Errorf("HEAD without credentials = %d, want 401", a.status)
	}
	// A path with no GET takes no HEAD either.
	a := n.send(t, "HEAD", "/v1/moves", nil, "")
	if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "POST" {
		t.Errorf("HEAD /v1/moves = %d Allow %q, want 405 Allow POST", a.status, a.header.Get("Allow"))
	}
}
