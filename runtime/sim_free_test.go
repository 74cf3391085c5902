package gopatchrt

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestSimFreeWaitHoldsClock: a free goroutine (the sim in force without Run) that
// waits in a rewritten select on a virtual hour and on a channel must not see the
// hour pass while another goroutine is still running and about to send on the
// channel: its own quiescence check, and the loop's, find that goroutine running.
// The sender keeps the hub active (patched Now) so that the loop's wall-clock
// fallback (simQuiet) does not move the clock either, and sends through the hub:
// an unpatched send to a goroutine waiting in the hub is not seen (docs/sim.md,
// limits), and once it blocks every goroutine is blocked.
func TestSimFreeWaitHoldsClock(t *testing.T) {
	fb := freeBench()
	s := NewSim(1)
	prev := Use(s)
	defer func() {
		Use(prev)
		s.stop()
	}()
	for round := 0; round < 20; round++ {
		c := make(chan int)
		var waiting atomic.Bool
		go func() {
			for !waiting.Load() {
			}
			for t0 := time.Now(); time.Since(t0) < time.Millisecond; {
				fb.At(3).Now()
			}
			Send(fb.At(4), c, round)
		}()
		v0 := s.Elapsed()
		waiting.Store(true)
		select {
		case <-SelectRecv(fb.At(0), 0, 2, false, fb.At(1).After(time.Hour)):
			t.Fatalf("round %d: the virtual hour passed while the sender was running (%v)", round, s.Elapsed()-v0)
		case v := <-SelectRecv(fb.At(0), 1, 2, false, c):
			if v != round {
				t.Fatalf("got %d, want %d", v, round)
			}
		}
		if d := s.Elapsed() - v0; d != 0 {
			t.Fatalf("round %d: virtual time moved %v", round, d)
		}
	}
	// With nobody else running the same wait takes the hour at once.
	v0 := s.Elapsed()
	select {
	case <-SelectRecv(fb.At(0), 0, 2, false, fb.At(1).After(time.Hour)):
	case <-SelectRecv(fb.At(0), 1, 2, false, make(chan int)):
		t.Fatal("a channel nobody sends on was chosen")
	}
	if d := s.Elapsed() - v0; d != time.Hour+simWakeLag {
		t.Fatalf("virtual time moved %v, want 1h+1ns", d)
	}
}
