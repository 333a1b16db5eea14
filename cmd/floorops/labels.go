package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/floorops/floorops/label"
	"github.com/floorops/floorops/scan"
)

// labelsGroup is "floorops labels": it renders location, license plate and
// item labels as PNG previews, ZPL for Zebra printers or PDF sheets for an
// office printer.
var labelsGroup = group{name: "labels", subs: []subcommand{
	{name: "locations", define: labelLocations,
		summary: "the node's location labels, or one zone's: a PDF sheet, one ZPL stream, or one PNG a location"},
	{name: "lpn", define: labelLPN,
		summary: "one license plate label: --code LPN000123 and/or --sscc of 18 digits"},
	{name: "item", define: labelItem,
		summary: "one item label: a GTIN, with lot and expiry as GS1 data when given"},
}}

func cmdLabels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return labelsGroup.run(ctx, args, stdout, stderr)
}

// labelLocations prints the location labels of the node, or of one zone, for
// relabelling a whole aisle or a new zone in one go.
func labelLocations(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	zone := fs.String("zone", "", "only locations in this `ZONE` (default all)")
	format := fs.String("format", "", "pdf (a sheet of 24 labels a page), zpl (one format per location, one stream) or png (default from --out's extension, else pdf)")
	paper := fs.String("paper", "a4", "pdf sheet size: a4 or letter")
	out := fs.String("out", "-", "output `FILE`, - for stdout; for png a DIRECTORY that gets one <code>.png per location (stdout only when the listing has one location)")
	return func(ctx context.Context, stdout, stderr io.Writer) error {
		f, err := outputFormat(*format, *out, stdout, label.FormatPDF, label.FormatPDF, label.FormatZPL, label.FormatPNG)
		if err != nil {
			return err
		}
		p := label.Paper(strings.ToLower(*paper))
		if p != label.A4 && p != label.Letter {
			return fmt.Errorf("%w: labels locations: --paper must be a4 or letter, got %q", errUsage, *paper)
		}
		locs, err := listLocationsForLabels(ctx, *dbPath, *zone)
		if err != nil {
			return err
		}
		if len(locs) == 0 {
			if *zone != "" {
				return fmt.Errorf("labels locations: no locations in zone %q", *zone)
			}
			return errors.New("labels locations: no locations in the database")
		}
		// Render every label into memory first: a location whose label cannot be
		// printed fails the command, naming every such location by code (as
		// label.LocationError), before any file or byte is written.
		if f != label.FormatPNG {
			var b bytes.Buffer
			var err error
			if f == label.FormatPDF {
				err = label.LocationSheetPDF(&b, p, locs)
			} else {
				err = label.Render(&b, label.FormatZPL, locs)
			}
			if err != nil {
				return fmt.Errorf("labels locations: %w", err)
			}
			return writeOutput(*out, stdout, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err })
		}
		if *out == "-" && len(locs) != 1 {
			return fmt.Errorf("%w: labels locations: %d locations make %d png files; give --out a directory", errUsage, len(locs), len(locs))
		}
		pngs := make([][]byte, len(locs))
		var errs []error
		for i, l := range locs {
			var b bytes.Buffer
			if err := label.LocationPNG(&b, l); err != nil {
				errs = append(errs, &label.LocationError{Code: l.Code, Err: err})
			}
			pngs[i] = b.Bytes()
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("labels locations: %w", err)
		}
		if *out == "-" {
			_, err := stdout.Write(pngs[0])
			return err
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		for i, l := range locs {
			// PathEscape turns the one path separator a code may hold, '/', into %2F.
			path := filepath.Join(*out, url.PathEscape(l.Code)+".png")
			if err := writeOutput(path, stdout, func(w io.Writer) error { _, err := w.Write(pngs[i]); return err }); err != nil {
				return err
			}
		}
		fmt.Fprintf(stderr, "wrote %d location labels to %s\n", len(locs), *out)
		return nil
	}
}

// labelLPN prints one license plate label.
func labelLPN(fs *flag.FlagSet) runFunc {
	var l label.LPN
	fs.StringVar(&l.Code, "code", "", "license plate `CODE`, e.g. LPN000123, which must scan as an LPN (Code 128; printed large beside an SSCC)")
	fs.StringVar(&l.SSCC, "sscc", "", "18-digit `SSCC` with check digit, printed as GS1-128 (00)")
	fs.IntVar(&l.CompanyPrefixLen, "prefix-len", 0, "length of the GS1 company prefix in the SSCC, to group its human-readable digits (optional)")
	format := fs.String("format", "", "png or zpl (default from --out's extension, else png)")
	out := fs.String("out", "-", "output `FILE`, - for stdout")
	return func(_ context.Context, stdout, _ io.Writer) error {
		// As the RPC does: the node stores and scans plates upper-cased.
		l.Code = scan.Code(l.Code)
		l.SSCC = strings.TrimSpace(l.SSCC)
		if l.Code == "" && l.SSCC == "" {
			return fmt.Errorf("%w: labels lpn: give --code or --sscc", errUsage)
		}
		var err error
		if l.Scanner, err = nodeParser(); err != nil { // read back as the node's handhelds will
			return err
		}
		f, err := outputFormat(*format, *out, stdout, label.FormatPNG, label.FormatPNG, label.FormatZPL)
		if err != nil {
			return err
		}
		return renderLabel(*out, stdout, f, l)
	}
}

