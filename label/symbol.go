package label

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/datamatrix"
	"github.com/boombuler/barcode/ean"
	"github.com/boombuler/barcode/qr"
)

// symbolKind is a barcode symbology as drawn on a label.
type symbolKind int

const (
	symCode128 symbolKind = iota // Code 128, GS1-128 when the data starts with FNC1
	symEAN13
	symUPCA
	symDataMatrix // ECC 200; GS1 DataMatrix when the data starts with codeword 232
	symQR
)

// Encoder-specific FNC1 markers inside symbol data.
var (
	fnc1Code128    = string(code128.FNC1)            // boombuler's Code 128 FNC1 rune
	fnc1DataMatrix = string([]byte{datamatrix.FNC1}) // codeword 232, as a raw byte
)

// symbol is one barcode: its data as the encoder takes it, encoded once at one
// dot per module, and its printed size in dots.
type symbol struct {
	kind   symbolKind
	data   string          // encoder input, FNC1 as the encoder's marker
	bc     barcode.Barcode // modules, one pixel each
	module int             // X dimension: dots per module
	height int             // bar height in dots (linear symbols only)
}

func newSymbol(kind symbolKind, data string) (*symbol, error) {
	var (
		bc  barcode.Barcode
		err error
	)
	switch kind {
	case symCode128:
		bc, err = code128.Encode(data)
	case symEAN13:
		bc, err = ean.Encode(data)
	case symUPCA:
		// A UPC-A symbol is an EAN-13 symbol whose first digit is 0; the
		// bars are identical.
		bc, err = ean.Encode("0" + data)
	case symDataMatrix:
		bc, err = datamatrix.Encode(data)
	case symQR:
		bc, err = qr.Encode(data, qr.M, qr.Auto)
	}
	if err != nil {
		return nil, fmt.Errorf("encode barcode: %w", err)
	}
	return &symbol{kind: kind, data: data, bc: bc}, nil
}

func (s *symbol) linear() bool { return s.kind != symDataMatrix && s.kind != symQR }

// modules is the symbol's size in modules, without quiet zones.
func (s *symbol) modules() (w, h int) {
	b := s.bc.Bounds()
	return b.Dx(), b.Dy()
}

// quietModules is the clear space the symbology needs on each side: 10X for
// Code 128, 11X for EAN/UPC (the larger, left one), 4X for QR and 2X for Data
// Matrix (1X is the minimum; 2X forgives a sloppy die cut).
func (s *symbol) quietModules() int {
	switch s.kind {
	case symCode128:
		return 10
	case symEAN13, symUPCA:
		return 11
	case symQR:
		return 4
	}
	return 2
}

// size is the printed size in dots, without quiet zones.
func (s *symbol) size() (w, h int) {
	mw, mh := s.modules()
	if s.linear() {
		return mw * s.module, s.height
	}
	return mw * s.module, mh * s.module
}

// fit sets the module width to the largest of maxX..minX dots at which the
// bars fit inside the label's margins and bars plus quiet zones fit the
// label (quiet zones may run into the margins: both are blank paper). It
// fails when even minX does not fit: narrower bars do not scan reliably off
// a thermal printer.
func (s *symbol) fit(labelWidth, minX, maxX int) error {
	mw, _ := s.modules()
	for x := maxX; x >= minX; x-- {
		if mw*x <= labelWidth-2*margin && (mw+2*s.quietModules())*x <= labelWidth {
			s.module = x
			return nil
		}
	}
	return invalidf("barcode of %d modules does not fit a %d-dot label at %d dots per module; shorten the data or use datamatrix", mw, labelWidth, minX)
}

func (s *symbol) dark(x, y int) bool {
	if s.linear() {
		y = 0
	}
	r, g, b, _ := s.bc.At(x, y).RGBA()
	return (r+g+b)/3 < 0x8000
}

