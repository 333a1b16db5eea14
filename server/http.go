package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/floorops/floorops"
	fproto "github.com/floorops/floorops/proto"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// MaxRequestBytes is the largest request the node reads: a REST body, or a
// gRPC message. A larger REST body is refused with 413 Request Entity Too
// Large (not 429: it is not rate limiting, and sending it again will not
// help). The JSON of a request is larger than the protobuf message it
// becomes (field names, quotes, digits as text), so a body under the limit
// is not refused by the gRPC port behind.
const MaxRequestBytes = 4 << 20

// restFace is the node's REST/JSON face: the grpc-gateway, and around it
// what makes it answer as an HTTP service should. Before a call becomes an
// RPC, its path and query parameters are checked against the request
// message (valid UTF-8, a known field, a value of the field's type), so an
// integrator's typo is a 400 naming the parameter, not a filter silently
// dropped. A wrong method is 405 with Allow (HEAD is served wherever GET
// is); an oversized body 413 with ResourceExhausted. Every
// 400 carries google.rpc.BadRequest with proto field paths.
type restFace struct {
	gw     *runtime.ServeMux
	routes *routeTable
	log    *slog.Logger
}

func newRESTFace(log *slog.Logger) (*restFace, error) {
	routes, err := loadRoutes(fproto.OpenAPI)
	if err != nil {
		return nil, err
	}
	f := &restFace{routes: routes, log: log}
	f.gw = runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, newRESTJSON()),
		runtime.WithErrorHandler(f.writeError),
		runtime.WithRoutingErrorHandler(f.routingError),
		runtime.WithMiddlewares(f.checkParameters),
	)
	return f, nil
}

// restCall is what the REST face learns about one request on its way
// through the gateway, for the error handler to answer with.
type restCall struct {
	tooLarge bool            // the body went past MaxRequestBytes
	invalid  *floorops.Error // the body did not decode, field by field
	// route and pathParams are the matched route and its path values, for
	// the decoder to refuse a body that contradicts the path.
	route      *route
	pathParams map[string]string
}

type restCallKey struct{}

// restBody is a request body capped at MaxRequestBytes that remembers
// whether the cap was hit.
type restBody struct {
	io.ReadCloser
	call *restCall
}

func (b *restBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		b.call.tooLarge = true
	}
	return n, err
}

// ServeHTTP answers one REST call.
func (f *restFace) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := &restCall{}
	r = r.WithContext(context.WithValue(r.Context(), restCallKey{}, call))
	if r.ContentLength > MaxRequestBytes {
		call.tooLarge = true
		_, out := runtime.MarshalerForRequest(f.gw, r)
		f.writeError(r.Context(), f.gw, out, w, r, errors.New("request body too large"))
		return
	}
	if r.Method == http.MethodHead && slices.Contains(f.routes.allowed(r.URL.EscapedPath()), http.MethodGet) {
		// HEAD is the GET without its body; net/http drops what the
		// gateway writes.
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	if r.Body != nil {
		r.Body = &restBody{ReadCloser: http.MaxBytesReader(w, r.Body, MaxRequestBytes), call: call}
	}
	f.gw.ServeHTTP(w, r)
}

