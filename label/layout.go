package label

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Label stock, in dots at 203 dpi.
const (
	dotsPerInch = 203
	stockWidth  = 4 * dotsPerInch // 4-inch wide labels, the common thermal stock
	margin      = 24              // 3 mm of paper kept clear at every edge
	minModule   = 2               // 0.25 mm: the narrowest bar we print
)

// layout is one label as positioned elements, in dots. The PNG and ZPL
// renderers draw the same layout, so the image is a preview of the print.
type layout struct {
	width, height int
	elems         []element
}

// element is a piece of a label: text, a filled box or a barcode.
type element interface {
	draw(img *image.Gray)
	zpl(b *strings.Builder)
}

// text is a line of text whose cell top is at y and whose cell height is
// size dots. With center set it is centred in [x, x+width).
type text struct {
	x, y, size int
	s          string
	bold       bool
	center     bool
	width      int
	reverse    bool // white on the black box drawn before it
}

// box is a filled black rectangle (under reversed text).
type box struct{ x, y, w, h int }

// symbolAt places a barcode with its bars' top-left corner at x, y.
type symbolAt struct {
	x, y int
	sym  *symbol
}

func (l *layout) add(e ...element) { l.elems = append(l.elems, e...) }

// writePNG renders the layout as an 8-bit grey PNG, one pixel per dot.
func (l *layout) writePNG(w io.Writer) error {
	img := image.NewGray(image.Rect(0, 0, l.width, l.height))
	draw.Draw(img, img.Bounds(), image.NewUniform(paper), image.Point{}, draw.Src)
	for _, e := range l.elems {
		e.draw(img)
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("write label png: %w", err)
	}
	return nil
}

// zpl renders the layout as one ZPL label format: UTF-8 text (^CI28), print
// width and label length set, origin at the top-left corner.
func (l *layout) zpl() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", l.width, l.height)
	for _, e := range l.elems {
		e.zpl(&b)
	}
	b.WriteString("^XZ\n")
	return []byte(b.String())
}

func (t text) draw(img *image.Gray) {
	face := newFace(t.bold, t.size)
	defer face.Close()
	src := image.NewUniform(ink)
	if t.reverse {
		src = image.NewUniform(paper)
	}
	d := font.Drawer{Dst: img, Src: src, Face: face}
	x := fixed.I(t.x)
	if t.center {
		x += (fixed.I(t.width) - d.MeasureString(t.s)) / 2
	}
	m := face.Metrics()
	// Centre the glyphs' cap height in the cell, as ZPL's font 0 does.
	top := fixed.I(t.y) + (fixed.I(t.size)-m.CapHeight)/2
	d.Dot = fixed.Point26_6{X: x, Y: top + m.CapHeight}
	d.DrawString(t.s)
}

func (t text) zpl(b *strings.Builder) {
	fmt.Fprintf(b, "^FO%d,%d^A0N,%d,%d", t.x, t.y, t.size, t.size)
	if t.center {
		fmt.Fprintf(b, "^FB%d,1,0,C", t.width)
	}
	if t.reverse {
		b.WriteString("^FR")
	}
	data, escaped := zplText(t.s)
	if escaped {
		b.WriteString("^FH_")
	}
	fmt.Fprintf(b, "^FD%s^FS\n", data)
}

// zplText escapes text for ^FD: ZPL's own ^ and ~, the ^FH escape '_' and
// anything outside printable ASCII are sent as _XX hex bytes of UTF-8.
func zplText(s string) (string, bool) {
	var b strings.Builder
	escaped := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '^' || c == '~' || c == '_' {
			fmt.Fprintf(&b, "_%02X", c)
			escaped = true
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), escaped
}

func (r box) draw(img *image.Gray) {
	draw.Draw(img, image.Rect(r.x, r.y, r.x+r.w, r.y+r.h), image.NewUniform(ink), image.Point{}, draw.Src)
}

func (r box) zpl(b *strings.Builder) {
	// A box whose border is as thick as its shorter side is filled.
	fmt.Fprintf(b, "^FO%d,%d^GB%d,%d,%d,B^FS\n", r.x, r.y, r.w, r.h, min(r.w, r.h))
}

func (s symbolAt) draw(img *image.Gray) {
	mw, mh := s.sym.modules()
	m := s.sym.module
	for my := range mh {
		for mx := range mw {
			if !s.sym.dark(mx, my) {
				continue
			}
			h := m
			if s.sym.linear() {
				h = s.sym.height
			}
			x0, y0 := s.x+mx*m, s.y+my*m
			draw.Draw(img, image.Rect(x0, y0, x0+m, y0+h), image.NewUniform(ink), image.Point{}, draw.Src)
		}
	}
}

func (s symbolAt) zpl(b *strings.Builder) { s.sym.zpl(b, s.x, s.y) }

// centeredSymbol places sym horizontally centred on the label at y.
func (l *layout) centeredSymbol(sym *symbol, y int) symbolAt {
	w, _ := sym.size()
	return symbolAt{x: (l.width - w) / 2, y: y, sym: sym}
}

var fonts = sync.OnceValue(func() [2]*opentype.Font {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic(err) // the embedded Go fonts always parse
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		panic(err)
	}
	return [2]*opentype.Font{regular, bold}
})

func newFace(bold bool, size int) font.Face {
	f := fonts()[0]
	if bold {
		f = fonts()[1]
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err) // only fails for a nil font or non-positive size
	}
	return face
}

// textWidth is the width in dots of s drawn at size.
func textWidth(s string, bold bool, size int) int {
	face := newFace(bold, size)
	defer face.Close()
	return font.MeasureString(face, s).Ceil()
}

// fitSize is the largest size from hi down to lo (in steps of 4 dots) at
// which s fits width; lo when nothing fits.
func fitSize(s string, bold bool, width, hi, lo int) int {
	size := hi
	for size > lo && textWidth(s, bold, size) > width {
		size -= 4
	}
	return size
}

// truncate cuts s so it fits width at size, marking the cut with "...".
func truncate(s string, bold bool, size, width int) string {
	if textWidth(s, bold, size) <= width {
		return s
	}
	for len(s) > 0 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = strings.TrimRight(s[:len(s)-n], " ")
		if textWidth(s+"...", bold, size) <= width {
			return s + "..."
		}
	}
	return ""
}
