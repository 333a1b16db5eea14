package label

import (
	"io"
	"strings"
	"time"
)

// itemLabelHeight is a 4 x 2 inch product label.
const itemLabelHeight = 2 * dotsPerInch

// ItemPNG writes a 4 x 2 inch item label as a PNG: SKU large, description,
// the product barcode with its human-readable line, and lot and expiry.
func ItemPNG(w io.Writer, it Item) error {
	lay, err := itemLayout(it)
	if err != nil {
		return err
	}
	return lay.writePNG(w)
}

// ItemZPL returns the item label as a ZPL format for a 203 dpi Zebra printer
// with 4 x 2 inch stock.
func ItemZPL(it Item) ([]byte, error) {
	lay, err := itemLayout(it)
	if err != nil {
		return nil, err
	}
	return lay.zpl(), nil
}

// symbology resolves an empty Symbology to the symbol a scanner at the dock
// expects for this item.
func (it Item) symbology() Symbology {
	switch {
	case it.Symbology != "":
		return it.Symbology
	case it.Lot != "" || !it.Expiry.IsZero():
		return GS1128
	case len(it.GTIN) == 12:
		return UPCA
	case len(it.GTIN) == 13:
		return EAN13
	}
	return GS1128
}

// itemContent is the item's symbol and its human-readable lines. now is the
// date the label is printed (for the century of a GS1 expiry date). Every
// symbol, and every human-readable line that an associate may type instead,
// is read back with the node's scanner before it is printed.
func itemContent(it Item, now time.Time) (*symbol, []string, error) {
	extra := it.Lot != "" || !it.Expiry.IsZero()
	g := gtin14(it.GTIN)
	var (
		sym   *symbol
		hri   []string
		typed string // what an associate types from the human-readable text
		err   error
	)
	switch s := it.symbology(); s {
	case EAN13, UPCA:
		if extra {
			return nil, nil, invalidf("%s carries only the GTIN; use gs1-128 or datamatrix for lot and expiry", s)
		}
		if len(it.GTIN) == 8 {
			return nil, nil, invalidf("a GTIN-8 is printed as EAN-8, not %s; use gs1-128", s)
		}
		var d string
		if s == EAN13 {
			if g[0] != '0' {
				return nil, nil, invalidf("GTIN-14 %s does not fit EAN-13; use gs1-128", it.GTIN)
			}
			d = g[1:]
			sym, err = newSymbol(symEAN13, d)
			hri = []string{d[:1] + " " + d[1:7] + " " + d[7:]}
		} else {
			if g[:2] != "00" {
				return nil, nil, invalidf("GTIN %s does not fit UPC-A (needs a GTIN-12); use ean13 or gs1-128", it.GTIN)
			}
			d = g[2:]
			sym, err = newSymbol(symUPCA, d)
			hri = []string{d[:1] + " " + d[1:6] + " " + d[6:11] + " " + d[11:]}
		}
		if rerr := it.readsBack("]E0" + d); rerr != nil {
			return nil, nil, invalidf("the node's scanner would not read this %s label back: %v", s, rerr)
		}
		typed = hri[0]
	case GS1128, DataMatrix:
		kind, fnc1, aimID := symCode128, fnc1Code128, "]C1"
		if s == DataMatrix {
			kind, fnc1, aimID = symDataMatrix, fnc1DataMatrix, "]d2"
		}
		fields, ferr := itemElements(it, s, aimID, now)
		if ferr != nil {
			return nil, nil, ferr
		}
		sym, err = newSymbol(kind, gs1Data(fields, fnc1))
		if s == GS1128 {
			hri = []string{gs1HRI(fields)}
		} else {
			// One element a line beside the square; typed one after the
			// other they are the whole human-readable string.
			for _, f := range fields {
				hri = append(hri, gs1HRI([]aiField{f}))
			}
		}
		typed = strings.Join(hri, "")
	case QR:
		if extra {
			return nil, nil, invalidf("GS1 QR (lot, expiry) is not supported: the QR encoder cannot emit FNC1 mode; use datamatrix or gs1-128")
		}
		if rerr := it.readsBack("]Q1" + it.GTIN); rerr != nil {
			return nil, nil, invalidf("the node's scanner would not read this qr label back: %v", rerr)
		}
		sym, err = newSymbol(symQR, it.GTIN)
		hri = []string{gs1HRI([]aiField{{"01", g}})}
		typed = hri[0]
	}
	if err != nil {
		return nil, nil, err
	}
	if rerr := it.readsBack(typed); rerr != nil {
		return nil, nil, invalidf("the label's human-readable text %q would not scan back as the item when typed: %v", typed, rerr)
	}
	return sym, hri, nil
}

