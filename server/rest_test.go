package server_test

// Tests of the REST face as an HTTP client sees it: status codes, headers,
// google.rpc.BadRequest details on every 400, and the OpenAPI document that
// generated clients are built from. Everything goes over real HTTP to a demo
// node on loopback ports.

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	fproto "github.com/floorops/floorops/proto"
	"github.com/floorops/floorops/server"
	"github.com/google/go-cmp/cmp"
)

// restAnswer is one HTTP answer of the gateway.
type restAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// send sends a raw body (nil for none) with the demo integration key unless
// token is "-" (no credentials).
func (n *node) send(t *testing.T, method, path string, body io.Reader, token string) restAnswer {
	t.Helper()
	req, err := http.NewRequest(method, n.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch token {
	case "-":
	case "":
		req.Header.Set("Authorization", "Bearer "+server.DemoAPIKey)
	default:
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := restAnswer{status: resp.StatusCode, header: resp.Header, raw: raw}
	json.Unmarshal(raw, &a.body)
	return a
}

// goTypeName matches a package-qualified Go identifier (label.LPN,
// inventoryv1.Item, strconv.ParseInt) or a decoder's own voice ("proto:").
var goTypeName = regexp.MustCompile(`\b[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*\b|\bproto:|\bstrconv\b|\bjson:`)

// badRequest checks a 400 answer: google.rpc.BadRequest details naming
// exactly wantFields (proto field paths), a message that agrees with them,
// and no Go type name or decoder jargon anywhere. It returns the violations.
func badRequest(t *testing.T, a restAnswer, wantFields ...string) map[string]string {
	t.Helper()
	if a.status != http.StatusBadRequest {
		t.Fatalf("status = %d %s, want 400", a.status, a.raw)
	}
	if code, _ := a.body["code"].(float64); code != 3 {
		t.Errorf("code = %v, want 3 (InvalidArgument): %s", a.body["code"], a.raw)
	}
	got := map[string]string{}
	var fields []string
	details, _ := a.body["details"].([]any)
	for _, d := range details {
		d, _ := d.(map[string]any)
		if d["@type"] != "type.googleapis.com/google.rpc.BadRequest" {
			continue
		}
		vs, _ := d["field_violations"].([]any)
		for _, v := range vs {
			v, _ := v.(map[string]any)
			f, _ := v["field"].(string)
			desc, _ := v["description"].(string)
			fields = append(fields, f)
			got[f] = desc
		}
	}
	if len(fields) == 0 {
		t.Fatalf("400 without google.rpc.BadRequest field violations: %s", a.raw)
	}
	if diff := cmp.Diff(wantFields, fields); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s\n%s", diff, a.raw)
	}
	msg, _ := a.body["message"].(string)
	for f, desc := range got {
		if desc == "" || !strings.Contains(msg, desc) || !strings.Contains(msg, f) {
			t.Errorf("message %q does not agree with violation %q: %q", msg, f, desc)
		}
	}
	for _, text := range append([]string{msg}, slices.Collect(maps.Values(got))...) {
		if m := goTypeName.FindString(text); m != "" {
			t.Errorf("answer leaks %q: %s", m, a.raw)
		}
	}
	return got
}

func TestRESTRefusesInvalidUTF8(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	tests := []struct {
		method, path string
		field        string
	}{
		{"GET", "/v1/items/%FF", "sku"},
		{"GET", "/v1/items/SKU%C4%D6", "sku"},
		{"GET", "/v1/items?page_token=%FF", "page_token"},
		{"GET", "/v1/balances?sku=%C4%D6L1", "sku"},
		{"GET", "/v1/labels?format=LABEL_FORMAT_ZPL&location_code=A%FF", "location_code"},
		{"GET", "/v1/locations/%E2%28%A1", "code"},
		{"PUT", "/v1/vendors/%FF/policy", "vendor"},
		{"POST", "/v1/orders/SO-%FF:cancel", "order_id"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body io.Reader
			if tt.method != "GET" {
				body = strings.NewReader(`{"request_id":"utf8-1"}`)
			}
			// Without credentials too: the parameter is refused before sign-in.
			for _, token := range []string{"", "-"} {
				badRequest(t, n.send(t, tt.method, tt.path, body, token), tt.field)
			}
		})
	}
}

