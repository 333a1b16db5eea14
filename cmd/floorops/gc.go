package main

import (
	"os"
	"runtime/debug"
)

// gcPercent and memoryLimit are the garbage collector's settings for a
// serving node (and the bench client beside it), unless GOGC or GOMEMLIMIT
// say otherwise. Under 200 handhelds the node's live heap is small (peak
// RSS 66-78 MB at Go's default GOGC=100) but it allocates fast, so the
// collector ran often: its mark workers took 6-7.5% of the node's CPU, and
// their preemptions landed in the one writer. A heap let grow to five
// times the live one marks a fifth as often; the soft limit makes the
// collector work harder again before the process nears it, so RSS stays
// bounded whatever the load.
const (
	gcPercent   = 400
	memoryLimit = 256 << 20
)

// tuneGC applies gcPercent and memoryLimit where the operator has not set
// GOGC or GOMEMLIMIT.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
