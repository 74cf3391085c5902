package gopatchrt

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSimFreeWaitHoldsClock: a free goroutine (the sim in force without Run) that
// waits in a rewritten select on a virtual hour and on a channel must not see the
// hour pass while another goroutine is still running and about to send on the
// channel: its own quiescence check, and the loop's, find that goroutine running.
// The sender keeps the hub active (patched Now) from before the wait begins, so
// that the loop's wall-clock fallback (simQuiet) does not move the clock either
// (a goroutine kept from a processor outside the hub for 2 ms is out of its
// sight, and the clock may move then by design), and sends through the hub:
// an unpatched send to a goroutine waiting in the hub is not seen (docs/sim.md,
// limits), and once it blocks every goroutine is blocked.
func TestSimFreeWaitHoldsClock(t *testing.T) {
	fb, s := freeSim(t)
	for round := 0; round < 20; round++ {
		c := make(chan int)
		var active, waiting atomic.Bool
		go func() {
			fb.At(3).Now()
			active.Store(true)
			for !waiting.Load() {
				fb.At(3).Now()
				runtime.Gosched()
			}
			for t0 := time.Now(); time.Since(t0) < time.Millisecond; {
				fb.At(3).Now()
			}
			Send(fb.At(4), c, round)
		}()
		for !active.Load() { // the sender is in the hub's sight from the start of the wait
			runtime.Gosched()
		}
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

// TestSimFreeHandshakeHoldsClock: two free goroutines that meet on an unbuffered
// channel through the hub (a hand-shake: the waiter is woken to receive for real
// while the sender sends for real) are making progress however long the waiter
// takes to get to its side, descheduled by the OS, say, or stopped by a stack read
// of the hub's. The hub sees no activity meanwhile, and its wall-clock fallback
// (simQuiet) must not take that for quiet and move the clock past a pending timer.
func TestSimFreeHandshakeHoldsClock(t *testing.T) {
	fb, s := freeSim(t)
	fb.At(1).After(time.Hour) // a pending timer the fallback could fire
	for round := 0; round < 3; round++ {
		c := make(chan int)
		key := chanKey(c)
		go func() {
			for { // send once the receiver waits in the hub: a hand-shake
				s.mu.Lock()
				_, waiting := s.waiters[key]
				s.mu.Unlock()
				if waiting {
					break
				}
				runtime.Gosched()
			}
			Send(fb.At(4), c, round)
		}()
		v0 := s.Elapsed()
		var got int
		s.chanOp(fb.At(5).site, []chanCase{{key: key, unbuffered: true}}, false, func() int {
			select {
			case got = <-c:
				return 0
			default:
				return -1
			}
		}, func(int) {
			time.Sleep(5 * simQuiet) // the waiter is slow to its side of the hand-shake
			got = <-c
		})
		if got != round {
			t.Fatalf("round %d: received %d", round, got)
		}
		if d := s.Elapsed() - v0; d != 0 {
			t.Fatalf("round %d: virtual time moved %v during a hand-shake", round, d)
		}
	}
}

// TestSimFreeWaitGroupWait: free goroutines sleeping on virtual time while another
// waits for them on a patched WaitGroup (which polls on wall time, so the process
// never looks quiescent) and a third waits in the hub for that one: the clock must
// move after 2 ms of quiet. The quiescence checks of the loop and of the free
// goroutines overlapped, their summed time exceeded the wall time, and
// github.com/alitto/pond's pool.Stop().Wait() hung so under GOPATCH_HUB=sim.
func TestSimFreeWaitGroupWait(t *testing.T) {
	fb, s := freeSim(t)
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				fb.At(2).Sleep(time.Millisecond)
			}
		}()
	}
	stopped := make(chan struct{})
	go func() {
		fb.At(3).WaitGroupWait(&wg)
		Close(fb.At(4), stopped)
	}()
	done := make(chan struct{})
	go func() {
		Recv(fb.At(4), stopped) // waits in the hub, looking again every millisecond
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("not done after 20s of wall time; virtual time %v", s.Elapsed())
	}
	if got, want := s.Elapsed(), 10*time.Millisecond; got < want {
		t.Errorf("virtual time %v, want at least %v", got, want)
	}
}

// Quiescence checks made at once count once in the time the loop leaves out of
// quiet: never more than the wall time they span.
func TestSimCheckClockOverlap(t *testing.T) {
	var c checkClock
	t0 := time.Now()
	c.begin()
	c.begin()
	time.Sleep(5 * time.Millisecond)
	c.end()
	time.Sleep(5 * time.Millisecond)
	c.end()
	now := time.Now()
	if got, wall := c.read(now), now.Sub(t0); got > wall {
		t.Errorf("checks counted %v in %v of wall time", got, wall)
	}
	if got := c.read(now); got < 10*time.Millisecond {
		t.Errorf("checks counted %v, want at least the 10ms they spanned", got)
	}
}

