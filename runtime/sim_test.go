package gopatchrt_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

// Code below is written the way gopatch writes patched code: every blocking call
// goes through a site of the package `gp`.
var gp = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/simtest_test", 67, "time,sync,go,chan,net,http")

// lag is how late a virtual timer fires: 1ns after its deadline, so that a
// sleeper always sees more than it slept (docs/sim.md, "Time").
const lag = time.Nanosecond

func TestSimSleepHour(t *testing.T) {
	start := time.Now()
	s := simtest.Run(t, func(t *testing.T) {
		t0 := gp.At(0).Now()
		for i := 0; i < 3600; i++ {
			gp.At(1).Sleep(time.Second)
		}
		if got := gp.At(2).Since(t0); got != time.Hour+3600*lag {
			t.Errorf("Since = %v, want 1h3.6µs", got)
		}
	})
	if s.Elapsed() != time.Hour+3600*lag {
		t.Errorf("Elapsed = %v", s.Elapsed())
	}
	if wall := time.Since(start); wall > time.Second {
		t.Errorf("an hour of virtual sleeps took %v of wall time", wall)
	}
}

// pingPong: n goroutines pass a token round a ring of unbuffered channels, with
// sleeps, and a wait group ends it. It closes the ring and waits for every
// goroutine to return: one left blocked when the sim returns is abandoned, and
// the tests that run this hundreds of times in one process would leave thousands,
// which every later read of all stacks (the hub's checks, its blocked-hub
// detector) goes through.
func pingPong(t testing.TB, n, rounds int) []int {
	var order []int
	chans := make([]chan int, n)
	for i := range chans {
		chans[i] = make(chan int)
	}
	done := make(chan struct{})
	exited := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		i := i
		gopatchrt.Go(gp.At(3), func() {
			defer gopatchrt.Send(gp.At(64), exited, struct{}{})
			for {
				v, ok := gopatchrt.Recv2(gp.At(4), chans[i])
				if !ok {
					return
				}
				order = append(order, i)
				gp.At(5).Sleep(time.Duration(i+1) * time.Millisecond)
				if v == n*rounds {
					gopatchrt.Close(gp.At(6), done)
					return
				}
				gopatchrt.Send(gp.At(7), chans[(i+1)%n], v+1)
			}
		})
	}
	gopatchrt.Send(gp.At(8), chans[0], 1)
	gopatchrt.Recv(gp.At(9), done)
	for _, c := range chans {
		gopatchrt.Close(gp.At(65), c)
	}
	for i := 0; i < n; i++ {
		gopatchrt.Recv(gp.At(66), exited)
	}
	return order
}

func TestSimDeterministic(t *testing.T) {
	hash := func(seed uint64) uint64 {
		_, s, report := simtest.Try(seed, func() bool { pingPong(t, 5, 20); return true })
		if report != "" {
			t.Fatal(report)
		}
		return s.TraceHash()
	}
	h1 := hash(1234)
	for i := 0; i < 10; i++ {
		if h := hash(1234); h != h1 {
			t.Fatalf("seed 1234 gave trace %x then %x", h1, h)
		}
	}
	if hash(1235) == h1 {
		t.Errorf("seeds 1234 and 1235 gave the same trace")
	}
}

func TestSimDeadlock(t *testing.T) {
	start := time.Now()
	_, _, report := simtest.Try(1, func() bool {
		a, b := make(chan int), make(chan int)
		gopatchrt.Go(gp.At(10), func() { gopatchrt.Recv(gp.At(11), a); gopatchrt.Send(gp.At(12), b, 1) })
		gopatchrt.Recv(gp.At(13), b)
		return true
	})
	if !strings.Contains(report, "deadlock") || !strings.Contains(report, "sim_test.go") {
		t.Fatalf("report = %q", report)
	}
	wall := time.Since(start)
	t.Logf("deadlock found after %v", wall)
	if wall > time.Second {
		t.Errorf("deadlock found after %v", wall)
	}
}

func TestSimBlockedInvisible(t *testing.T) {
	start := time.Now()
	_, _, report := simtest.Try(1, func() bool {
		gp.At(14).Sleep(time.Second)
		<-make(chan int) // unpatched: the hub cannot see it
		return true
	})
	if !strings.Contains(report, "cannot see") || !strings.Contains(report, "sim_test.go") {
		t.Fatalf("report = %q", report)
	}
	// The detector aims at 10-20ms; the bound here is loose because shared test
	// machines stall the process for longer than that.
	wall := time.Since(start)
	t.Logf("blocked goroutine found after %v", wall)
	if wall > time.Second {
		t.Errorf("blocked goroutine found after %v", wall)
	}
}

