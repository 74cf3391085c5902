package compare

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

var gp = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/simtest/compare", 8, "time,go,chan")

// The workload: n goroutines in a ring pass a token hops times; each holder sleeps
// 1ms of virtual time before passing it on. ringSim is it as gopatch patches it,
// ringPlain as written.

func ringSim(n, hops int) {
	chans := make([]chan int, n)
	for i := range chans {
		chans[i] = make(chan int, 1)
	}
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		i := i
		gopatchrt.Go(gp.At(0), func() {
			for {
				v, ok := gopatchrt.Recv2(gp.At(1), chans[i])
				if !ok {
					return
				}
				gp.At(2).Sleep(time.Millisecond)
				if v >= hops {
					gopatchrt.Close(gp.At(3), done)
					return
				}
				gopatchrt.Send(gp.At(4), chans[(i+1)%n], v+1)
			}
		})
	}
	gopatchrt.Send(gp.At(5), chans[0], 1)
	gopatchrt.Recv(gp.At(6), done)
	for _, c := range chans {
		close(c)
	}
}

func ringPlain(n, hops int) {
	chans := make([]chan int, n)
	for i := range chans {
		chans[i] = make(chan int, 1)
	}
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		i := i
		go func() {
			for {
				v, ok := <-chans[i]
				if !ok {
					return
				}
				time.Sleep(time.Millisecond)
				if v >= hops {
					close(done)
					return
				}
				chans[(i+1)%n] <- v + 1
			}
		}()
	}
	chans[0] <- 1
	<-done
	for _, c := range chans {
		close(c)
	}
}

func BenchmarkRing(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("sim/goroutines=%d", n), func(b *testing.B) {
			s := gopatchrt.NewSim(1)
			if err := s.Run(func() { ringSim(n, b.N) }); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(s.Elapsed())/float64(b.N), "virtual-ns/hop")
		})
		b.Run(fmt.Sprintf("synctest/goroutines=%d", n), func(b *testing.B) {
			synctest.Test(&testing.T{}, func(*testing.T) { ringPlain(n, b.N) })
		})
	}
}

func TestRingBoth(t *testing.T) {
	s := gopatchrt.NewSim(1)
	if err := s.Run(func() { ringSim(10, 100) }); err != nil {
		t.Fatal(err)
	}
	// The sim wakes a sleeper 1ns after its deadline (docs/sim.md, "Virtual
	// clock"); synctest wakes it at the deadline.
	if s.Elapsed() != 100*time.Millisecond+100*time.Nanosecond {
		t.Errorf("sim: %v of virtual time", s.Elapsed())
	}
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		ringPlain(10, 100)
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("synctest: %v of virtual time", d)
		}
	})
}
