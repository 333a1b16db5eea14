package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/floorops/floorops/scan"
)

// cmdScan is "floorops scan": it prints what each raw scanned string is, the
// way a handheld would see it, to diagnose labels and scanner settings (a
// scanner that drops GS, a wrong keyboard layout, a misprinted check digit).
// It processes every argument and fails if any of them is invalid.
func cmdScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("scan", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per scan")
	scanner := scannerFlags(fs)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: floorops scan [--json] [--fnc1 CHAR] [--eight-digit-upce] [--<code>-pattern REGEXP]... RAW...")
		fmt.Fprintln(w, "\nPrints what each raw scanned string is (GS1, GTIN, SSCC, location, LPN, PO, order, RMA, badge),")
		fmt.Fprintln(w, "read as the node reads it with the same scanner flags or FLOOROPS_* environment.")
		fmt.Fprintln(w, "Write GS as a real ASCII 29 or use --fnc1 with a stand-in character.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("%w: scan: no raw scans given", errUsage)
	}
	_, p, err := scanner()
	if err != nil {
		return err
	}

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	invalid := 0
	for _, raw := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, perr := p.Parse(raw)
		if perr != nil {
			invalid++
		}
		var werr error
		switch {
		case *asJSON && perr != nil:
			werr = enc.Encode(struct {
				Raw   string `json:"raw"`
				Error string `json:"error"`
			}{s.Raw, perr.Error()})
		case *asJSON:
			werr = enc.Encode(s.View())
		case perr != nil:
			_, werr = fmt.Fprintf(stderr, "%s: %v\n", strconv.Quote(s.Raw), perr)
		default:
			_, werr = fmt.Fprintln(stdout, describe(&s))
		}
		if werr != nil {
			return werr
		}
	}
	if invalid > 0 {
		return fmt.Errorf("%d of %d scans invalid", invalid, fs.NArg())
	}
	return nil
}

// describe renders a scan as one readable line: kind, quoted raw string,
// GS1 elements in human-readable form, then the decoded fields.
func describe(s *scan.Scan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %s", s.Kind, strconv.Quote(s.Raw))
	if s.Symbology != "" {
		fmt.Fprintf(&b, " symbology=%s", s.Symbology)
	}
	if els := s.Elements(); len(els) > 0 {
		b.WriteString(" ")
		for _, e := range els {
			fmt.Fprintf(&b, "(%s)%s", e.AI, e.Value)
		}
	}
	v := s.View()
	for _, f := range []struct{ name, value string }{
		{"code", v.Code}, {"gtin", v.GTIN}, {"sscc", v.SSCC}, {"lot", v.Lot}, {"serial", v.Serial},
		{"expiry", v.Expiry}, {"best_before", v.BestBefore},
		{"production_date", v.ProductionDate}, {"packaging_date", v.PackagingDate},
	} {
		if f.value != "" {
			fmt.Fprintf(&b, " %s=%s", f.name, f.value)
		}
	}
	if v.Count != nil {
		fmt.Fprintf(&b, " count=%d", *v.Count)
	}
	if v.NetWeightKg != nil {
		fmt.Fprintf(&b, " net_weight_kg=%s", strconv.FormatFloat(*v.NetWeightKg, 'f', -1, 64))
	}
	return b.String()
}
