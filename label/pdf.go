package label

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/floorops/floorops/scan"
)

// Paper is the sheet size of a PDF of location labels.
type Paper string

const (
	// A4 is 210 x 297 mm paper.
	A4 Paper = "a4"
	// Letter is US Letter, 8.5 x 11 inch paper.
	Letter Paper = "letter"
)

// Sheet grid: 3 columns by 8 rows of labels, 24 to a page.
const (
	sheetCols = 3
	sheetRows = 8
	cellPad   = 3.0  // mm of clear space inside each label
	maxX      = 0.38 // mm: the widest module we print on a sheet
	// minX is the narrowest module we print on a sheet: narrower bars do
	// not survive an office laser printer reliably (TestLocationSheetScans
	// reads sheets rastered at 200 dpi, where a narrower module is under
	// 1.46 pixels). The longest code of the node's location format, 26
	// characters all in Code 128 subset B, gets 0.187 mm on a 3-across A4
	// sheet.
	minX = 0.185
)

// LocationSheetPDF writes location labels to a PDF, 24 to a page (3 across,
// 8 down), paging as needed, so a whole aisle can be printed on adhesive
// label sheets. Each label has the code, its check code in a black box, the
// Code 128 barcode (embedded as a PNG) and the zone and type. An empty paper
// means A4. Every label is checked before the sheet is drawn: when some
// cannot be printed, the error names each of them by code (all ErrInvalid)
// and nothing is written to w.
func LocationSheetPDF(w io.Writer, paper Paper, ls []Location) error {
	if len(ls) == 0 {
		return invalidf("no locations to print")
	}
	var pageW, pageH, marginX, marginY float64
	var size string
	switch paper {
	case A4, "":
		size, pageW, pageH, marginX, marginY = "A4", 210, 297, 6, 10.5
	case Letter:
		size, pageW, pageH, marginX, marginY = "Letter", 215.9, 279.4, 6, 8
	default:
		return invalidf("unknown paper %q (want a4 or letter)", paper)
	}
	cellW := (pageW - 2*marginX) / sheetCols
	cellH := (pageH - 2*marginY) / sheetRows

	pdf := fpdf.New("P", "mm", size, "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("floorops", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // core fonts are cp1252

	// Check every label before drawing any, and report every location that
	// cannot be printed, by its code.
	syms := make([]*symbol, len(ls))
	var errs []error
	for i, l := range ls {
		sym, err := sheetSymbol(l, cellW)
		if err != nil {
			errs = append(errs, locationErr(l, err))
		}
		syms[i] = sym
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, l := range ls {
		n := i % (sheetCols * sheetRows)
		if n == 0 {
			pdf.AddPage()
		}
		x := marginX + float64(n%sheetCols)*cellW
		y := marginY + float64(n/sheetCols)*cellH
		if err := sheetLabel(pdf, tr, fmt.Sprintf("loc%d", i), l, syms[i], x, y, cellW, cellH); err != nil {
			return locationErr(l, err)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write location sheet: %w", err)
	}
	return nil
}

// sheetModule is the module width (mm) of sym on a sheet label w mm wide:
// the widest up to maxX at which the bars fit inside the label's padding and
// bars and quiet zones fit the label (quiet zones may run into the padding:
// both are blank paper, as on thermal labels, see symbol.fit); 0 when even
// minX does not fit.
func sheetModule(sym *symbol, w float64) float64 {
	mw, _ := sym.modules()
	x := min(maxX, (w-2*cellPad)/float64(mw), w/float64(mw+2*sym.quietModules()))
	if x < minX {
		return 0
	}
	return x
}

// sheetSymbol validates a location for a sheet label w mm wide and returns
// its barcode.
func sheetSymbol(l Location, w float64) (*symbol, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	sym, err := newSymbol(symCode128, l.Code)
	if err != nil {
		return nil, err
	}
	if sheetModule(sym, w) == 0 {
		return nil, invalidf("code %q is too long for a %.0f mm sheet label", l.Code, w)
	}
	return sym, nil
}

// sheetLabel draws one location label, with its barcode sym, in the cell at
// x, y (mm).
func sheetLabel(pdf *fpdf.Fpdf, tr func(string) string, name string, l Location, sym *symbol, x, y, w, h float64) error {
	const boxW, boxH = 15.0, 11.0
	boxX := x + w - cellPad - boxW
	pdf.SetFillColor(0, 0, 0)
	pdf.Rect(boxX, y+cellPad, boxW, boxH, "F")
	pdf.SetTextColor(255, 255, 255)
	pdf.SetFont("Helvetica", "B", 5)
	pdf.SetXY(boxX, y+cellPad+0.3)
	pdf.CellFormat(boxW, 2.4, "CHECK", "", 0, "C", false, 0, "")
	pdf.SetFont("Helvetica", "B", 20)
	pdf.SetXY(boxX, y+cellPad+2.6)
	pdf.CellFormat(boxW, 8, scan.CheckCode(l.Code), "", 0, "C", false, 0, "")

	pdf.SetTextColor(0, 0, 0)
	codeW := boxX - x - 2*cellPad
	if size := sheetFontSize(pdf, codeW, 18, 8, l.Code); size > 0 {
		pdf.SetXY(x+cellPad, y+cellPad)
		pdf.CellFormat(codeW, boxH, l.Code, "", 0, "L", false, 0, "")
	} else {
		// A long code (the node's location format allows 26 characters)
		// goes on two lines beside the check code.
		first, second := splitCode(l.Code)
		if sheetFontSize(pdf, codeW, 14, 6, first, second) == 0 {
			return invalidf("code %q is too long to print beside its check code", l.Code)
		}
		pdf.SetXY(x+cellPad, y+cellPad)
		pdf.CellFormat(codeW, boxH/2, first, "", 0, "LB", false, 0, "")
		pdf.SetXY(x+cellPad, y+cellPad+boxH/2)
		pdf.CellFormat(codeW, boxH/2, second, "", 0, "LT", false, 0, "")
	}

	mw, _ := sym.modules()
	avail := w - 2*cellPad
	modX := sheetModule(sym, w)
	img, err := symbolPNG(sym)
	if err != nil {
		return err
	}
	pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(img))
	barW := float64(mw) * modX
	barH := h - boxH - 2*cellPad - 6.5
	pdf.ImageOptions(name, x+(w-barW)/2, y+cellPad+boxH+1.5, barW, barH, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")

	var info []string
	if l.Zone != "" {
		info = append(info, "ZONE "+l.Zone)
	}
	if l.Type != "" {
		info = append(info, "TYPE "+l.Type)
	}
	if len(info) > 0 {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetXY(x+cellPad, y+h-cellPad-3.5)
		pdf.CellFormat(avail, 3.5, tr(strings.Join(info, "   ")), "", 0, "L", false, 0, "")
	}
	return pdf.Error()
}

// sheetFontSize sets the largest bold Helvetica size from hi down to lo (in
// points) at which every line fits width mm, and returns it; 0 when the
// lines do not fit even at lo.
func sheetFontSize(pdf *fpdf.Fpdf, width, hi, lo float64, lines ...string) float64 {
	for size := hi; size >= lo; size-- {
		pdf.SetFont("Helvetica", "B", size)
		fits := true
		for _, s := range lines {
			fits = fits && pdf.GetStringWidth(s) <= width
		}
		if fits {
			return size
		}
	}
	return 0
}

// symbolPNG draws a linear symbol at 4 pixels per module without quiet zones,
// for the PDF to scale: whole pixels per module keep every bar edge sharp.
func symbolPNG(sym *symbol) ([]byte, error) {
	sym.module, sym.height = 4, 64
	w, h := sym.size()
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(paper), image.Point{}, draw.Src)
	symbolAt{sym: sym}.draw(img)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode barcode png: %w", err)
	}
	return b.Bytes(), nil
}