func TestRESTWrongMethodIs405WithAllow(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(fproto.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	// A path takes the methods of every template it matches: GET
	// /v1/orders/1:cancel is GetOrder of order "1:cancel".
	fill := regexp.MustCompile(`\{[^}]+\}`)
	templates := map[*regexp.Regexp][]string{}
	for tmpl, ops := range doc.Paths {
		var re strings.Builder
		for i, part := range fill.Split(tmpl, -1) {
			if i > 0 {
				re.WriteString(`[^/]+`)
			}
			re.WriteString(regexp.QuoteMeta(part))
		}
		re2 := regexp.MustCompile("^" + re.String() + "$")
		for m := range ops {
			templates[re2] = append(templates[re2], strings.ToUpper(m))
		}
	}
	for tmpl := range doc.Paths {
		path := fill.ReplaceAllString(tmpl, "1")
		var allow []string
		for re, ms := range templates {
			if re.MatchString(path) {
				for _, m := range ms {
					if !slices.Contains(allow, m) {
						allow = append(allow, m)
					}
				}
			}
		}
		if slices.Contains(allow, "GET") {
			allow = append(allow, "HEAD") // HEAD is GET without the body
		}
		sort.Strings(allow)
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
			if slices.Contains(allow, m) {
				continue
			}
			a := n.send(t, m, path, strings.NewReader(`{}`), "")
			if a.status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s = %d %s, want 405", m, path, a.status, a.raw)
				continue
			}
			if got := a.header.Get("Allow"); got != strings.Join(allow, ", ") {
				t.Errorf("%s %s: Allow = %q, want %q", m, path, got, strings.Join(allow, ", "))
			}
		}
	}
	// A path no route has stays 404.
	if a := n.send(t, "DELETE", "/v1/no-such-thing", nil, ""); a.status != http.StatusNotFound {
		t.Errorf("DELETE /v1/no-such-thing = %d, want 404", a.status)
	}
}

func TestRESTBodyOverLimitIs413(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	big := `{"raw":"` + strings.Repeat("A", server.MaxRequestBytes) + `"}`
	tests := []struct {
		name string
		body func() io.Reader
	}{
		{"with Content-Length", func() io.Reader { return strings.NewReader(big) }},
		// io.MultiReader hides the length: the body is sent chunked.
		{"chunked", func() io.Reader { return io.MultiReader(strings.NewReader(big)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := n.send(t, "POST", "/v1/scans:resolve", tt.body(), "")
			if a.status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status = %d %.200s, want 413", a.status, a.raw)
			}
			// The JSON status agrees: ResourceExhausted, as over gRPC.
			if code, _ := a.body["code"].(float64); code != 8 {
				t.Errorf("code = %v, want 8 (ResourceExhausted): %s", a.body["code"], a.raw)
			}
			if msg, _ := a.body["message"].(string); !strings.Contains(msg, strconv.Itoa(server.MaxRequestBytes)) {
				t.Errorf("message %q does not name the limit", msg)
			}
		})
	}
	// Just under the limit is read and answered (a scan that long is not a
	// code the node knows, which is a 400, not a 413).
	under := `{"raw":"` + strings.Repeat("A", server.MaxRequestBytes/2) + `"}`
	if a := n.send(t, "POST", "/v1/scans:resolve", strings.NewReader(under), ""); a.status == http.StatusRequestEntityTooLarge || a.status >= 500 {
		t.Fatalf("a body under the limit = %d %.200s", a.status, a.raw)
	}
}

