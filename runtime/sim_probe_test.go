package gopatchrt_test

import (
	"context"
	"fmt"
	"runtime"
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

// Code the hub does not see can also send a value, or take one: a goroutine of a
// library that delivers results on its caller's channel. A goroutine waiting in
// the hub to receive that value, or to send to that reader, goes on once the
// process is quiet, with the value sent, instead of a false deadlock report.
func TestSimProbeUnpatchedData(t *testing.T) {
	cases := []struct {
		name string
		body func() (string, error)
	}{
		{"receive", func() (string, error) {
			data := make(chan int)
			go func() { // unpatched: the hub never sees its send
				time.Sleep(time.Millisecond)
				data <- 42
			}()
			return fmt.Sprint(gopatchrt.Recv(gr.At(24), data)), nil
		}},
		{"receive from a buffer", func() (string, error) {
			data := make(chan string, 1)
			go func() { // unpatched
				time.Sleep(time.Millisecond)
				data <- "buffered"
			}()
			v, ok := gopatchrt.Recv2(gr.At(25), data)
			return fmt.Sprintf("%v %v", v, ok), nil
		}},
		{"send", func() (string, error) {
			out, got := make(chan int), make(chan int, 1)
			go func() { // unpatched reader
				time.Sleep(time.Millisecond)
				got <- <-out
			}()
			gopatchrt.Send(gr.At(26), out, 7)
			return fmt.Sprint(<-got), nil
		}},
		{"select", func() (string, error) {
			data, never := make(chan int), make(chan int)
			go func() { // unpatched
				time.Sleep(time.Millisecond)
				data <- 5
			}()
			sel := gopatchrt.Select(gr.At(27), false, gopatchrt.RecvCase(never), gopatchrt.RecvCase(data))
			if sel.Index != 1 {
				return "", fmt.Errorf("select chose case %d", sel.Index)
			}
			return fmt.Sprint(gopatchrt.Received(sel, data)), nil
		}},
		{"select send", func() (string, error) {
			out, got := make(chan int), make(chan int, 1)
			go func() { // unpatched reader
				time.Sleep(time.Millisecond)
				got <- <-out
			}()
			sel := gopatchrt.Select(gr.At(28), false, gopatchrt.RecvCase(make(chan int)), gopatchrt.SendCase(out, 9))
			if sel.Index != 1 {
				return "", fmt.Errorf("select chose case %d", sel.Index)
			}
			return fmt.Sprint(<-got), nil
		}},
	}
	want := map[string]string{"receive": "42", "receive from a buffer": "buffered true", "send": "7", "select": "5", "select send": "9"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got string
			var err error
			ok, _, report := simtest.Try(1, func() bool {
				got, err = c.body()
				return true
			})
			if !ok {
				t.Fatal(report)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != want[c.name] {
				t.Errorf("got %q, want %q", got, want[c.name])
			}
		})
	}
}

// With no goroutine but owned ones, a value sent by unpatched code that an owned
// goroutine ran (a library function, say) is found before a deadlock is
// reported, and the run replays.
func TestSimProbeOwnedUnpatchedSend(t *testing.T) {
	var hashes []uint64
	for _, seed := range []uint64{1, 1} {
		var got int
		ok, s, report := simtest.Try(seed, func() bool {
			data, done := make(chan int, 1), make(chan int)
			gopatchrt.Go(gr.At(29), func() {
				v := gopatchrt.Recv(gr.At(30), data)
				gopatchrt.Send(gr.At(31), done, v+1)
			})
			gr.At(32).Sleep(time.Second) // the receiver parks
			data <- 1                    // unpatched
			got = gopatchrt.Recv(gr.At(33), done)
			return true
		})
		if !ok {
			t.Fatalf("seed %d: %s", seed, report)
		}
		if got != 2 {
			t.Errorf("seed %d: got %d, want 2", seed, got)
		}
		hashes = append(hashes, s.TraceHash())
	}
	if hashes[0] != hashes[1] {
		t.Errorf("seed 1 gave traces %x and %x", hashes[0], hashes[1])
	}
}

// Probing channels of data does not hide a deadlock, with or without a goroutine
// the hub does not know.
func TestSimProbeDataDeadlock(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	for _, stranger := range []bool{false, true} {
		_, _, report := simtest.Try(1, func() bool {
			if stranger {
				go func() { <-stop }() // unpatched, never enters the hub
			}
			data := make(chan int, 1)
			gopatchrt.Go(gr.At(34), func() { gopatchrt.Send(gr.At(35), make(chan int), 1) })
			gopatchrt.Recv(gr.At(36), data)
			return true
		})
		if want := "deadlock"; !strings.Contains(report, want) {
			t.Errorf("stranger %v: report = %q, want %q", stranger, report, want)
		}
	}
}

// settleGoroutines waits, for up to a second, until the number of goroutines has
// not changed for a millisecond: those of earlier tests still on their way out
// are gone.
func settleGoroutines() {
	n, since := runtime.NumGoroutine(), time.Now()
	for deadline := since.Add(time.Second); time.Now().Before(deadline) && time.Since(since) < time.Millisecond; {
		time.Sleep(50 * time.Microsecond)
		if m := runtime.NumGoroutine(); m != n {
			n, since = m, time.Now()
		}
	}
}

// The hub tells goroutines started by unpatched code by counting goroutines. When
// one of them starts as a goroutine from before Run exits, the count does not
// change; the hub still finds it, sleeping on the real clock, from its state
// before it reports a deadlock, and waits for it.
func TestSimStrangerHiddenByExit(t *testing.T) {
	settleGoroutines()
	release := make(chan struct{})
	go func() { <-release }() // from before Run; exits during it
	var got int
	ok, _, report := simtest.Try(1, func() bool {
		data := make(chan int)
		go func() { // unpatched: a stranger
			time.Sleep(5 * time.Millisecond)
			data <- 7
		}()
		n := runtime.NumGoroutine()
		close(release)
		for runtime.NumGoroutine() >= n { // the goroutine from before Run is gone
			runtime.Gosched()
		}
		got = gopatchrt.Recv(gr.At(37), data)
		return true
	})
	if !ok {
		t.Fatal(report)
	}
	if got != 7 {
		t.Errorf("got %d, want 7", got)
	}
}
