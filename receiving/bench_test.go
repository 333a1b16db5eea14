package receiving_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/floorops/floorops/receiving"
)

// BenchmarkReceiveScan receives case GTIN scans through the service on a
// real SQLite file (durable commits) and reports scans per second and the
// 99th-percentile latency of one scan. "parallel" has 8 associates
// scanning at once, as at a busy dock.
func BenchmarkReceiveScan(b *testing.B) {
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("associates=%d", workers), func(b *testing.B) {
			n := newNode(b)
			ctx := context.Background()
			n.mustPO(b, "PO-B", receiving.POLine{SKU: "A1", Ordered: 10_000_000}, receiving.POLine{SKU: "F3", Ordered: 10_000_000})
			id := n.mustStart(b, "DOCK-01", "PO-B")
			_, a1Case := gtins(1)
			var mu sync.Mutex
			durations := make([]time.Duration, 0, b.N)
			var next int
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						mu.Lock()
						i := next
						next++
						mu.Unlock()
						if i >= b.N {
							return
						}
						t0 := time.Now()
						_, err := n.svc.ReceiveScan(ctx, fmt.Sprintf("b-%d-%d", w, i), receiving.ScanInput{ReceiptID: id, Raw: a1Case, Qty: 1, Actor: assoc})
						d := time.Since(t0)
						if err != nil {
							b.Error(err)
							return
						}
						mu.Lock()
						durations = append(durations, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if len(durations) == 0 {
				return
			}
			slices.Sort(durations)
			p99 := durations[(len(durations)*99)/100]
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(len(durations))/elapsed.Seconds(), "scans/s")
		})
	}
}