func TestRESTJSONErrorsNameProtoFieldPaths(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	lead := restToken(t, n, "B-LEAD")
	tests := []struct {
		name, path, body string
		fields           []string
	}{
		{"wrong type", "/v1/moves", `{"request_id":"j1","quantity":"many"}`, []string{"quantity"}},
		{"unknown field", "/v1/moves", `{"request_id":"j1","no_such_field":1}`, []string{"no_such_field"}},
		{"unknown enum name", "/v1/adjustments", `{"request_id":"j1","status":"STOCK_STATUS_BOGUS"}`, []string{"status"}},
		{"int64 overflow", "/v1/moves", `{"request_id":"j1","quantity":"9223372036854775808"}`, []string{"quantity"}},
		{"int64 overflow as number", "/v1/adjustments", `{"request_id":"j1","delta":1e400}`, []string{"delta"}},
		{"int32 overflow", "/v1/pick-lists", `{"request_id":"j1","max_orders":4294967296}`, []string{"max_orders"}},
		{"camelCase key, proto path", "/v1/moves", `{"requestId":1}`, []string{"request_id"}},
		{"nested", "/v1/items", `{"request_id":"j1","item":{"sku":7}}`, []string{"item.sku"}},
		{"nested unknown", "/v1/items", `{"request_id":"j1","item":{"skuu":"X"}}`, []string{"item.skuu"}},
		{"in a list", "/v1/orders:release", `{"request_id":"j1","orders":[{"order_id":"SO-1","lines":[{},{},{"quantity":"x"}]}]}`, []string{"orders[0].lines[2].quantity"}},
		{"timestamp", "/v1/orders:release", `{"request_id":"j1","orders":[{"order_id":"SO-1","ship_by":"tomorrow"}]}`, []string{"orders[0].ship_by"}},
		{"repeated scalar element", "/v1/pick-lists", `{"request_id":"j1","order_ids":["SO-1",2]}`, []string{"order_ids[1]"}},
		{"repeated given one value", "/v1/pick-lists", `{"request_id":"j1","order_ids":"SO-1"}`, []string{"order_ids"}},
		{"message given a string", "/v1/items", `{"request_id":"j1","item":"SKU-1"}`, []string{"item"}},
		{"every bad field at once", "/v1/moves", `{"request_id":5,"quantity":true,"skuu":"x"}`, []string{"request_id", "quantity", "skuu"}},
		{"a field twice", "/v1/moves", `{"request_id":"a","requestId":"b"}`, []string{"request_id"}},
		{"Latin-1 in a string", "/v1/scans:resolve", "{\"raw\":\"\xc4\xd6L1\"}", []string{"raw"}},
		{"not JSON", "/v1/moves", `{`, []string{""}},
		{"not an object", "/v1/moves", `[]`, []string{""}},
		{"trailing garbage", "/v1/moves", `{"request_id":"j1"} x`, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			badRequest(t, n.send(t, "POST", tt.path, strings.NewReader(tt.body), lead), tt.fields...)
		})
	}
	// Proto names and JSON names are both accepted where they are right.
	a := n.send(t, "POST", "/v1/scans:resolve", strings.NewReader(`{"raw":"A-01-01-A"}`), lead)
	if a.status != http.StatusOK {
		t.Fatalf("resolve = %d %s", a.status, a.raw)
	}
	a = n.send(t, "POST", "/v1/adjustments", strings.NewReader(`{"requestId":"j-ok","locationCode":"A-01-01-A","sku":"SKU-0001","delta":"1","reason":"found"}`), lead)
	if a.status != http.StatusOK {
		t.Fatalf("adjust with JSON names = %d %s", a.status, a.raw)
	}
}

func TestRESTRefusesUnknownQueryParameters(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	tests := []struct {
		name, method, path string
		fields             []string
	}{
		{"misspelt filter", "GET", "/v1/movements?skuu=SKU-0001", []string{"skuu"}},
		{"one good, one unknown", "GET", "/v1/balances?sku=SKU-0001&location=A-01-01-A", []string{"location"}},
		{"path field repeated in the query", "GET", "/v1/items/SKU-0001?sku=SKU-0002", []string{"sku"}},
		{"query on a body route", "POST", "/v1/scans:resolve?raw=A-01-01-A", []string{"raw"}},
		{"not an integer", "GET", "/v1/movements?page_size=abc", []string{"page_size"}},
		{"int32 overflow", "GET", "/v1/items?page_size=99999999999", []string{"page_size"}},
		{"single field given twice", "GET", "/v1/items?page_size=1&page_size=2", []string{"page_size"}},
		{"unknown enum", "GET", "/v1/labels?location_code=A-01-01-A&format=LABEL_FORMAT_BOGUS", []string{"format"}},
		{"not a timestamp", "GET", "/v1/putaway/dock-to-stock?start_time=yesterday", []string{"start_time"}},
		{"not a bool", "GET", "/v1/purchase-orders?open_only=maybe", []string{"open_only"}},
		{"path id not a number", "GET", "/v1/pick-lists/abc/next-line", []string{"pick_list_id"}},
		{"path id not a number, with body", "POST", "/v1/putaway/tasks/abc:confirm", []string{"task_id"}},
		{"two bad path ids", "POST", "/v1/pick-lists/x/lines/y:confirm", []string{"pick_list_id", "line_id"}},
		{"nested path into a scalar", "GET", "/v1/movements?sku.code=x", []string{"sku.code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader(`{"request_id":"q1"}`)
			}
			badRequest(t, n.send(t, tt.method, tt.path, body, ""), tt.fields...)
		})
	}
	// A form POSTed to a GET route (the gateway's path-length fallback) is
	// checked as its query would be.
	req, err := http.NewRequest("POST", n.base+"/v1/movements", strings.NewReader("skuu=SKU-0001&sku=%FF"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+server.DemoAPIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := restAnswer{status: resp.StatusCode, raw: raw}
	json.Unmarshal(raw, &a.body)
	badRequest(t, a, "sku", "skuu")

	ok := []string{
		"/v1/ats?skus=SKU-0001&skus=SKU-0002",
		"/v1/movements?sku=SKU-0001&pageSize=2",
		"/v1/items?page_size=2",
		"/v1/labels?location_code=A-01-01-A&format=LABEL_FORMAT_ZPL",
		"/v1/labels?location_code=A-01-01-A&format=2",
		"/v1/putaway/dock-to-stock?start_time=2026-01-01T00:00:00Z",
		"/v1/purchase-orders?open_only=true",
	}
	lead := restToken(t, n, "B-LEAD")
	for _, path := range ok {
		if a := n.send(t, "GET", path, nil, lead); a.status != http.StatusOK {
			t.Errorf("GET %s = %d %s, want 200", path, a.status, a.raw)
		}
	}
}

func TestRESTMessagesNameNoGoTypes(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	lead := restToken(t, n, "B-LEAD")
	tests := []struct {
		path  string
		field string
	}{
		{"/v1/labels?lpn_code=LPN000123&format=LABEL_FORMAT_PDF", "format"},
		{"/v1/labels?sku=SKU-0001&format=LABEL_FORMAT_PDF", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			badRequest(t, n.send(t, "GET", tt.path, nil, lead), tt.field)
		})
	}
	// An enum number the proto does not define: named by the values it
	// may take, not by the Go or proto type (StockStatus).
	a := n.send(t, "POST", "/v1/adjustments", strings.NewReader(`{"request_id":"e1","location_code":"A-01-01-A","sku":"SKU-0001","delta":1,"reason":"found","status":9}`), lead)
	for f, desc := range badRequest(t, a, "status") {
		if strings.Contains(desc, "StockStatus") || !strings.Contains(desc, "STOCK_STATUS_AVAILABLE") {
			t.Errorf("%s: %q names the type, not the values", f, desc)
		}
	}
}