// TestSimFreeProbe: a free goroutine waiting in the hub for a channel that
// unpatched code closes (a context's cancel function) goes on before the clock
// moves for another goroutine's virtual timer: the hub probes it, as it probes
// owned ones, before it moves the clock. It used to learn of the close only at its
// next look, a millisecond of wall time later, and the other goroutine's timer
// won (github.com/alitto/pond's StopAndWait after a cancellation).
func TestSimFreeProbe(t *testing.T) {
	fb, s := freeSim(t)
	for round := 0; round < 20; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			Recv(fb.At(0), ctx.Done())
			Close(fb.At(1), done)
		}()
		time.Sleep(2 * time.Millisecond) // it waits in the hub by now, most likely
		cancel()                         // unpatched
		v0 := s.Elapsed()
		sel := Select(fb.At(2), false, RecvCase(done), RecvCase(fb.At(3).After(250*time.Millisecond)))
		if sel.Index != 0 {
			t.Fatalf("round %d: the virtual timer won (virtual time %v → %v)", round, v0, s.Elapsed())
		}
	}
}

// TestSimFreeHandshakeNotStolen: free goroutines receiving in a loop through the
// hub on one unbuffered channel while another sends through it. A sender that
// finds a receiver parked in the hub hands it the value in a real send (a
// hand-shake); a receiver arriving meanwhile must not take that value with its
// own non-blocking try, or the chosen receiver blocks for ever in its real
// receive and the sender with it (github.com/alitto/pond's
// TestTaskGroupWaitingTasks hung so under GOPATCH_HUB=sim).
func TestSimFreeHandshakeNotStolen(t *testing.T) {
	fb, _ := freeSim(t)
	const n = 3000
	c := make(chan int)
	var got atomic.Int64
	for r := 0; r < 3; r++ {
		go func() {
			for {
				v := Recv(fb.At(0), c)
				if v < 0 {
					return
				}
				got.Add(1)
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			Send(fb.At(1), c, i)
		}
		for r := 0; r < 3; r++ {
			Send(fb.At(1), c, -1)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the sender hung after %d of %d values", got.Load(), n)
	}
	if g := got.Load(); g != n {
		t.Fatalf("received %d values, want %d", g, n)
	}
}

// TestSimProbeSendOnClosed: a free goroutine waiting in the hub to send on a
// channel that unpatched code then closes panics with "send on closed channel"
// in its own goroutine, as Go's send would, when the hub probes it before a
// clock move; the probe used to panic on the goroutine that moved the clock.
func TestSimProbeSendOnClosed(t *testing.T) {
	if raceDetector {
		t.Skip("a close unordered with a send is a race by definition, and the race detector reports it")
	}
	fb, _ := freeSim(t)
	for round := 0; round < 10; round++ {
		c := make(chan int)
		res := make(chan any, 1)
		go func() {
			defer func() { res <- recover() }()
			Send(fb.At(1), c, round)
		}()
		time.Sleep(2 * time.Millisecond) // it waits in the hub by now, most likely
		close(c)                         // unpatched
		fb.At(2).Sleep(time.Millisecond) // a clock move: the hub probes first
		select {
		case r := <-res:
			if err, ok := r.(error); !ok || err.Error() != "send on closed channel" {
				t.Fatalf("round %d: the sender recovered %v, want a send on closed channel", round, r)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: the sender did not return", round)
		}
	}
}

// TestSimFreeRunnableHoldsClock: at GOMAXPROCS 1 a goroutine that is runnable but
// shows nothing in the hub, for longer than simQuiet, holds the clock of the
// wall-clock fallback, up to simBusyQuiet and simBusyLooks: on a loaded machine a
// goroutine the hub has just woken can wait that long for the OS to run it, and
// the clock moved under it (TestSimFreeAwaitProbe and
// TestSimFreeHandshakeHoldsClock failed about once in a hundred runs of the suite
// beside a build). Here a goroutine yields in a loop, runnable each time the loop
// looks, until the loop has held the clock for it once (or for 100ms, which fails
// the test); the sleep must end after it. Without the hold the hour passed after
// simQuiet.
func TestSimFreeRunnableHoldsClock(t *testing.T) {
	var samples [2]metrics.Sample
	if !readSchedCounts(&samples) {
		t.Skip("this Go has no scheduler counts")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	fb, s := freeSim(t)
	holds := func() uint64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.busyHolds
	}
	for round := 0; round < 3; round++ {
		var done atomic.Bool
		h0 := holds()
		go func() {
			for t0 := time.Now(); holds() == h0 && time.Since(t0) < 100*time.Millisecond; {
				runtime.Gosched()
			}
			done.Store(true)
		}()
		v0 := s.Elapsed()
		fb.At(1).Sleep(time.Hour)
		if !done.Load() {
			t.Fatalf("round %d: the clock moved %v while a goroutine was runnable", round, s.Elapsed()-v0)
		}
		if holds() == h0 {
			t.Fatalf("round %d: the loop never held the clock for the runnable goroutine", round)
		}
	}
}