func itemLayout(it Item) (*layout, error) {
	if err := it.validate(); err != nil {
		return nil, err
	}
	sym, hri, err := itemContent(it, time.Now())
	if err != nil {
		return nil, err
	}
	lay := &layout{width: stockWidth, height: itemLabelHeight}
	var extra []string
	if it.Lot != "" {
		extra = append(extra, "LOT "+it.Lot)
	}
	if !it.Expiry.IsZero() {
		extra = append(extra, "EXP "+expiryText(it.Expiry))
	}
	if sym.linear() {
		return lay, itemLinear(lay, it, sym, hri, extra)
	}
	return lay, itemMatrix(lay, it, sym, hri, extra)
}

// itemHeader adds SKU and description in a column of the given width.
func itemHeader(lay *layout, it Item, x, width int) {
	if it.SKU != "" {
		size := fitSize(it.SKU, true, width, 56, 28)
		lay.add(text{x: x, y: 20, size: size, s: it.SKU, bold: true})
	}
	if d := truncate(it.Description, false, 28, width); d != "" {
		lay.add(text{x: x, y: 84, size: 28, s: d})
	}
}

// itemLinear lays out a label around a linear symbol (EAN/UPC, GS1-128).
func itemLinear(lay *layout, it Item, sym *symbol, hri, extra []string) error {
	const barY, barH = 124, 160
	sym.height = barH
	if err := sym.fit(stockWidth, minModule, 4); err != nil {
		return err
	}
	itemHeader(lay, it, margin, stockWidth-2*margin)
	size := fitSize(hri[0], true, stockWidth-2*margin, 30, 18)
	if textWidth(hri[0], true, size) > stockWidth-2*margin {
		return invalidf("human-readable line %q does not fit the label", hri[0])
	}
	lay.add(
		lay.centeredSymbol(sym, barY),
		text{y: barY + barH + 8, size: size, s: hri[0], bold: true, center: true, width: stockWidth},
	)
	if len(extra) > 0 {
		line := strings.Join(extra, "    ")
		lay.add(text{x: margin, y: 340, size: fitSize(line, true, stockWidth-2*margin, 32, 20), s: line, bold: true})
	}
	return nil
}

// itemMatrix lays out a label with a 2D symbol on the left and text beside it.
func itemMatrix(lay *layout, it Item, sym *symbol, hri, extra []string) error {
	mw, _ := sym.modules()
	sym.module = min(10, 280/mw) // at most 35 mm square
	if sym.module < 3 {
		return invalidf("item data too long for a 2D symbol on this label")
	}
	w, h := sym.size()
	x := margin + sym.quietModules()*sym.module
	lay.add(symbolAt{x: x, y: (lay.height - h) / 2, sym: sym})
	col := x + w + 40
	width := stockWidth - margin - col
	itemHeader(lay, it, col, width)
	y := 136
	for _, line := range hri {
		// Shrunk to fit, never cut: an associate types it when the symbol
		// will not scan.
		size := fitSize(line, true, width, 30, 18)
		if textWidth(line, true, size) > width {
			return invalidf("human-readable line %q does not fit beside the symbol", line)
		}
		lay.add(text{x: col, y: y, size: size, s: line, bold: true})
		y += 42
	}
	for _, line := range extra {
		size := fitSize(line, true, width, 30, 18)
		lay.add(text{x: col, y: y, size: size, s: truncate(line, true, size, width), bold: true})
		y += 42
	}
	return nil
}
