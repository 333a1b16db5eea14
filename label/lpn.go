package label

import "io"

// lpnLabelHeight is a 4 x 3 inch pallet/tote label.
const lpnLabelHeight = 3 * dotsPerInch

// ssccBarHeight is the GS1 logistic label minimum bar height for an SSCC
// symbol, 31.75 mm, in dots.
const ssccBarHeight = 254

// LPNPNG writes a 4 x 3 inch license plate label as a PNG. A plate with an
// SSCC gets a GS1-128 symbol of (00) + SSCC and the GS1 human-readable line;
// a plain plate gets Code 128 of its code. The plate code, when set, is
// printed large for people reading the pallet from a distance.
func LPNPNG(w io.Writer, l LPN) error {
	lay, err := lpnLayout(l)
	if err != nil {
		return err
	}
	return lay.writePNG(w)
}

// LPNZPL returns the license plate label as a ZPL format for a 203 dpi Zebra
// printer with 4 x 3 inch stock.
func LPNZPL(l LPN) ([]byte, error) {
	lay, err := lpnLayout(l)
	if err != nil {
		return nil, err
	}
	return lay.zpl(), nil
}

// lpnContent is the symbol and human-readable line of a license plate label.
func lpnContent(l LPN) (*symbol, string, error) {
	if l.SSCC == "" {
		sym, err := newSymbol(symCode128, l.Code)
		return sym, l.Code, err
	}
	fields := []aiField{{"00", l.SSCC}}
	sym, err := newSymbol(symCode128, gs1Data(fields, fnc1Code128))
	return sym, ssccHRI(l.SSCC, l.CompanyPrefixLen), err
}

func lpnLayout(l LPN) (*layout, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	sym, hri, err := lpnContent(l)
	if err != nil {
		return nil, err
	}
	sym.height = ssccBarHeight
	// 4 dots (0.5 mm) is the GS1 minimum X for an SSCC on a logistic label.
	if err := sym.fit(stockWidth, minModule, 4); err != nil {
		return nil, err
	}
	lay := &layout{width: stockWidth, height: lpnLabelHeight}
	heading := "LICENSE PLATE"
	if l.SSCC != "" {
		heading = "SSCC - SERIAL SHIPPING CONTAINER CODE"
	}
	lay.add(text{x: margin, y: margin, size: 32, s: heading, bold: true})
	if l.Code != "" {
		size := fitSize(l.Code, true, stockWidth-2*margin, 112, 48)
		lay.add(text{x: margin, y: 72 + (112-size)/2, size: size, s: l.Code, bold: true})
	}
	barY := 212
	if l.Code == "" {
		barY = 96 // no plate code to show: keep the symbol near the top
	}
	lay.add(
		lay.centeredSymbol(sym, barY),
		text{x: 0, y: barY + ssccBarHeight + 20, size: 44, s: hri, bold: true, center: true, width: stockWidth},
	)
	return lay, nil
}
