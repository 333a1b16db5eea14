package floorops_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWorkflowsStayLean pins the dependency direction of DESIGN.md: the
// ledger core and the floor workflows (what every new workflow imports and
// copies) never pull in label rendering (PDF, barcodes, fonts) or the REST
// gateway runtime. Those belong to the API faces that only server and cmd
// import: inventory/inventoryapi and proto/gateway. Nor do they import
// auth or each other: who is calling reaches them as inventory.Actor, and
// one workflow starts another only through a hook server wires.
func TestWorkflowsStayLean(t *testing.T) {
	t.Parallel()
	heavy := []string{
		"codeberg.org/go-pdf/fpdf",
		"github.com/boombuler/barcode",
		"golang.org/x/image",
		"github.com/floorops/floorops/label",
		"github.com/grpc-ecosystem/grpc-gateway",
		"github.com/floorops/floorops/auth",
		"github.com/floorops/floorops/server",
	}
	workflows := []string{
		"github.com/floorops/floorops/receiving",
		"github.com/floorops/floorops/putaway",
		"github.com/floorops/floorops/picking",
		"github.com/floorops/floorops/cyclecount",
	}
	for _, pkg := range []string{"./inventory", "./receiving", "./putaway", "./picking", "./cyclecount", "./cyclecount/sim"} {
		t.Run(strings.TrimPrefix(pkg, "./"), func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command("go", "list", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			self := "github.com/floorops/floorops/" + strings.TrimPrefix(pkg, "./")
			for _, dep := range strings.Fields(string(out)) {
				for _, w := range workflows {
					if dep == w && !strings.HasPrefix(self, w) {
						t.Errorf("%s imports the workflow %s", pkg, dep)
					}
				}
				for _, h := range heavy {
					if dep == h || strings.HasPrefix(dep, h+"/") {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}