// TestOpenAPIDocument pins what generated clients and Swagger UI read from
// /openapi.json: a real title and version, bearer and API-key security with
// Login exempt, and the error answers every operation can give.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	a := n.send(t, "GET", "/openapi.json", nil, "-")
	if a.status != http.StatusOK || !bytes.Equal(a.raw, fproto.OpenAPI) {
		t.Fatalf("/openapi.json = %d, not the embedded document", a.status)
	}
	type response struct {
		Schema struct {
			Ref string `json:"$ref"`
		} `json:"schema"`
	}
	type operation struct {
		OperationID string              `json:"operationId"`
		Security    *[]map[string]any   `json:"security"`
		Responses   map[string]response `json:"responses"`
	}
	var doc struct {
		Swagger string `json:"swagger"`
		Info    struct {
			Title, Version string
		} `json:"info"`
		SecurityDefinitions map[string]struct {
			Type, Name, In string
		} `json:"securityDefinitions"`
		Security []map[string][]string           `json:"security"`
		Paths    map[string]map[string]operation `json:"paths"`
	}
	if err := json.Unmarshal(a.raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Title != "floorops" || doc.Info.Version == "" || doc.Info.Version == "version not set" {
		t.Errorf("info = %+v, want title floorops and a version", doc.Info)
	}
	wantDefs := map[string]struct{ Type, Name, In string }{
		"bearer":  {"apiKey", "Authorization", "header"},
		"api_key": {"apiKey", "Authorization", "header"},
	}
	for name, want := range wantDefs {
		got, ok := doc.SecurityDefinitions[name]
		if !ok || got.Type != want.Type || got.Name != want.Name || got.In != want.In {
			t.Errorf("securityDefinitions[%s] = %+v, want %+v", name, got, want)
		}
	}
	if diff := cmp.Diff([]map[string][]string{{"bearer": {}}, {"api_key": {}}}, doc.Security); diff != "" {
		t.Errorf("document security (-want +got):\n%s", diff)
	}
	errorAnswers := []string{"400", "401", "403", "404", "409", "413", "default"}
	seenLogin := false
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.OperationID == "AuthService_Login" {
				seenLogin = true
				if op.Security == nil || len(*op.Security) != 0 {
					t.Errorf("Login must need no credentials: security = %v", op.Security)
				}
			} else if op.Security != nil {
				t.Errorf("%s %s overrides the document's security: %v", method, path, *op.Security)
			}
			for _, code := range errorAnswers {
				r, ok := op.Responses[code]
				if !ok || r.Schema.Ref != "#/definitions/rpcStatus" {
					t.Errorf("%s %s: response %s = %+v, want an rpcStatus", method, path, code, r)
				}
			}
		}
	}
	if !seenLogin {
		t.Error("no Login operation in the document")
	}
}
