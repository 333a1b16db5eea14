package cyclecount

// SetGatherHook makes f run while PlanCounts gathers (on its read snapshot,
// before it writes) until restore is called.
func SetGatherHook(f func()) (restore func()) {
	old := gatherHook
	gatherHook = f
	return func() { gatherHook = old }
}

// SetMovementChunk makes a plan read the movements n ids at a time until
// restore is called.
func SetMovementChunk(n int64) (restore func()) {
	old := movementChunk
	movementChunk = n
	return func() { movementChunk = old }
}
