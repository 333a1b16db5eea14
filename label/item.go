package label

import (
	"io"
	"strings"
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

// itemContent is the item's symbol and its human-readable lines.
func itemContent(it Item) (*symbol, []string, error) {
	extra := it.Lot != "" || !it.Expiry.IsZero()
	g := gtin14(it.GTIN)
	fields := itemFields(it)
	var (
		sym *symbol
		hri []string
		err error
	)
	switch s := it.symbology(); s {
	case EAN13, UPCA:
		if extra {
			return nil, nil, invalidf("%s carries only the GTIN; use gs1-128 or datamatrix for lot and expiry", s)
		}
		if len(it.GTIN) == 8 {
			return nil, nil, invalidf("a GTIN-8 is printed as EAN-8, not %s; use gs1-128", s)
		}
		if s == EAN13 {
			if g[0] != '0' {
				return nil, nil, invalidf("GTIN-14 %s does not fit EAN-13; use gs1-128", it.GTIN)
			}
			d := g[1:]
			sym, err = newSymbol(symEAN13, d)
			hri = []string{d[:1] + " " + d[1:7] + " " + d[7:]}
		} else {
			if g[:2] != "00" {
				return nil, nil, invalidf("GTIN %s does not fit UPC-A (needs a GTIN-12); use ean13 or gs1-128", it.GTIN)
			}
			d := g[2:]
			sym, err = newSymbol(symUPCA, d)
			hri = []string{d[:1] + " " + d[1:6] + " " + d[6:11] + " " + d[11:]}
		}
	case GS1128:
		sym, err = newSymbol(symCode128, gs1Data(fields, fnc1Code128))
		hri = []string{gs1HRI(fields)}
	case DataMatrix:
		sym, err = newSymbol(symDataMatrix, gs1Data(fields, fnc1DataMatrix))
		for _, f := range fields {
			hri = append(hri, gs1HRI([]aiField{f}))
		}
	case QR:
		if extra {
			return nil, nil, invalidf("GS1 QR (lot, expiry) is not supported: the QR encoder cannot emit FNC1 mode; use datamatrix or gs1-128")
		}
		sym, err = newSymbol(symQR, it.GTIN)
		hri = []string{"GTIN " + it.GTIN}
	}
	return sym, hri, err
}

func itemLayout(it Item) (*layout, error) {
	if err := it.validate(); err != nil {
		return nil, err
	}
	sym, hri, err := itemContent(it)
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
	for _, line := range append(hri, extra...) {
		lay.add(text{x: col, y: y, size: 30, s: truncate(line, true, 30, width), bold: true})
		y += 42
	}
	return nil
}
