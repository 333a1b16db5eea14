package label

import (
	"io"
	"strings"

	"github.com/floorops/floorops/scan"
)

// locationLabelHeight is a 4 x 2 inch rack label.
const locationLabelHeight = 2 * dotsPerInch

// LocationPNG writes a 4 x 2 inch location label as a PNG: the location code
// large, its two-digit check code in a black box beside it, the code as Code
// 128 across the middle, and zone and type underneath.
func LocationPNG(w io.Writer, l Location) error {
	lay, err := locationLayout(l)
	if err != nil {
		return err
	}
	return lay.writePNG(w)
}

// LocationZPL returns the location label as a ZPL format for a 203 dpi Zebra
// printer with 4 x 2 inch stock.
func LocationZPL(l Location) ([]byte, error) {
	lay, err := locationLayout(l)
	if err != nil {
		return nil, err
	}
	return lay.zpl(), nil
}

func locationLayout(l Location) (*layout, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	sym, err := newSymbol(symCode128, l.Code)
	if err != nil {
		return nil, err
	}
	sym.height = 150
	if err := sym.fit(stockWidth, minModule, 4); err != nil {
		return nil, err
	}
	lay := &layout{width: stockWidth, height: locationLabelHeight}

	// The check code: what an associate keys in when the barcode won't scan.
	const boxW, boxH = 180, 136
	boxX := stockWidth - margin - boxW
	lay.add(
		box{x: boxX, y: margin, w: boxW, h: boxH},
		text{x: boxX, y: margin + 8, size: 24, s: "CHECK", bold: true, center: true, width: boxW, reverse: true},
		text{x: boxX, y: margin + 36, size: 92, s: scan.CheckCode(l.Code), bold: true, center: true, width: boxW, reverse: true},
	)

	codeW := boxX - 2*margin
	if size := fitSize(l.Code, true, codeW, 104, 40); textWidth(l.Code, true, size) <= codeW {
		lay.add(text{x: margin, y: margin + (boxH-size)/2, size: size, s: l.Code, bold: true})
	} else {
		// A long code (the node's location format allows 26 characters)
		// goes on two lines beside the check code.
		first, second := splitCode(l.Code)
		const gap = 8
		size := min(fitSize(first, true, codeW, (boxH-gap)/2, 24), fitSize(second, true, codeW, (boxH-gap)/2, 24))
		if textWidth(first, true, size) > codeW || textWidth(second, true, size) > codeW {
			return nil, invalidf("location code %q is too long to print beside its check code", l.Code)
		}
		top := margin + (boxH-2*size-gap)/2
		lay.add(
			text{x: margin, y: top, size: size, s: first, bold: true},
			text{x: margin, y: top + size + gap, size: size, s: second, bold: true},
		)
	}

	lay.add(lay.centeredSymbol(sym, 176))

	var info []string
	if l.Zone != "" {
		info = append(info, "ZONE "+l.Zone)
	}
	if l.Type != "" {
		info = append(info, "TYPE "+l.Type)
	}
	if len(info) > 0 {
		s := truncate(strings.Join(info, "   "), true, 36, stockWidth-2*margin)
		lay.add(text{x: margin, y: 340, size: 36, s: s, bold: true})
	}
	return lay, nil
}

// splitCode breaks a code that is too long for one line into two, after the
// separator (a character that is neither letter nor digit, such as the
// dashes of A-01-02-B) that makes the longer line shortest, so each line
// keeps whole parts of the code. A code without a separator near its middle
// is cut in the middle.
func splitCode(code string) (string, string) {
	at, best := 0, len(code)
	for i := 0; i < len(code)-1; i++ {
		c := code[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			continue
		}
		if longer := max(i+1, len(code)-i-1); longer < best {
			at, best = i+1, longer
		}
	}
	if best > 2*len(code)/3 {
		at = (len(code) + 1) / 2
	}
	return code[:at], code[at:]
}
