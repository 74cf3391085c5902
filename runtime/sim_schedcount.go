package gopatchrt

import (
	"runtime"
	"runtime/metrics"
)

// schedCounts names the scheduler's counts of goroutines running and runnable
// (runtime/metrics, from Go 1.26). Reading them takes the scheduler's lock for a
// moment and looks at each processor: no stop of the world, no stack walk.
var schedCounts = [2]string{"/sched/goroutines/running:goroutines", "/sched/goroutines/runnable:goroutines"}

// readSchedCounts reads the counts into samples and reports whether this Go has
// them.
func readSchedCounts(samples *[2]metrics.Sample) bool {
	samples[0].Name, samples[1].Name = schedCounts[0], schedCounts[1]
	metrics.Read(samples[:])
	return samples[0].Value.Kind() == metrics.KindUint64 && samples[1].Value.Kind() == metrics.KindUint64
}

// schedBusy reports whether the scheduler counts more goroutines running or
// runnable than allow (the caller, and the sim's loop when the caller does not
// count it as active): then a quiescence check would fail, and its stack dump,
// a stop of the world costing tens of microseconds or more, is spared. With more
// than one processor the counts are approximate: a processor looking for work
// counts as running, so one more than allow is let through (at GOMAXPROCS 2 a
// lone goroutine's own check saw 2 running and 1 runnable about a third of the
// time). With one processor they are exact: the caller's, and every goroutine in
// its run queue. A true answer can still be wrong, and the caller tries again
// later; false means only that a full check is needed. Without the counts it
// reports false.
func schedBusy(allow int) bool {
	var samples [2]metrics.Sample
	if !readSchedCounts(&samples) {
		return false
	}
	slack := uint64(1)
	if runtime.GOMAXPROCS(0) == 1 {
		slack = 0
	}
	return samples[0].Value.Uint64()+samples[1].Value.Uint64() > uint64(allow)+slack
}