// writeError is the gateway's error handler: the RPC's status as JSON,
// with the REST face's own findings (an oversized body, a body that did not
// decode) in place of the gateway's terse ones.
func (f *restFace) writeError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	httpStatus := 0
	var custom *runtime.HTTPStatusError
	if errors.As(err, &custom) {
		httpStatus, err = custom.HTTPStatus, custom.Err
	}
	st := status.Convert(err)
	call, _ := r.Context().Value(restCallKey{}).(*restCall)
	switch {
	case call != nil && call.tooLarge:
		httpStatus = http.StatusRequestEntityTooLarge
		// ResourceExhausted, as the gRPC port answers a message over the
		// same limit: the JSON code agrees with the 413.
		st = status.New(codes.ResourceExhausted, fmt.Sprintf("request body: is larger than the %d bytes the node reads; send fewer lines per call", MaxRequestBytes))
		f.log.InfoContext(ctx, "rest call refused", "method", r.Method, "path", r.URL.Path, "err", st.Message())
	case call != nil && call.invalid != nil && st.Code() == codes.InvalidArgument:
		st = statusOf(call.invalid)
		f.log.InfoContext(ctx, "rest call refused", "method", r.Method, "path", r.URL.Path, "err", st.Message())
	case st.Code() == codes.InvalidArgument && !hasBadRequest(st):
		// A refusal of the gateway's own: name the request as a whole.
		st = statusOf(invalidFields([]floorops.FieldViolation{{Description: st.Message()}}))
	}
	err = st.Err()
	if httpStatus != 0 {
		err = &runtime.HTTPStatusError{HTTPStatus: httpStatus, Err: err}
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

func hasBadRequest(st *status.Status) bool {
	for _, d := range st.Details() {
		if _, ok := d.(*errdetails.BadRequest); ok {
			return true
		}
	}
	return false
}

// routingError answers a call no route takes: 405 with the methods the path
// does take in Allow, 404 for a path no route has.
func (f *restFace) routingError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	if httpStatus != http.StatusMethodNotAllowed {
		runtime.DefaultRoutingErrorHandler(ctx, mux, m, w, r, httpStatus)
		return
	}
	allow := f.routes.allowed(r.URL.EscapedPath())
	msg := fmt.Sprintf("%s is not allowed on this path", r.Method)
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		msg += "; it takes " + strings.Join(allow, ", ")
	}
	f.writeError(ctx, mux, m, w, r, &runtime.HTTPStatusError{HTTPStatus: http.StatusMethodNotAllowed, Err: status.Error(codes.Unimplemented, msg)})
}

// checkParameters runs after the gateway has matched a route and before the
// call becomes an RPC (so before sign-in): it refuses bad path and query
// parameters, naming each.
func (f *restFace) checkParameters(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		pat, ok := runtime.HTTPPattern(r.Context())
		if !ok {
			next(w, r, pathParams)
			return
		}
		rt := f.routes.byPattern[r.Method+" "+pat.String()]
		query, qerr := url.ParseQuery(r.URL.RawQuery)
		if rt == nil && r.Method == http.MethodPost {
			// The gateway's path-length fallback: a form POSTed to a GET
			// route is that GET, its parameters in the (parsed) form.
			if rt = f.routes.byPattern[http.MethodGet+" "+pat.String()]; rt != nil {
				query, qerr = r.Form, nil
			}
		}
		if rt == nil {
			next(w, r, pathParams)
			return
		}
		if call, ok := r.Context().Value(restCallKey{}).(*restCall); ok {
			call.route, call.pathParams = rt, pathParams
		}
		if bad := rt.check(query, qerr, pathParams); bad != nil {
			f.log.InfoContext(r.Context(), "rest call refused", "method", r.Method, "route", rt.template, "err", bad.Message)
			_, out := runtime.MarshalerForRequest(f.gw, r)
			f.writeError(r.Context(), f.gw, out, w, r, statusOf(bad).Err())
			return
		}
		next(w, r, pathParams)
	}
}

// route is one HTTP rule of proto/gateway.yaml, as the OpenAPI document
// (generated from the same file) lists it.
type route struct {
	method    string
	template  string   // /v1/items/{sku}
	segments  []string // v1, items, {sku}
	verb      string   // confirm in /v1/putaway/tasks/{task_id}:confirm
	in        protoreflect.MessageDescriptor
	pathNames []string // path parameters (proto field paths), in path order
	body      bool     // every field not in the path comes from the JSON body
}

// routeTable is every REST route, by method and gateway pattern.
type routeTable struct {
	all       []*route
	byPattern map[string]*route // "GET /v1/items/{sku=*}"
}

var templateVar = regexp.MustCompile(`\{([^}=]+)\}`)

