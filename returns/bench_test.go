package returns_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/floorops/floorops/returns"
)

// BenchmarkGradeAndDisposition grades and dispositions returned units
// through the service on a real SQLite file (durable commits), one unit
// per iteration alternating restock and refurbish, and reports units per
// second and the 99th-percentile latency of grading plus disposition.
func BenchmarkGradeAndDisposition(b *testing.B) {
	n := newNode(b)
	ctx := context.Background()
	ids := make([]int64, b.N)
	for i := range b.N {
		u, err := n.svc.ReceiveReturn(ctx, fmt.Sprintf("r-%d", i), returns.ReceiveInput{Raw: "R1", Qty: 1, Actor: assoc})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = u.ID
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i, id := range ids {
		t0 := time.Now()
		grade := returns.GradeA
		if i%2 == 1 {
			grade = returns.GradeC
		}
		if _, err := n.svc.GradeUnit(ctx, fmt.Sprintf("g-%d", i), returns.GradeInput{UnitID: id, Grade: grade, Actor: assoc}); err != nil {
			b.Fatal(err)
		}
		if _, err := n.svc.Disposition(ctx, fmt.Sprintf("d-%d", i), returns.DispositionInput{UnitID: id, Actor: assoc}); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[(len(durations)*99)/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(durations))/elapsed.Seconds(), "units/s")
}
