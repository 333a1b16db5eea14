package store_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/floorops/floorops/store"
)

// BenchmarkWrite measures one small durable transaction (synchronous FULL),
// the floor of every scan's latency, serially and from concurrent handhelds.
func BenchmarkWrite(b *testing.B) {
	db := mustOpen(b)
	ctx := context.Background()
	write := func() {
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, payload, created_at) VALUES ('bench', x'00', 'now')`)
			return err
		})
		if err != nil {
			b.Error(err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			write()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				write()
			}
		})
	})
}

// BenchmarkWriteStatements measures a write shaped like a scan's: 20
// one-row reads and an insert, from concurrent handhelds, so the writer's
// cost a statement (database/sql, the driver, SQLite) shows beside the
// fsync that group commit shares.
func BenchmarkWriteStatements(b *testing.B) {
	db := mustOpen(b)
	ctx := context.Background()
	b.SetParallelism(8)
	cpu0 := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := db.Write(ctx, func(tx *store.Tx) error {
				var n, seq int64
				for i := range 20 {
					if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM outbox WHERE seq > ?`, int64(i+2)<<40).Scan(&n, &seq); err != nil {
						return err
					}
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, payload, created_at) VALUES ('bench', x'00', 'now')`)
				return err
			})
			if err != nil {
				b.Error(err)
			}
		}
	})
	// CPU a write (the process's, user and system), steadier than ns/op
	// on a shared machine where the fsync's time varies.
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
