package main

import (
	"context"
	"encoding/json"
	"errors"
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
			out := scanError{Raw: s.Raw, Error: perr.Error()}
			if se, ok := errors.AsType[*scan.Error](perr); ok {
				out.Reason, out.AI, out.Rule, out.OtherAI = se.Reason.String(), se.AI, se.Rule, se.Other
			}
			werr = enc.Encode(out)
		case *asJSON:
			werr = enc.Encode(struct {
				scan.View
				Warnings []string `json:"warnings,omitempty"`
			}{s.View(), s.Warnings()})
		case perr != nil:
			_, werr = fmt.Fprintf(stderr, "%s: %v%s\n", strconv.Quote(s.Raw), perr, ruleNote(perr))
		default:
			_, werr = fmt.Fprintln(stdout, describe(&s))
			for _, w := range s.Warnings() {
				if werr == nil {
					_, werr = fmt.Fprintf(stderr, "%s: warning: %s\n", strconv.Quote(s.Raw), w)
				}
			}
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

// scanError is a refused scan in --json output: the message, and the
// parser's reason, AI and the GS1 Barcode Syntax Dictionary rule that
// refused it (a component "N6", a linter "iso3166", "req=01,02", "ex=01,03",
// a Digital Link "dlpkey=22,10,21|235"), with the other AI of a pairing rule.
type scanError struct {
	Raw     string `json:"raw"`
	Error   string `json:"error"`
	Reason  string `json:"reason,omitempty"`
	AI      string `json:"ai,omitempty"`
	Rule    string `json:"rule,omitempty"`
	OtherAI string `json:"other_ai,omitempty"`
}

// ruleNote names the dictionary rule that refused a scan, for the text output.
func ruleNote(err error) string {
	se, ok := errors.AsType[*scan.Error](err)
	if !ok || se.Rule == "" {
		return ""
	}
	return " [" + se.Reason.String() + ", GS1 Barcode Syntax Dictionary rule " + se.Rule + "]"
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
