package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/receiving"
	"golang.org/x/term"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := fmt.Errorf("%w: floorops import items|locations|pos [--db FILE] FILE.csv\n  items columns:     %s\n  locations columns: %s\n  pos columns:       %s (one row per PO line)",
		errUsage, strings.Join(inventory.ItemColumns, ","), strings.Join(inventory.LocationColumns, ","), strings.Join(receiving.POColumns, ","))
	if len(args) == 0 || (args[0] != "items" && args[0] != "locations" && args[0] != "pos") {
		return usage
	}
	what := args[0]
	fs := newFlags("import "+what, stderr)
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := inventory.NewService(db)

	cr := &countingReader{r: f}
	var bar *progressBar
	if st, err := f.Stat(); err == nil && isTerminal(stderr) {
		bar = newProgressBar(stderr, "import "+what, st.Size(), cr)
	}
	start := time.Now()
	var rep inventory.ImportReport
	switch what {
	case "items":
		rep, err = svc.ImportItems(ctx, cr, nil)
	case "locations":
		rep, err = svc.ImportLocations(ctx, cr, nil)
	case "pos":
		rep, err = receiving.NewService(db).ImportPOs(ctx, cr)
	}
	bar.stop()
	for _, re := range rep.Errors {
		fmt.Fprintf(stderr, "%s:%d: %v\n", fs.Arg(0), re.Line, re.Err)
	}
	fmt.Fprintf(stdout, "%s: %d rows read, %d imported, %d rejected in %s\n",
		what, rep.Rows, rep.Imported, len(rep.Errors), time.Since(start).Round(time.Millisecond))
	if err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d rows rejected; they wrote nothing, the other rows were imported", len(rep.Errors))
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// countingReader counts bytes read so a progress bar can follow a stream.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progressBar redraws one terminal line with how much of a file is read.
type progressBar struct {
	done chan struct{}
	wg   chan struct{}
}

func newProgressBar(w io.Writer, label string, total int64, cr *countingReader) *progressBar {
	b := &progressBar{done: make(chan struct{}), wg: make(chan struct{})}
	draw := func() {
		frac := 1.0
		if total > 0 {
			frac = min(float64(cr.n.Load())/float64(total), 1)
		}
		const width = 30
		filled := int(frac * width)
		fmt.Fprintf(w, "\r%s [%s%s] %3.0f%%", label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), frac*100)
	}
	go func() {
		defer close(b.wg)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-b.done:
				draw()
				fmt.Fprintln(w)
				return
			case <-t.C:
				draw()
			}
		}
	}()
	return b
}

func (b *progressBar) stop() {
	if b == nil {
		return
	}
	close(b.done)
	<-b.wg
}