// loadRoutes reads the routes from the OpenAPI document, which
// protoc-gen-openapiv2 writes from the same gateway.yaml as the gateway's
// handlers, and finds each operation's request message.
func loadRoutes(openapi []byte) (*routeTable, error) {
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openapi, &doc); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	methods := map[string]protoreflect.MethodDescriptor{} // Service_Method
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "floorops.") {
			return true
		}
		for i := range fd.Services().Len() {
			svc := fd.Services().Get(i)
			for j := range svc.Methods().Len() {
				m := svc.Methods().Get(j)
				methods[string(svc.Name())+"_"+string(m.Name())] = m
			}
		}
		return true
	})
	t := &routeTable{byPattern: map[string]*route{}}
	for tmpl, ops := range doc.Paths {
		for method, op := range ops {
			// A rule's additional bindings are operations Service_Method2, 3...
			m, ok := methods[op.OperationID]
			if !ok {
				m, ok = methods[strings.TrimRight(op.OperationID, "0123456789")]
			}
			if !ok {
				return nil, fmt.Errorf("openapi document: operation %s names no floorops RPC", op.OperationID)
			}
			rt := &route{method: strings.ToUpper(method), template: tmpl, in: m.Input()}
			path := tmpl
			if i := strings.LastIndex(path, ":"); i > strings.LastIndex(path, "/") {
				path, rt.verb = path[:i], path[i+1:]
			}
			rt.segments = strings.Split(strings.TrimPrefix(path, "/"), "/")
			for _, p := range op.Parameters {
				switch p.In {
				case "path":
					if _, ok := resolveField(rt.in, p.Name); !ok {
						return nil, fmt.Errorf("openapi document: %s %s: path parameter %s is not a field of %s", rt.method, tmpl, p.Name, rt.in.FullName())
					}
					rt.pathNames = append(rt.pathNames, p.Name)
				case "body":
					rt.body = true
				}
			}
			pattern := templateVar.ReplaceAllString(tmpl, "{$1=*}")
			t.byPattern[rt.method+" "+pattern] = rt
			t.all = append(t.all, rt)
		}
	}
	return t, nil
}

