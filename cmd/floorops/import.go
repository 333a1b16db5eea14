package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"golang.org/x/term"
)

// importGroup is "floorops import": master data and purchase orders from
// CSV files, for nodes without an integration.
var importGroup = group{name: "import", subs: []subcommand{
	{name: "items", args: "FILE.csv", define: importFlags("items"),
		summary: "import items (upserted by sku); columns: " + strings.Join(inventoryapi.ItemColumns, ",")},
	{name: "locations", args: "FILE.csv", define: importFlags("locations"),
		summary: "import locations (upserted by code); columns: " + strings.Join(inventoryapi.LocationColumns, ",")},
	{name: "pos", args: "FILE.csv", define: importFlags("pos"),
		summary: "import purchase orders, one row per PO line; a bad row rejects its whole PO\ncolumns: " + strings.Join(receiving.POColumns, ",")},
}}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return importGroup.run(ctx, args, stdout, stderr)
}

// importFlags defines "floorops import <what>".
func importFlags(what string) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		dbPath := dbFlag(fs)
		return func(ctx context.Context, stdout, stderr io.Writer) error {
			if fs.NArg() != 1 {
				return fmt.Errorf("%w: floorops import %s [--db FILE] FILE.csv: give one CSV file", errUsage, what)
			}
			return importCSV(ctx, what, *dbPath, fs.Arg(0), stdout, stderr)
		}
	}
}

