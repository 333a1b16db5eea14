package label

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"regexp"
	"strconv"
	"testing"
)

// code128Widths is the Code 128 symbol character table (ISO/IEC 15417): the
// widths, in modules, of each value's bars and spaces, bar first; the last
// entry is the stop pattern.
var code128Widths = [...]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

var zplCode128Field = regexp.MustCompile(`\^BY(\d+)\^BCN,(\d+),N,N,N,N\^FD([^^]*)\^FS`)

// zplCode128PNG prints the one Code 128 field of a ZPL label the way a Zebra
// printer reads ^BC mode N field data (ZPL II Programming Guide, ^BC, table
// of invocation characters): >; or >: starts subset C or B, >5 and >6 switch
// to C and B, >8 is FNC1, and ><, >0 and >= are ^, > and ~ in subset B;
// anything else after > fails the test. It returns the bars with quiet
// zones as a PNG, one module per ^BY dots, for zbarimg to read: the printer's
// barcode, not the PNG renderer's.
func zplCode128PNG(t *testing.T, zpl []byte) []byte {
	t.Helper()
	m := zplCode128Field.FindAllSubmatch(zpl, -1)
	if len(m) != 1 {
		t.Fatalf("want one ^BC field in mode N, found %d in\n%s", len(m), zpl)
	}
	x, _ := strconv.Atoi(string(m[0][1]))
	fd := string(m[0][3])
	var values []int
	subset := byte(0)
	for i := 0; i < len(fd); {
		if fd[i] == '>' {
			if i+1 == len(fd) {
				t.Fatalf("^FD%s ends in a lone >", fd)
			}
			v, ok := map[byte]int{';': 105, ':': 104, '5': 99, '6': 100, '8': 102, '<': 62, '0': 30, '=': 94}[fd[i+1]]
			start := fd[i+1] == ';' || fd[i+1] == ':'
			if !ok || start != (i == 0) || (subset == 'C' && v < 95) {
				t.Fatalf("^FD%s: invocation >%c at %d is not what a printer reads here", fd, fd[i+1], i)
			}
			switch fd[i+1] {
			case ';', '5':
				subset = 'C'
			case ':', '6':
				subset = 'B'
			}
			values = append(values, v)
			i += 2
			continue
		}
		switch subset {
		case 'B':
			values = append(values, int(fd[i])-' ')
			i++
		case 'C':
			if i+1 == len(fd) || fd[i] < '0' || fd[i] > '9' || fd[i+1] < '0' || fd[i+1] > '9' {
				t.Fatalf("^FD%s: subset C needs digit pairs at %d", fd, i)
			}
			values = append(values, int(fd[i]-'0')*10+int(fd[i+1]-'0'))
			i += 2
		default:
			t.Fatalf("^FD%s does not start with >; or >:", fd)
		}
	}
	sum := values[0]
	for i, v := range values[1:] {
		sum += (i + 1) * v
	}
	values = append(values, sum%103, len(code128Widths)-1)

	var modules []bool
	for _, v := range values {
		for i, w := range code128Widths[v] {
			for range w - '0' {
				modules = append(modules, i%2 == 0)
			}
		}
	}
	const quiet, height = 10, 120
	img := image.NewGray(image.Rect(0, 0, (len(modules)+2*quiet)*x, height+2*quiet*x))
	draw.Draw(img, img.Bounds(), image.NewUniform(paper), image.Point{}, draw.Src)
	for i, dark := range modules {
		if dark {
			x0 := (quiet + i) * x
			draw.Draw(img, image.Rect(x0, quiet*x, x0+x, quiet*x+height), image.NewUniform(ink), image.Point{}, draw.Src)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
