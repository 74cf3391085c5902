package gopatchrt_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

var gx = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/goexit_test", 8, "time,go,chan")

// TestSimGoexit: an owned goroutine that ends with runtime.Goexit (t.FailNow in a
// goroutine of a test) runs its deferred calls and hands the baton on, and the
// others go on at the virtual times they would have; a seed gives one trace at
// GOMAXPROCS 1 and 2.
func TestSimGoexit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first uint64
	for _, procs := range []int{1, 2, 1, 2} {
		runtime.GOMAXPROCS(procs)
		s := gopatchrt.NewSim(7)
		var order []string
		err := s.Run(func() {
			done := make(chan string, 3)
			for i := 0; i < 3; i++ {
				i := i
				gopatchrt.Go(gx.At(0), func() {
					defer gopatchrt.Send(gx.At(1), done, fmt.Sprint("exit ", i))
					gx.At(2).Sleep(time.Duration(i+1) * time.Second)
					if i == 1 {
						runtime.Goexit()
					}
					gx.At(3).Sleep(time.Second)
				})
			}
			for i := 0; i < 3; i++ {
				order = append(order, gopatchrt.Recv(gx.At(4), done))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		// Goroutines 0 and 1 end at 2s (plus lags), goroutine 2 at 4s+2lag.
		if got, want := fmt.Sprint(order), "[exit 0 exit 1 exit 2]"; got != want {
			t.Errorf("GOMAXPROCS %d: order %s, want %s", procs, got, want)
		}
		if got, want := s.Elapsed(), 4*time.Second+2*lag; got != want {
			t.Errorf("GOMAXPROCS %d: virtual time %v, want %v", procs, got, want)
		}
		if first == 0 {
			first = s.TraceHash()
		} else if h := s.TraceHash(); h != first {
			t.Errorf("GOMAXPROCS %d: trace %x, %x before", procs, h, first)
		}
	}
}

// TestSimGoexitMain: a test body that ends with runtime.Goexit (t.FailNow) ends
// the run as a return would, and the next sim runs as usual.
func TestSimGoexitMain(t *testing.T) {
	s := gopatchrt.NewSim(1)
	deferred := false
	err := s.Run(func() {
		gopatchrt.Go(gx.At(5), func() { gx.At(6).Sleep(time.Hour) })
		defer func() { deferred = true }()
		gx.At(7).Sleep(time.Second)
		runtime.Goexit()
	})
	if err != nil || !deferred {
		t.Fatalf("Run = %v, deferred call ran: %v", err, deferred)
	}
	if got, want := s.Elapsed(), time.Second+lag; got != want {
		t.Errorf("virtual time %v, want %v", got, want)
	}
	next := gopatchrt.NewSim(1)
	if err := next.Run(func() { gx.At(7).Sleep(time.Minute) }); err != nil {
		t.Fatal(err)
	}
	if got, want := next.Elapsed(), time.Minute+lag; got != want {
		t.Errorf("next sim: virtual time %v, want %v", got, want)
	}
}

// TestSimPanic: a panic in an owned goroutine fails the run with the panic's value,
// its stack and the seed, and that goroutine ends (its driver too) instead of
// staying blocked for good.
func TestSimPanic(t *testing.T) {
	s := gopatchrt.NewSim(3)
	err := s.Run(func() {
		gopatchrt.Go(gx.At(5), func() {
			gx.At(6).Sleep(time.Second)
			panic("boom")
		})
		gopatchrt.Recv(gx.At(4), make(chan string)) // abandoned when the run fails
	})
	if err == nil {
		t.Fatal("Run = nil, want the panic")
	}
	for _, want := range []string{"panic in goroutine 1: boom", "TestSimPanic.func1.1", "seed=3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Run = %v\nwant %q in it", err, want)
		}
	}
	// The panicking goroutine is gone; the abandoned one is still parked.
	deadline := time.Now().Add(time.Second)
	for {
		buf := make([]byte, 1<<20)
		all := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(all, "TestSimPanic.func1.1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the goroutine that panicked is still there:\n%s", all)
		}
		time.Sleep(time.Millisecond)
	}
}
