package gopatchrt

import (
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSchedBusy: with more goroutines spinning than the processors can run, the
// scheduler's counts show them running or runnable, and schedBusy spares the
// stack dump. The counts exist from Go 1.26; before, schedBusy never answers.
func TestSchedBusy(t *testing.T) {
	var samples [2]metrics.Sample
	if !readSchedCounts(&samples) {
		if v := runtime.Version(); strings.HasPrefix(v, "go1.2") && v >= "go1.26" {
			t.Fatalf("%s has no scheduler counts", v)
		}
		if schedBusy(0) {
			t.Fatal("schedBusy answered without the counts")
		}
		t.Skip("this Go has no scheduler counts")
	}
	var stop atomic.Bool
	started := make(chan struct{}, 8)
	for i := 0; i < 8; i++ {
		go func() {
			started <- struct{}{}
			for !stop.Load() {
				runtime.Gosched()
			}
		}()
	}
	defer stop.Store(true)
	for i := 0; i < 8; i++ {
		<-started
	}
	busy := 0
	for i := 0; i < 100; i++ {
		if schedBusy(1) {
			busy++
		}
	}
	if busy < 50 {
		t.Errorf("schedBusy saw 8 spinning goroutines in %d checks of 100", busy)
	}
}
