package cyclecount

// SetGatherHook makes f run while PlanCounts gathers (on its read snapshot,
// before it writes) until restore is called.
func SetGatherHook(f func()) (restore func()) {
	old := gatherHook
	gatherHook = f
	return func() { gatherHook = old }
}
