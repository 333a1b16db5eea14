package scan_test

import (
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/floorops/floorops/scan"
)

// TestDecoderRoundTrips prints symbols with gozxing's writers, reads them
// back with real decoders — gozxing (ZXing's Go port), with and without its
// ASSUME_GS1 hint, its symbology identifier prefixed as a scanner with AIM
// IDs on would; and zbarimg, raw and with its type name — and checks that
// Parse makes the same thing of every decoder's output, or refuses it for
// the documented reason.
func TestDecoderRoundTrips(t *testing.T) {
	t.Parallel()
	const lotLabel = "01" + "09506000134352" + "10" + "ABC123"
	tests := []struct {
		name   string
		format gozxing.BarcodeFormat
		writer gozxing.Writer
		reader gozxing.Reader
		data   string
		width  int // of the image; 0 is 400 pixels, enough for the short symbols
		gtin   string
		lot    string
		expiry string
		// refused is the Reason for a decoder output that loses data
		// (ZXing's Code 128 without ASSUME_GS1 drops every FNC1), with
		// Config.GSMayBeDropped; by default they read with a warning.
		refused map[string]scan.Reason
	}{
		{name: "EAN-13", format: gozxing.BarcodeFormat_EAN_13, writer: oned.NewEAN13Writer(), reader: oned.NewEAN13Reader(),
			data: "4006381333931", gtin: "04006381333931"},
		{name: "UPC-A", format: gozxing.BarcodeFormat_UPC_A, writer: oned.NewUPCAWriter(), reader: oned.NewUPCAReader(),
			data: "036000291452", gtin: "00036000291452"},
		{name: "UPC-E", format: gozxing.BarcodeFormat_UPC_E, writer: oned.NewUPCEWriter(), reader: oned.NewUPCEReader(),
			data: "04252614", gtin: "00042100005264",
			// zbarimg --raw -Supce.enable prints the bare 8 digits, which
			// read as a (bad) EAN-8 unless EightDigitUPCE is set.
			refused: map[string]scan.Reason{"zbarimg raw upce": scan.ReasonCheckDigit}},
		{name: "EAN-8", format: gozxing.BarcodeFormat_EAN_8, writer: oned.NewEAN8Writer(), reader: oned.NewEAN8Reader(),
			data: "95012346", gtin: "00000095012346"},
		{name: "ITF-14", format: gozxing.BarcodeFormat_ITF, writer: oned.NewITFWriter(), reader: oned.NewITFReader(),
			data: "09506000134352", gtin: "09506000134352"},
		{name: "GS1-128, lot last", format: gozxing.BarcodeFormat_CODE_128, writer: oned.NewCode128Writer(), reader: oned.NewCode128Reader(),
			data: "\u00f1" + "0109506000134352" + "17261231" + "10ABC123", width: 600,
			gtin: "09506000134352", lot: "ABC123", expiry: "2026-12-31"},
		{name: "GS1-128, lot before expiry", format: gozxing.BarcodeFormat_CODE_128, writer: oned.NewCode128Writer(), reader: oned.NewCode128Reader(),
			data: "\u00f1" + lotLabel + "\u00f1" + "17261231", width: 600,
			gtin: "09506000134352", lot: "ABC123", expiry: "2026-12-31",
			refused: map[string]scan.Reason{"gozxing": scan.ReasonAmbiguous}},
		{name: "GS1 QR, lot before expiry", format: gozxing.BarcodeFormat_QR_CODE, writer: qrcode.NewQRCodeWriter(), reader: qrcode.NewQRCodeReader(),
			data: lotLabel + gsc + "17261231",
			gtin: "09506000134352", lot: "ABC123", expiry: "2026-12-31"},
	}
	p := mustParser(t, scan.Config{})
	pDrop := mustParser(t, scan.Config{GSMayBeDropped: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hints map[gozxing.EncodeHintType]any
			if tt.format == gozxing.BarcodeFormat_QR_CODE {
				hints = map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_GS1_FORMAT: true}
			}
			width := tt.width
			if width == 0 {
				width = 400
			}
			img, err := tt.writer.Encode(tt.data, tt.format, width, 150, hints)
			if err != nil {
				t.Fatal(err)
			}
			outputs := gozxingOutputs(t, img, tt.reader)
			for k, v := range zbarOutputs(t, img) {
				outputs[k] = v
			}
			for decoder, raw := range outputs {
				s, err := p.Parse(raw)
				if want, ok := tt.refused[decoder]; ok && want == scan.ReasonAmbiguous {
					// By default, as GS1's reference, read as encoded with a
					// warning; refused where the node says GS may be dropped.
					if err != nil || len(s.Warnings()) == 0 {
						t.Errorf("%s sent %q: Parse = %+v, %v; want read with a warning", decoder, raw, s.View(), err)
					}
					s, err := pDrop.Parse(raw)
					var se *scan.Error
					if !errors.As(err, &se) || se.Reason != want {
						t.Errorf("%s sent %q: GSMayBeDropped Parse = %+v, %v; want refused as %v", decoder, raw, s.View(), err, want)
					}
					continue
				} else if ok {
					var se *scan.Error
					if !errors.As(err, &se) || se.Reason != want {
						t.Errorf("%s sent %q: Parse = %+v, %v; want refused as %v", decoder, raw, s.View(), err, want)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s sent %q: %v", decoder, raw, err)
					continue
				}
				if s.GTIN != tt.gtin || s.Lot != tt.lot || s.Expiry.String() != tt.expiry {
					t.Errorf("%s sent %q: GTIN %q lot %q expiry %q; want %q %q %q",
						decoder, raw, s.GTIN, s.Lot, s.Expiry, tt.gtin, tt.lot, tt.expiry)
				}
			}
		})
	}
}

// gozxingOutputs decodes img with reader as an application would pass it on:
// the symbology identifier from the result's metadata, then the text
// (ASSUME_GS1 already puts "]C1" in the text of GS1-128).
func gozxingOutputs(t *testing.T, img image.Image, reader gozxing.Reader) map[string]string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, hints := range map[string]map[gozxing.DecodeHintType]any{
		"gozxing":            nil,
		"gozxing assume-gs1": {gozxing.DecodeHintType_ASSUME_GS1: true},
	} {
		res, err := reader.Decode(bmp, hints)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		id, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string)
		text := res.GetText()
		if strings.HasPrefix(text, "]") {
			id = "" // the decoder already put it in the text
		}
		out[name] = id + text + "\r\n" // the wedge's Enter
	}
	return out
}

// zbarOutputs decodes img with zbarimg: raw, with its type name, and with
// UPC-A and UPC-E enabled (zbar otherwise reports both as EAN-13).
func zbarOutputs(t *testing.T, img image.Image) map[string]string {
	t.Helper()
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg is not on PATH; CI installs zbar-tools")
		}
		t.Log("zbarimg is not on PATH: only gozxing decodes")
		return nil
	}
	path := filepath.Join(t.TempDir(), "symbol.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, args := range map[string][]string{
		"zbarimg raw":      {"--raw"},
		"zbarimg":          nil,
		"zbarimg raw upce": {"--raw", "-Supca.enable", "-Supce.enable"},
	} {
		b, err := exec.Command(zbarimg, append([]string{"--nodbus", "--quiet"}, append(args, path)...)...).Output()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = string(b)
	}
	return out
}
