package central

import (
	"math"
	"testing"
)

func TestNetworkSumsSaturate(t *testing.T) {
	if got := addSaturating(math.MaxInt64-1, 5); got != math.MaxInt64 {
		t.Errorf("sum past the top = %d", got)
	}
	if got := addSaturating(3, 4); got != 7 {
		t.Errorf("3+4 = %d", got)
	}
}