// importCSV imports the CSV file at path into the database at dbPath and
// reports what it imported and rejected. Rejected rows make it fail.
func importCSV(ctx context.Context, what, dbPath, path string, stdout, stderr io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := nodeParser()
	if err != nil {
		return err
	}
	wf := server.NewWorkflows(db, p)

	cr := &countingReader{r: f}
	var bar *progressBar
	if st, err := f.Stat(); err == nil && isTerminal(stderr) {
		bar = newProgressBar(stderr, "import "+what, st.Size(), cr)
	}
	start := time.Now()
	var (
		rep    inventory.ImportReport
		posCSV bytes.Buffer // a copy of a PO file, read back to count POs
	)
	switch what {
	case "items":
		rep, err = inventoryapi.ImportItems(ctx, db, cr, nil)
	case "locations":
		rep, err = inventoryapi.ImportLocations(ctx, db, p, cr, nil)
	case "pos":
		// ImportPOs holds the whole file's POs in memory anyway.
		rep, err = wf.Receiving.ImportPOs(ctx, io.TeeReader(cr, &posCSV))
	}
	bar.stop()
	for _, re := range rep.Errors {
		fmt.Fprintf(stderr, "%s:%d: %v\n", path, re.Line, re.Err)
	}
	sum := summarizeRows(rep)
	if what == "pos" {
		// A bad row rejects its whole PO: count POs, not rows.
		sum = summarizePOs(rep, &posCSV)
	}
	fmt.Fprintf(stdout, "%s: %s in %s\n", what, sum.line, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return err
	}
	if sum.failure != "" {
		return errors.New(sum.failure)
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

// importSummary is what an import tells the operator: what it read,
// imported and rejected, and, when it rejected anything, why the command
// fails.
type importSummary struct {
	line    string // e.g. "3 rows read, 1 imported, 2 rejected"
	failure string // "" when nothing was rejected
}

// summarizeRows summarizes an import whose rows are written one by one
// (items, locations).
func summarizeRows(rep inventory.ImportReport) importSummary {
	rejected := len(rep.Errors)
	sum := importSummary{line: fmt.Sprintf("%s read, %d imported, %d rejected", plural(rep.Rows, "row"), rep.Imported, rejected)}
	if rejected > 0 {
		sum.failure = rejectedFailure(plural(rejected, "row"), rejected, rep.Imported > 0, "rows")
	}
	return sum
}

// summarizePOs summarizes a purchase-order import, where a bad row rejects
// its whole PO. The report counts rows, so the PO of each row is read back
// from a copy of the file. A tally that does not add up to the report gets
// a row count that makes no claim about POs.
func summarizePOs(rep inventory.ImportReport, file io.Reader) importSummary {
	fallback := func() importSummary {
		notImported := max(rep.Rows-rep.Imported, 0)
		sum := importSummary{line: fmt.Sprintf("%s read, %d imported, %d not imported", plural(rep.Rows, "row"), rep.Imported, notImported)}
		if len(rep.Errors) > 0 {
			sum.failure = fmt.Sprintf("%s not imported: each bad row rejected its whole PO, which wrote nothing", plural(notImported, "row"))
		}
		return sum
	}
	t, err := tallyPORows(file)
	if err != nil {
		return fallback()
	}
	rejected := map[string]bool{}
	for _, re := range rep.Errors {
		if po, ok := t.poOfLine[re.Line]; ok && po != "" {
			rejected[po] = true
		}
	}
	// Rows without a PO number, and rows too malformed to read one from,
	// belong to no PO; receiving rejects each of them.
	stray := t.unreadable + t.rowsOfPO[""]
	var importedPOs, importedRows, rejectedPOs, rejectedRows int
	for po, rows := range t.rowsOfPO {
		switch {
		case po == "":
		case rejected[po]:
			rejectedPOs++
			rejectedRows += rows
		default:
			importedPOs++
			importedRows += rows
		}
	}
	if importedRows != rep.Imported || importedRows+rejectedRows+stray != rep.Rows {
		return fallback()
	}
	sum := importSummary{line: fmt.Sprintf("%s read: %s, %s",
		plural(rep.Rows, "row"), posWithRows(importedPOs, "imported", importedRows), posWithRows(rejectedPOs, "rejected", rejectedRows))}
	if stray > 0 {
		sum.line += fmt.Sprintf(", %s with no readable PO number rejected", plural(stray, "row"))
	}
	var what string
	switch {
	case rejectedPOs > 0 && stray > 0:
		what = fmt.Sprintf("%s and %s with no readable PO number", plural(rejectedPOs, "PO"), plural(stray, "row"))
	case rejectedPOs > 0:
		what = plural(rejectedPOs, "PO")
	case stray > 0:
		what = plural(stray, "row") + " with no readable PO number"
	default:
		return sum
	}
	sum.failure = rejectedFailure(what, rejectedPOs+stray, importedPOs > 0, "POs")
	return sum
}

// rejectedFailure says that what (n things) was rejected and wrote
// nothing, and whether the other rows or POs (others) were imported.
func rejectedFailure(what string, n int, anyImported bool, others string) string {
	if !anyImported {
		return what + " rejected; nothing was imported"
	}
	pronoun := "they"
	if n == 1 {
		pronoun = "it"
	}
	return fmt.Sprintf("%s rejected; %s wrote nothing, the other %s were imported", what, pronoun, others)
}

// posWithRows renders what happened to a number of POs and their rows:
// "2 POs imported (3 rows)".
func posWithRows(pos int, verb string, rows int) string {
	if pos == 0 {
		return "0 POs " + verb
	}
	return fmt.Sprintf("%s %s (%s)", plural(pos, "PO"), verb, plural(rows, "row"))
}

// plural renders a count of a noun whose plural adds "s": "1 row", "2 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// poRows is how the rows of a purchase-order CSV fall into POs.
type poRows struct {
	poOfLine   map[int]string // file line of each row -> its PO number ("" for none)
	rowsOfPO   map[string]int // PO number -> its rows
	unreadable int            // rows too malformed to read a PO number from
}

// tallyPORows reads a purchase-order CSV the way receiving.ImportPOs does
// (same CSV rules, PO numbers trimmed and upper-cased) and groups its rows
// by PO.
func tallyPORows(r io.Reader) (poRows, error) {
	t := poRows{poOfLine: map[int]string{}, rowsOfPO: map[string]int{}}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return t, err
	}
	cols, err := inventory.MapCSVHeader(header, receiving.POColumns, []string{"po_number"})
	if err != nil {
		return t, err
	}
	col := slices.Index(cols, "po_number")
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		var perr *csv.ParseError
		switch {
		case errors.As(err, &perr):
			t.unreadable++
			continue
		case err != nil:
			return t, err
		}
		line, _ := cr.FieldPos(0)
		var po string
		if col < len(rec) {
			po = scan.Code(rec[col])
		}
		t.poOfLine[line] = po
		t.rowsOfPO[po]++
	}
}
