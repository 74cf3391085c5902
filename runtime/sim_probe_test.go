package gopatchrt_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

// Code the hub does not see can close a channel: a context's cancel function, the
// cancellation a sim context passes on to contexts made from it by unpatched code,
// an unpatched close. A goroutine waiting for it in the hub goes on at the virtual
// time it was closed, not never (a false deadlock) nor at the next timer.

var gr = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/probe_test", 32, "time,sync,go,chan")

// probeCases are bodies that wait in the hub for a channel made ready by
// unpatched code; each returns the virtual time it waited and the error it saw.
var probeCases = []struct {
	name    string
	want    time.Duration
	wantErr error
	body    func() (time.Duration, error)
}{
	{"cancel", time.Second + lag, context.Canceled, func() (time.Duration, error) {
		ctx, cancel := context.WithCancel(context.Background())
		t0 := gr.At(0).Now()
		gopatchrt.Go(gr.At(1), func() {
			gr.At(2).Sleep(time.Second)
			cancel() // unpatched: closes ctx.Done()
			gr.At(3).Sleep(time.Hour)
		})
		gopatchrt.Recv(gr.At(4), ctx.Done())
		return gr.At(5).Since(t0), ctx.Err()
	}},
	// The child is a cancel context of the sim context's own (docs/sim.md,
	// "Contexts"), cancelled at once with it but with context.Canceled.
	{"child of a sim context", 5*time.Second + lag, context.Canceled, func() (time.Duration, error) {
		ctx, cancel := gopatchrt.WithTimeout(gr.At(6), context.Background(), 5*time.Second)
		defer cancel()
		child, ccancel := context.WithCancel(ctx) // unpatched
		defer ccancel()
		t0 := gr.At(7).Now()
		gopatchrt.Recv(gr.At(8), child.Done())
		if ctx.Err() != context.DeadlineExceeded {
			return 0, fmt.Errorf("the sim context's error is %v", ctx.Err())
		}
		return gr.At(9).Since(t0), child.Err()
	}},
	{"select on a channel closed by unpatched code", time.Second + lag, nil, func() (time.Duration, error) {
		quit, data, more := make(chan struct{}), make(chan int), make(chan struct{})
		t0 := gr.At(10).Now()
		gopatchrt.Go(gr.At(11), func() {
			gr.At(12).Sleep(time.Second)
			close(quit) // unpatched
			gr.At(13).Sleep(time.Hour)
		})
		sel := gopatchrt.Select(gr.At(14), false, gopatchrt.RecvCase(data), gopatchrt.RecvCase(quit), gopatchrt.RecvCase(more))
		if sel.Index != 1 {
			return 0, fmt.Errorf("select chose case %d", sel.Index)
		}
		return gr.At(15).Since(t0), nil
	}},
}

func TestSimProbeUnpatchedClose(t *testing.T) {
	for _, c := range probeCases {
		t.Run(c.name, func(t *testing.T) {
			var hashes []uint64
			for _, seed := range []uint64{1, 1, 2} {
				var waited time.Duration
				var err error
				ok, s, report := simtest.Try(seed, func() bool {
					waited, err = c.body()
					return true
				})
				if !ok {
					t.Fatalf("seed %d: %s", seed, report)
				}
				if waited != c.want {
					t.Errorf("seed %d: waited %v of virtual time, want %v", seed, waited, c.want)
				}
				if err != c.wantErr {
					t.Errorf("seed %d: error %v, want %v", seed, err, c.wantErr)
				}
				hashes = append(hashes, s.TraceHash())
			}
			if hashes[0] != hashes[1] {
				t.Errorf("seed 1 gave traces %x and %x", hashes[0], hashes[1])
			}
		})
	}
}

// Probing does not hide a deadlock.
func TestSimProbeDeadlock(t *testing.T) {
	_, _, report := simtest.Try(1, func() bool {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		gopatchrt.Go(gr.At(16), func() { gopatchrt.Recv(gr.At(17), ctx.Done()) })
		gopatchrt.Recv(gr.At(18), ctx.Done())
		return true
	})
	if want := "deadlock"; !strings.Contains(report, want) {
		t.Fatalf("report = %q, want %q", report, want)
	}
}

// The summary line says when goroutines the hub does not own entered it, since
// the seed does not fix how they interleave with owned ones.
func TestSimSummaryFree(t *testing.T) {
	for _, free := range []bool{false, true} {
		_, s, report := simtest.Try(1, func() bool {
			done := make(chan struct{})
			body := func() {
				gr.At(19).Sleep(time.Second)
				gopatchrt.Close(gr.At(20), done)
			}
			if free {
				go body() // unpatched go statement: not owned
			} else {
				gopatchrt.Go(gr.At(21), body)
			}
			gopatchrt.Recv(gr.At(22), done)
			return true
		})
		if report != "" {
			t.Fatal(report)
		}
		got := s.Summary()
		if has := strings.Contains(got, " free=1 "); has != free {
			t.Errorf("free goroutine %v: summary %q", free, got)
		}
	}
}

// A goroutine the hub does not know holds off the deadlock report while it may
// yet act; once the process is quiet the deadlock is still reported.
func TestSimDeadlockWithStranger(t *testing.T) {
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	_, _, report := simtest.Try(1, func() bool {
		go func() { <-stop }() // unpatched, never enters the hub
		gopatchrt.Recv(gr.At(23), make(chan struct{}))
		return true
	})
	if !strings.Contains(report, "no goroutine has made progress") {
		t.Fatalf("report = %q", report)
	}
	wall := time.Since(start)
	t.Logf("deadlock found after %v", wall)
	if wall > time.Second {
		t.Errorf("deadlock found after %v", wall)
	}
}
