package server_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops/store"
)

var updateStoredForms = flag.Bool("update", false, "rewrite testdata/stored_forms.golden from the idempotent methods the tests ran")

// storedFormsGolden pins the JSON form of every idempotent request and
// response, as store keeps them beside a request id. A handheld retrying
// across an upgrade must get the answer it was first given: if a field of a
// stored type is renamed, an old stored response decodes into the new type
// with that field empty, and an old request no longer hashes the same.
const storedFormsGolden = "testdata/stored_forms.golden"

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 {
		if err := checkStoredForms(*updateStoredForms); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// checkStoredForms checks that every JSON field path the golden file lists
// for a method this run exercised is still there with the same kind. A new
// field is harmless (an old stored response leaves it empty) and passes; a
// renamed, removed or retyped one fails. A run of some tests only (-run)
// checks the methods it saw.
func checkStoredForms(update bool) error {
	golden := map[string]map[string]bool{} // method -> "side.path:kind"
	b, err := os.ReadFile(storedFormsGolden)
	if err != nil && !update {
		return fmt.Errorf("stored forms: %v (run go test ./server -update to write it)", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if method, path, ok := strings.Cut(line, " "); ok {
			if golden[method] == nil {
				golden[method] = map[string]bool{}
			}
			golden[method][path] = true
		}
	}
	var lost []string
	for method, f := range store.StoredForms() {
		now := map[string]bool{}
		fieldPaths(now, "request", f.Request, nil)
		fieldPaths(now, "response", f.Response, nil)
		for path := range golden[method] {
			if !now[path] {
				lost = append(lost, method+" "+path)
			}
		}
		if update {
			golden[method] = now
		}
	}
	sort.Strings(lost)
	if !update {
		if len(lost) > 0 {
			return fmt.Errorf("stored forms changed; a retry of a request stored before the change would be answered differently:\n  %s\n"+
				"keep the old JSON name (a json tag), or decode the older form too (an UnmarshalJSON, with a test), then run go test ./server -update", strings.Join(lost, "\n  "))
		}
		return nil
	}
	var lines []string
	for method, paths := range golden {
		for p := range paths {
			lines = append(lines, method+" "+p)
		}
	}
	sort.Strings(lines)
	if err := os.MkdirAll(filepath.Dir(storedFormsGolden), 0o755); err != nil {
		return err
	}
	return os.WriteFile(storedFormsGolden, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

var timeType = reflect.TypeFor[time.Time]()

// fieldPaths adds the JSON field paths encoding/json gives values of t,
// each with its kind ("response.lines[].sku:string").
func fieldPaths(out map[string]bool, path string, t reflect.Type, seen []reflect.Type) {
	if t == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kind := t.Kind().String()
	switch {
	case t == timeType:
		kind = "time"
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() == reflect.Uint8:
		kind = "bytes"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		out[path+":list"] = true
		fieldPaths(out, path+"[]", t.Elem(), seen)
		return
	case t.Kind() == reflect.Map:
		out[path+":map"] = true
		fieldPaths(out, path+"{}", t.Elem(), seen)
		return
	case t.Kind() == reflect.Struct:
		if slices.Contains(seen, t) {
			return
		}
		out[path+":object"] = true
		for _, f := range reflect.VisibleFields(t) {
			if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" && opts == "" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fieldPaths(out, path+"."+name, f.Type, append(seen, t))
		}
		return
	}
	out[path+":"+kind] = true
}