// labelItem prints one item label.
func labelItem(fs *flag.FlagSet) runFunc {
	var it label.Item
	fs.StringVar(&it.GTIN, "gtin", "", "`GTIN`-8, -12, -13 or -14 with check digit (required)")
	fs.StringVar(&it.SKU, "sku", "", "`SKU` printed large")
	fs.StringVar(&it.Description, "desc", "", "product description")
	fs.StringVar(&it.Lot, "lot", "", "batch/lot `NUMBER`, GS1 AI (10), up to 20 characters")
	expiry := fs.String("expiry", "", "expiry `DATE` as YYYY-MM-DD, GS1 AI (17)")
	symbology := fs.String("symbology", "", "ean13, upca, gs1-128, datamatrix (GS1) or qr (GTIN only); default upca/ean13 for a GTIN-12/13, gs1-128 with lot or expiry")
	format := fs.String("format", "", "png or zpl (default from --out's extension, else png)")
	out := fs.String("out", "-", "output `FILE`, - for stdout")
	return func(_ context.Context, stdout, _ io.Writer) error {
		if it.GTIN == "" {
			return fmt.Errorf("%w: labels item: --gtin is required", errUsage)
		}
		if *expiry != "" {
			t, err := time.Parse(time.DateOnly, *expiry)
			if err != nil {
				return fmt.Errorf("%w: labels item: --expiry %q is not YYYY-MM-DD", errUsage, *expiry)
			}
			it.Expiry = t
		}
		it.Symbology = label.Symbology(strings.ToLower(*symbology))
		var err error
		if it.Scanner, err = nodeParser(); err != nil { // read back as the node's handhelds will
			return err
		}
		f, err := outputFormat(*format, *out, stdout, label.FormatPNG, label.FormatPNG, label.FormatZPL)
		if err != nil {
			return err
		}
		return renderLabel(*out, stdout, f, it)
	}
}

// renderLabel writes one LPN or item label; data the label package refuses
// came from the command line, so it is a usage error.
func renderLabel(out string, stdout io.Writer, f label.Format, v any) error {
	err := writeOutput(out, stdout, func(w io.Writer) error { return label.Render(w, f, v) })
	if errors.Is(err, label.ErrInvalid) {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	return err
}

// stdoutIsTerminal reports whether w is a terminal; tests replace it.
var stdoutIsTerminal = isTerminal

// outputFormat resolves --format: as given, else from the extension of
// --out, else def. It must be one of allowed, and PNG or PDF are not
// written to a terminal, which they would garble.
func outputFormat(flagValue, out string, stdout io.Writer, def label.Format, allowed ...label.Format) (label.Format, error) {
	f := label.Format(strings.ToLower(flagValue))
	if f == "" {
		f = def
		ext := label.Format(strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), "."))
		for _, a := range allowed {
			if ext == a {
				f = a
			}
		}
	}
	if !slices.Contains(allowed, f) {
		return "", fmt.Errorf("%w: --format %q: want one of %q", errUsage, flagValue, allowed)
	}
	if f != label.FormatZPL && (out == "-" || out == "") && stdoutIsTerminal(stdout) {
		return "", fmt.Errorf("%w: %s is binary and standard output is a terminal: give --out FILE or redirect (> file)", errUsage, f)
	}
	return f, nil
}

// writeOutput runs render into the file at path, or stdout for "-". A file
// that could not be written completely is removed rather than left half
// printed.
func writeOutput(path string, stdout io.Writer, render func(io.Writer) error) error {
	if path == "-" || path == "" {
		return render(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = render(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// printInput is where "floorops print -" reads ZPL; tests replace it.
var printInput io.Reader = os.Stdin

// cmdPrint is "floorops print": it sends a ZPL file raw to a Zebra printer's
// port 9100, for reprinting a label or printing a batch made by
// "floorops labels ... --format zpl".
func cmdPrint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("print", stderr)
	printer := fs.String("printer", env("PRINTER", ""), "printer address `HOST:PORT`; a bare host means port 9100 (env FLOOROPS_PRINTER)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up when the printer has not taken the job within this long")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: floorops print --printer HOST:9100 FILE.zpl|-")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *printer == "" {
		return fmt.Errorf("%w: print: --printer is required", errUsage)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: print: give one ZPL file, or - for stdin", errUsage)
	}
	var (
		zpl []byte
		err error
	)
	if name := fs.Arg(0); name == "-" {
		zpl, err = io.ReadAll(printInput)
	} else {
		zpl, err = os.ReadFile(name)
	}
	if err != nil {
		return fmt.Errorf("print: %w", err)
	}
	if !strings.Contains(string(zpl), "^XA") {
		return fmt.Errorf("%w: print: %s holds no ZPL label format (^XA ... ^XZ)", errUsage, fs.Arg(0))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := label.Print(ctx, *printer, zpl); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent %d bytes to %s\n", len(zpl), *printer)
	return nil
}
