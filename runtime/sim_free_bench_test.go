package gopatchrt

import (
	"sync"
	"testing"
	"time"
)

// freeBench is the patched package of the benchmarks. It is made when they run:
// a package-level NewPackage in this package's own tests would put GOPATCH_HUB in
// force before the hubs register.
func freeBench() *Package {
	freeBenchOnce.Do(func() { freeBenchPkg = NewPackage("gopatch.dev/gopatch/runtime/free_bench_test", 5, "time,chan") })
	return freeBenchPkg
}

var (
	freeBenchOnce sync.Once
	freeBenchPkg  *Package
)

// freeSim puts a new sim in force without Run, as GOPATCH_HUB=sim does, so that
// every goroutine is free, and returns it with freeBench's package; the hub in
// force before comes back, and the sim's loop ends, when tb ends.
func freeSim(tb testing.TB) (*Package, *Sim) {
	fb := freeBench()
	s := NewSim(1)
	prev := Use(s)
	tb.Cleanup(func() {
		Use(prev)
		s.stop()
	})
	return fb, s
}

// BenchmarkSimFreeSelectAfter measures one wait of a free goroutine (the sim in
// force without Run, as under GOPATCH_HUB=sim) in a rewritten select on a virtual
// time.After and a nil channel (context.Background().Done()): the retry loop of
// retry-go. Nothing else in the process runs, so in mixed mode the clock should
// move as soon as the goroutine parks; ns/op is the wall time of one wait.
func BenchmarkSimFreeSelectAfter(b *testing.B) {
	fb, s := freeSim(b)
	var done <-chan struct{} // a nil channel, as context.Background().Done()
	wait := func() {
		select {
		case <-SelectRecv(fb.At(0), 0, 2, false, fb.At(1).After(time.Nanosecond)):
		case <-SelectRecv(fb.At(0), 1, 2, false, done):
			b.Fatal("nil channel chosen")
		}
	}
	wait() // the goroutine is tracked from its first entry
	v0 := s.Elapsed()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wait()
	}
	b.StopTimer()
	if got, want := s.Elapsed()-v0, time.Duration(2*b.N); got != want {
		b.Fatalf("virtual time moved %v for %d waits of 1ns (+1ns lag), want %v", got, b.N, want)
	}
}

// BenchmarkSimFreeSleep is the same wait through a patched time.Sleep.
func BenchmarkSimFreeSleep(b *testing.B) {
	fb, _ := freeSim(b)
	fb.At(2).Sleep(time.Nanosecond)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fb.At(2).Sleep(time.Nanosecond)
	}
}

// BenchmarkSimFreeWaitGroup measures a clock move of free goroutines (the sim in
// force without Run) while one of them waits on a patched WaitGroup: each round,
// ten goroutines sleep 1ms of virtual time and call Done, and the waiter's Wait
// returns. The waiter must not keep the process from looking quiescent; ns/op is
// the wall time of one round, one clock move.
func BenchmarkSimFreeWaitGroup(b *testing.B) {
	fb, s := freeSim(b)
	round := func() {
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				fb.At(2).Sleep(time.Millisecond)
				fb.At(3).WaitGroupDone(&wg)
			}()
		}
		fb.At(3).WaitGroupWait(&wg)
	}
	round()
	v0 := s.Elapsed()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		round()
	}
	b.StopTimer()
	if got, want := s.Elapsed()-v0, time.Duration(b.N)*(time.Millisecond+simWakeLag); got != want {
		b.Fatalf("virtual time moved %v in %d rounds, want %v", got, b.N, want)
	}
}