// zpl writes the ZPL commands that print this symbol with its top-left corner
// (bars, not quiet zone) at x, y.
func (s *symbol) zpl(b *strings.Builder, x, y int) {
	fmt.Fprintf(b, "^FO%d,%d", x, y)
	switch s.kind {
	case symCode128:
		// Mode N: the field data carries explicit start, subset and FNC1
		// invocation codes (>; >: >5 >6 >8), the same symbol characters the
		// PNG encoder picks, so both prints have the same width.
		fmt.Fprintf(b, "^BY%d^BCN,%d,N,N,N,N^FD%s^FS\n", s.module, s.height, zplCode128(s.data))
	case symEAN13:
		// ^BE takes 12 digits; the printer adds the check digit.
		fmt.Fprintf(b, "^BY%d^BEN,%d,N,N^FD%s^FS\n", s.module, s.height, s.data[:12])
	case symUPCA:
		// ^BU takes 11 digits; the printer adds the check digit.
		fmt.Fprintf(b, "^BY%d^BUN,%d,N,N,N^FD%s^FS\n", s.module, s.height, s.data[:11])
	case symDataMatrix:
		// ECC 200 with '_' as escape character: _1 is FNC1, __ is '_'.
		fmt.Fprintf(b, "^BXN,%d,200,,,,_^FD%s^FS\n", s.module, zplDataMatrix(s.data))
	case symQR:
		// Model 2, error correction M, automatic data mode.
		fmt.Fprintf(b, "^BQN,2,%d^FDMA,%s^FS\n", s.module, s.data)
	}
}

// zplDataMatrix turns boombuler Data Matrix input (FNC1 as byte 232) into
// ^BX quality-200 field data with '_' as the escape character.
func zplDataMatrix(data string) string {
	var b strings.Builder
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case datamatrix.FNC1:
			b.WriteString("_1")
		case '_':
			b.WriteString("__")
		default:
			b.WriteByte(data[i])
		}
	}
	return b.String()
}

// zplCode128 turns Code 128 data (FNC1 as code128.FNC1) into ^BC mode-N field
// data. It chooses subsets the way the PNG encoder does: subset C for a run
// of at least four digits (two once already in C, an FNC1 between digit pairs
// keeping C), subset B otherwise. Data is restricted by validation to
// printable ASCII, so subset A is never needed. The three characters ZPL
// reserves are written as mode N's invocation codes for them, which encode
// the same subset B symbol character: ^ as "><", > as ">0", ~ as ">=".
func zplCode128(data string) string {
	runes := []rune(data)
	var b strings.Builder
	cur := byte(0)
	for i := 0; i < len(runes); {
		if useSubsetC(runes[i:], cur == 'C') {
			switch cur {
			case 0:
				b.WriteString(">;")
			case 'B':
				b.WriteString(">5")
			}
			cur = 'C'
			if runes[i] == code128.FNC1 {
				b.WriteString(">8")
				i++
				continue
			}
			b.WriteString(string(runes[i : i+2]))
			i += 2
			continue
		}
		switch cur {
		case 0:
			b.WriteString(">:")
		case 'C':
			b.WriteString(">6")
		}
		cur = 'B'
		switch runes[i] {
		case code128.FNC1:
			b.WriteString(">8")
		case '^':
			b.WriteString("><")
		case '>':
			b.WriteString(">0")
		case '~':
			b.WriteString(">=")
		default:
			b.WriteRune(runes[i])
		}
		i++
	}
	return b.String()
}

func useSubsetC(next []rune, inC bool) bool {
	need := 4
	if inC {
		need = 2
	}
	for i := 0; i < need; i++ {
		if i >= len(next) {
			return false
		}
		if i%2 == 0 && next[i] == code128.FNC1 {
			need++
			continue
		}
		if next[i] < '0' || next[i] > '9' {
			return false
		}
	}
	return true
}

// ink and paper are the two colours of a label.
var (
	ink   = color.Gray{Y: 0}
	paper = color.Gray{Y: 255}
)
