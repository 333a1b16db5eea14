package proto

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestGeneratorsMatchRuntime: the protoc plugins buf runs must be the
// versions of the runtime libraries in go.mod, or generated code and the
// runtime drift apart.
func TestGeneratorsMatchRuntime(t *testing.T) {
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile("../buf.gen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for module, plugin := range map[string]string{
		"google.golang.org/protobuf":                "google.golang.org/protobuf/cmd/protoc-gen-go@",
		"github.com/grpc-ecosystem/grpc-gateway/v2": "github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@",
	} {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindSubmatch(gomod)
		if m == nil {
			t.Fatalf("go.mod does not require %s", module)
		}
		if want := plugin + string(m[1]); !strings.Contains(string(gen), want) {
			t.Errorf("buf.gen.yaml must run %s (go.mod has %s %s)", want, module, m[1])
		}
	}
}