// allowed lists the methods some route takes on path (escaped), sorted:
// HEAD wherever GET is.
func (t *routeTable) allowed(path string) []string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var out []string
	for _, rt := range t.all {
		if rt.matches(segs) && !slices.Contains(out, rt.method) {
			out = append(out, rt.method)
			if rt.method == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (rt *route) matches(segs []string) bool {
	if len(segs) != len(rt.segments) {
		return false
	}
	last := segs[len(segs)-1]
	if rt.verb != "" {
		var ok bool
		if last, ok = strings.CutSuffix(last, ":"+rt.verb); !ok {
			return false
		}
	}
	for i, want := range rt.segments {
		got := segs[i]
		if i == len(segs)-1 {
			got = last
		}
		if strings.HasPrefix(want, "{") {
			if got == "" {
				return false
			}
			continue
		}
		if got != want {
			return false
		}
	}
	return true
}

// resolveField finds the field a path or query parameter names: proto or
// JSON names, dotted through singular message fields.
func resolveField(md protoreflect.MessageDescriptor, name string) (protoreflect.FieldDescriptor, bool) {
	parts := strings.Split(name, ".")
	var fd protoreflect.FieldDescriptor
	for i, p := range parts {
		if md == nil {
			return nil, false
		}
		fd = md.Fields().ByTextName(p)
		if fd == nil {
			fd = md.Fields().ByJSONName(p)
		}
		if fd == nil {
			return nil, false
		}
		if i < len(parts)-1 {
			if fd.IsList() || fd.IsMap() || fd.Message() == nil || wellKnown(fd.Message()) {
				return nil, false
			}
			md = fd.Message()
		}
	}
	return fd, true
}

// pathConflicts refuses a decoded body that sets a field the path carries
// to another value: the gateway would quietly take the path's (close
// receipt 3 when the body says 2), so the client is told instead. The
// same value in both places is taken.
func (rt *route) pathConflicts(body protoreflect.Message, pathParams map[string]string) *floorops.Error {
	var bad []floorops.FieldViolation
	for _, name := range rt.pathNames {
		got, ok := fieldValue(body, name)
		if !ok {
			continue
		}
		fromPath := newMessage(rt.in)
		if runtime.PopulateFieldFromPath(fromPath, name, pathParams[name]) != nil {
			continue // refused as a path parameter already
		}
		want, _ := fieldValue(fromPath.ProtoReflect(), name)
		if !got.Equal(want) {
			bad = append(bad, floorops.FieldViolation{Field: protoPath(rt.in, name), Description: fmt.Sprintf("is %q in the path; leave it out of the body or give the same value", pathParams[name])})
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return invalidFields(bad)
}

// fieldValue is the value of the field a dotted parameter name resolves
// to in m, and whether m sets it.
func fieldValue(m protoreflect.Message, name string) (protoreflect.Value, bool) {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		fd := m.Descriptor().Fields().ByTextName(p)
		if fd == nil {
			fd = m.Descriptor().Fields().ByJSONName(p)
		}
		if fd == nil || !m.Has(fd) {
			return protoreflect.Value{}, false
		}
		if i == len(parts)-1 {
			return m.Get(fd), true
		}
		m = m.Get(fd).Message()
	}
	return protoreflect.Value{}, false
}

// protoPath is the proto name path of a resolved parameter name.
func protoPath(md protoreflect.MessageDescriptor, name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		fd := md.Fields().ByTextName(p)
		if fd == nil {
			fd = md.Fields().ByJSONName(p)
		}
		parts[i] = string(fd.Name())
		md = fd.Message()
	}
	return strings.Join(parts, ".")
}

// check refuses bad path and query parameters of one call: every one that
// is not valid UTF-8, names no field of the request (or one the path or
// body carries), is given twice, or does not parse as its field's type.
func (rt *route) check(query url.Values, queryErr error, pathParams map[string]string) *floorops.Error {
	var bad []floorops.FieldViolation
	empty := utilities.NewDoubleArray(nil)
	inPath := map[string]bool{}
	for _, name := range rt.pathNames {
		inPath[name] = true
		v := pathParams[name]
		fd, _ := resolveField(rt.in, name)
		switch {
		case !utf8.ValidString(v):
			bad = append(bad, floorops.FieldViolation{Field: name, Description: "is not valid UTF-8 text"})
		case runtime.PopulateFieldFromPath(newMessage(rt.in), name, v) != nil:
			bad = append(bad, floorops.FieldViolation{Field: name, Description: describeField(fd)})
		}
	}
	if queryErr != nil {
		bad = append(bad, floorops.FieldViolation{Description: "the query string is not valid URL encoding"})
		return invalidFields(bad)
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, key := range keys {
		vals := query[key]
		name := strings.ToValidUTF8(key, "\uFFFD")
		fd, ok := resolveField(rt.in, key)
		if !ok || !utf8.ValidString(key) {
			bad = append(bad, floorops.FieldViolation{Field: name, Description: "is not a query parameter of this call"})
			continue
		}
		path := protoPath(rt.in, key)
		switch {
		case rt.body:
			bad = append(bad, floorops.FieldViolation{Field: path, Description: "is not a query parameter of this call: send it in the JSON body"})
		case inPath[path]:
			bad = append(bad, floorops.FieldViolation{Field: path, Description: "is given in the path; do not repeat it in the query"})
		case seen[path] || len(vals) > 1 && !fd.IsList():
			bad = append(bad, floorops.FieldViolation{Field: path, Description: "is given more than once"})
		case slices.ContainsFunc(vals, func(v string) bool { return !utf8.ValidString(v) }):
			bad = append(bad, floorops.FieldViolation{Field: path, Description: "is not valid UTF-8 text"})
		case runtime.PopulateQueryParameters(newMessage(rt.in), url.Values{key: vals}, empty) != nil:
			bad = append(bad, floorops.FieldViolation{Field: path, Description: describeField(fd)})
		}
		seen[path] = true
	}
	if len(bad) == 0 {
		return nil
	}
	return invalidFields(bad)
}
