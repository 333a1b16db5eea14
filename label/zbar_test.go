package label

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireTool returns the path of an external program the round-trip tests
// need (zbarimg, pdftoppm). Missing, it skips the test, except under CI=true
// where the tools must be installed and a skip would hide a broken label.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not on PATH; CI must install zbar-tools and poppler-utils", name)
	}
	t.Skipf("%s is not on PATH; install zbar-tools and poppler-utils to run decoder round trips", name)
	return ""
}

// scanned is one symbol as zbarimg reported it.
type scanned struct {
	Type string // zbar's symbology name: CODE-128, EAN-13, UPC-A, QR-Code
	Data string // decoded data; for GS1 symbols without the leading FNC1, separators as GS (0x1D)
	GS1  bool   // FNC1 was in first position (zbar's GS1 modifier)
}

// zbarFile decodes every symbol in an image file with zbarimg. It asks for
// XML so the GS1 modifier (FNC1 in first position, which the data itself
// drops) is visible, and enables UPC-A so a UPC-A symbol reads as its 12
// digits rather than as an EAN-13 with a leading zero (zbar's default).
func zbarFile(t *testing.T, path string) []scanned {
	t.Helper()
	zbarimg := requireTool(t, "zbarimg")
	cmd := exec.Command(zbarimg, "--nodbus", "--quiet", "--xml", "-Supca.enable", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 {
		return nil // zbarimg exits 4 when it finds no symbol
	}
	if err != nil {
		t.Fatalf("zbarimg %s: %v\n%s", path, err, stderr.String())
	}
	var doc struct {
		Symbols []struct {
			Type      string `xml:"type,attr"`
			Modifiers string `xml:"modifiers,attr"`
			Data      struct {
				Format string `xml:"format,attr"`
				Text   string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"source>index>symbol"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("parse zbarimg xml: %v\n%s", err, out)
	}
	var res []scanned
	for _, s := range doc.Symbols {
		data := s.Data.Text
		if s.Data.Format == "base64" {
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
			if err != nil {
				t.Fatalf("zbarimg base64 data %q: %v", data, err)
			}
			data = string(b)
		}
		res = append(res, scanned{Type: s.Type, Data: data, GS1: strings.Contains(s.Modifiers, "GS1")})
	}
	return res
}

// zbarPNG decodes the symbols in a PNG image.
func zbarPNG(t *testing.T, png []byte) []scanned {
	t.Helper()
	path := filepath.Join(t.TempDir(), "label.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return zbarFile(t, path)
}