func TestSimTimers(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		t0 := gp.At(15).Now()
		tm := gp.At(16).NewTimer(time.Minute)
		if !gp.At(17).TimerStop(tm) {
			t.Error("Stop of a pending timer = false")
		}
		gp.At(18).TimerReset(tm, 2*time.Minute)
		at := gopatchrt.Recv(gp.At(19), tm.C)
		if d := at.Sub(t0); d != 2*time.Minute+lag {
			t.Errorf("timer fired after %v", d)
		}
		tk := gp.At(20).NewTicker(10 * time.Second)
		for i := 1; i <= 3; i++ {
			at := gopatchrt.Recv(gp.At(21), tk.C)
			if d := at.Sub(t0); d != 2*time.Minute+time.Duration(i)*10*time.Second+2*lag {
				t.Errorf("tick %d after %v", i, d)
			}
		}
		gp.At(22).TickerStop(tk)
		var fired time.Time
		done := make(chan bool)
		gp.At(23).AfterFunc(time.Hour, func() { fired = gp.At(24).Now(); gopatchrt.Send(gp.At(25), done, true) })
		select {
		case <-done:
		default:
		}
		gopatchrt.Recv(gp.At(26), gp.At(27).After(2*time.Hour))
		gopatchrt.Recv(gp.At(28), done)
		if d := fired.Sub(t0); d != 2*time.Minute+30*time.Second+time.Hour+3*lag {
			t.Errorf("AfterFunc ran after %v", d)
		}
		ctx, cancel := gopatchrt.WithTimeout(gp.At(29), context.Background(), 5*time.Second)
		defer cancel()
		before := gp.At(30).Now()
		gopatchrt.Recv(gp.At(31), ctx.Done())
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) || gp.At(32).Since(before) != 5*time.Second+lag {
			t.Errorf("ctx: %v after %v", ctx.Err(), gp.At(33).Since(before))
		}
	})
}

func TestSimSelectAndMutex(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		var mu sync.Mutex
		count := 0
		in, quit := make(chan int), make(chan struct{})
		results := make(chan int, 1)
		gopatchrt.Go(gp.At(34), func() {
			sum := 0
			for {
				switch _s := gopatchrt.Select(gp.At(35), false, gopatchrt.RecvCase(in), gopatchrt.RecvCase(quit)); _s.Index {
				case 0:
					v := gopatchrt.Received(_s, in)
					sum += v
				case 1:
					gopatchrt.Send(gp.At(36), results, sum)
					return
				}
			}
		})
		var wg sync.WaitGroup
		for i := 1; i <= 10; i++ {
			i := i
			wg.Add(1)
			gopatchrt.Go(gp.At(37), func() {
				defer wg.Done()
				gp.At(38).MutexLock(&mu)
				c := count
				gp.At(39).Sleep(time.Millisecond) // hold the lock across a scheduling point
				count = c + 1
				gp.At(40).MutexUnlock(&mu)
				gopatchrt.Send(gp.At(41), in, i)
			})
		}
		for {
			gp.At(42).MutexLock(&mu)
			n := count
			gp.At(43).MutexUnlock(&mu)
			if n == 10 {
				break
			}
			gp.At(44).Sleep(time.Millisecond)
		}
		gp.At(45).Sleep(time.Second)
		gopatchrt.Close(gp.At(46), quit)
		if sum := gopatchrt.Recv(gp.At(47), results); sum != 55 {
			t.Errorf("sum = %d", sum)
		}
		switch _s := gopatchrt.Select(gp.At(48), true, gopatchrt.RecvCase(in)); _s.Index {
		case 0:
			t.Error("received from an idle channel")
		default:
		}
	})
}

func TestSimWaitGroupCondOnce(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		var wg sync.WaitGroup
		var once sync.Once
		var mu sync.Mutex
		cond := sync.NewCond(&mu)
		ready, inits := 0, 0
		for i := 0; i < 5; i++ {
			gp.At(49).WaitGroupAdd(&wg, 1)
			gopatchrt.Go(gp.At(50), func() {
				defer gp.At(51).WaitGroupDone(&wg)
				gp.At(52).OnceDo(&once, func() { gp.At(53).Sleep(time.Second); inits++ })
				gp.At(54).MutexLock(&mu)
				ready++
				gp.At(55).CondBroadcast(cond)
				gp.At(56).MutexUnlock(&mu)
			})
		}
		gp.At(57).MutexLock(&mu)
		for ready < 5 {
			gp.At(58).CondWait(cond)
		}
		gp.At(59).MutexUnlock(&mu)
		gp.At(60).WaitGroupWait(&wg)
		if inits != 1 {
			t.Errorf("once ran %d times", inits)
		}
	})
}
