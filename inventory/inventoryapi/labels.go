package inventoryapi

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/label"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// LabelRequest names one thing to label; exactly one of LocationCode, Zone,
// LPNCode/SSCC or SKU is set.
type LabelRequest struct {
	Format       label.Format
	LocationCode string
	Zone         string
	LPNCode      string
	SSCC         string
	SKU          string
	Lot          string
	Expiry       string
	Symbology    string
}

// RenderedLabel is a label ready to print or show.
type RenderedLabel struct {
	Content     []byte
	ContentType string
}

var contentTypes = map[label.Format]string{
	label.FormatPNG: "image/png", label.FormatZPL: "application/zpl", label.FormatPDF: "application/pdf",
}

// RenderLabel renders a location, zone sheet, license plate or item label
// from the records in the node's database, so what is printed matches what
// is scanned.
// p reads labels back the way the node's scanners read them.
func RenderLabel(ctx context.Context, db *store.DB, p *scan.Parser, r LabelRequest) (RenderedLabel, error) {
	if r.Format == "" {
		r.Format = label.FormatPNG
	}
	for _, f := range []*string{&r.LocationCode, &r.Zone, &r.LPNCode, &r.SSCC, &r.SKU, &r.Lot, &r.Expiry, &r.Symbology} {
		*f = strings.TrimSpace(*f)
	}
	set := 0
	for _, v := range []string{r.LocationCode, r.Zone, r.LPNCode + r.SSCC, r.SKU} {
		if strings.TrimSpace(v) != "" {
			set++
		}
	}
	if set != 1 {
		return RenderedLabel{}, floorops.Invalid("location_code", "set exactly one of location_code, zone, lpn_code/sscc or sku")
	}
	q := db.Reader()
	var subject any
	field := "location_code" // what a label the renderer refuses is about
	switch {
	case r.LocationCode != "":
		l, err := inventory.LocationByCode(ctx, q, scan.Code(r.LocationCode))
		if err != nil {
			return RenderedLabel{}, err
		}
		subject = label.Location{Code: l.Code, Zone: l.Zone, Type: string(l.Type)}
	case r.Zone != "":
		locs, err := LocationLabels(ctx, db, p, r.Zone)
		if err != nil {
			return RenderedLabel{}, err
		}
		if r.Format == label.FormatPNG {
			return RenderedLabel{}, floorops.Invalid("format", "a zone is a PDF sheet or a ZPL stream, not one PNG")
		}
		subject, field = locs, "zone"
	case r.SKU != "":
		it, err := inventory.ItemBySKU(ctx, q, scan.Code(r.SKU))
		if err != nil {
			return RenderedLabel{}, err
		}
		if len(it.GTINs) == 0 {
			return RenderedLabel{}, floorops.Errorf(floorops.EPRECONDITION, "item %s has no GTIN to print", it.SKU)
		}
		li := label.Item{SKU: it.SKU, Description: it.Description, GTIN: it.GTINs[0].GTIN, Lot: r.Lot, Symbology: label.Symbology(r.Symbology), Scanner: p}
		if r.Expiry != "" {
			exp, err := time.Parse(time.DateOnly, r.Expiry)
			if err != nil {
				return RenderedLabel{}, floorops.Invalid("expiry", "must be a date like 2027-03-31")
			}
			li.Expiry = exp
		}
		subject, field = li, "sku"
	default:
		subject, field = label.LPN{Code: scan.Code(r.LPNCode), SSCC: strings.TrimSpace(r.SSCC), Scanner: p}, "lpn_code"
		if r.SSCC != "" {
			field = "sscc"
		}
	}
	switch subject.(type) {
	case label.Location, []label.Location:
	default:
		if r.Format == label.FormatPDF {
			field = "format" // PDF sheets hold location labels; the LPN or item is fine
		}
	}
	var buf bytes.Buffer
	if err := label.Render(&buf, r.Format, subject); err != nil {
		if errors.Is(err, label.ErrInvalid) {
			return RenderedLabel{}, floorops.Invalid(field, "%v", err)
		}
		return RenderedLabel{}, err
	}
	return RenderedLabel{Content: buf.Bytes(), ContentType: contentTypes[r.Format]}, nil
}

// LocationLabels returns the labels of every location, or of one zone, in
// walk order: what a lead prints to label a new aisle.
func LocationLabels(ctx context.Context, db *store.DB, p *scan.Parser, zone string) ([]label.Location, error) {
	inv := inventory.NewService(db, p)
	var out []label.Location
	token := ""
	for {
		locs, next, err := inv.ListLocations(ctx, zone, store.MaxPageSize, token)
		if err != nil {
			return nil, err
		}
		for _, l := range locs {
			out = append(out, label.Location{Code: l.Code, Zone: l.Zone, Type: string(l.Type)})
		}
		if next == "" {
			break
		}
		token = next
	}
	if len(out) == 0 && zone != "" {
		return nil, floorops.Errorf(floorops.ENOTFOUND, "zone %s has no locations", strings.ToUpper(zone))
	}
	if len(out) == 0 {
		return nil, floorops.Errorf(floorops.ENOTFOUND, "the node has no locations; import some with floorops import locations")
	}
	return out, nil
}
