package label

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"

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
	minX      = 0.19 // mm: narrower bars do not survive an office laser printer
)

// LocationSheetPDF writes location labels to a PDF, 24 to a page (3 across,
// 8 down), paging as needed, so a whole aisle can be printed on adhesive
// label sheets. Each label has the code, its check code in a black box, the
// Code 128 barcode (embedded as a PNG) and the zone and type. An empty paper
// means A4.
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

	for i, l := range ls {
		if err := l.validate(); err != nil {
			return fmt.Errorf("location %d: %w", i+1, err)
		}
		n := i % (sheetCols * sheetRows)
		if n == 0 {
			pdf.AddPage()
		}
		x := marginX + float64(n%sheetCols)*cellW
		y := marginY + float64(n/sheetCols)*cellH
		if err := sheetLabel(pdf, tr, fmt.Sprintf("loc%d", i), l, x, y, cellW, cellH); err != nil {
			return fmt.Errorf("location %s: %w", l.Code, err)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write location sheet: %w", err)
	}
	return nil
}

// sheetLabel draws one location label in the cell at x, y (mm).
func sheetLabel(pdf *fpdf.Fpdf, tr func(string) string, name string, l Location, x, y, w, h float64) error {
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
	size := 18.0
	pdf.SetFont("Helvetica", "B", size)
	for size > 8 && pdf.GetStringWidth(l.Code) > codeW {
		size--
		pdf.SetFont("Helvetica", "B", size)
	}
	pdf.SetXY(x+cellPad, y+cellPad)
	pdf.CellFormat(codeW, boxH, l.Code, "", 0, "L", false, 0, "")

	sym, err := newSymbol(symCode128, l.Code)
	if err != nil {
		return err
	}
	mw, _ := sym.modules()
	avail := w - 2*cellPad
	modX := min(maxX, avail/float64(mw+2*sym.quietModules()))
	if modX < minX {
		return invalidf("code %q is too long for a %.0f mm sheet label", l.Code, w)
	}
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
