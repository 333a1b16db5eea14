package server_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"google.golang.org/grpc/codes"
)

// needTool skips when a program the test drives is missing on a
// developer's machine, and fails in CI (CI=true), where .ci/run installs it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed (Debian: zbar-tools / poppler-utils); skipping", name)
	}
	return path
}

func TestRenderLabelDecodes(t *testing.T) {
	t.Parallel()
	zbarimg := needTool(t, "zbarimg")
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	ctx := n.login(t, "B-ASSOC")

	resp, err := inv.RenderLabel(ctx, &inventoryv1.RenderLabelRequest{LocationCode: "b-03-07-c", Format: inventoryv1.LabelFormat_LABEL_FORMAT_PNG})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetContentType() != "image/png" {
		t.Fatalf("content type %q", resp.GetContentType())
	}
	png := filepath.Join(t.TempDir(), "loc.png")
	if err := os.WriteFile(png, resp.GetContent(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbarimg, "--raw", "-q", png).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "B-03-07-C" {
		t.Fatalf("zbarimg read %q, want B-03-07-C", got)
	}

	zpl, err := inv.RenderLabel(ctx, &inventoryv1.RenderLabelRequest{Zone: "A", Format: inventoryv1.LabelFormat_LABEL_FORMAT_ZPL})
	if err != nil {
		t.Fatal(err)
	}
	if c := bytes.Count(zpl.GetContent(), []byte("^XA")); c != 120 {
		t.Fatalf("zone A ZPL stream has %d formats, want 120", c)
	}

	for _, req := range []*inventoryv1.RenderLabelRequest{
		{},
		{LocationCode: "A-01-01-A", Sku: "SKU-0001"},
		{Zone: "A", Format: inventoryv1.LabelFormat_LABEL_FORMAT_PNG},
		{Sscc: "106141411234567890"},
	} {
		_, err := inv.RenderLabel(ctx, req)
		wantCode(t, err, codes.InvalidArgument)
	}
	_, err = inv.RenderLabel(ctx, &inventoryv1.RenderLabelRequest{LocationCode: "Q-99-99-Q"})
	wantCode(t, err, codes.NotFound)
}
