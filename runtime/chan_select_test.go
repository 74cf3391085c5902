package gopatchrt_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

// The select statements below are written the way gopatch rewrites them: the
// statement stays, each case's operands go through SelectRecv, SelectSend and
// SelectValue (or SelectSendConst) at one site.
var gs = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/select_test", 40, "chan,time,go")

// pick2 is a select of two receives; it returns the case taken and what it got.
func pick2(a, b <-chan int) (int, int, bool) {
	select {
	case v, ok := <-gopatchrt.SelectRecv(gs.At(0), 0, 2, false, a):
		return 0, v, ok
	case v, ok := <-gopatchrt.SelectRecv(gs.At(0), 1, 2, false, b):
		return 1, v, ok
	}
}

func TestSelectPassthrough(t *testing.T) {
	a, b := make(chan int, 1), make(chan int, 1)
	if gopatchrt.SelectRecv(gs.At(1), 0, 1, false, a) != (<-chan int)(a) {
		t.Error("SelectRecv does not return its channel under passthrough")
	}
	if gopatchrt.SelectSend(gs.At(1), 0, 1, false, b) != (chan<- int)(b) {
		t.Error("SelectSend does not return its channel under passthrough")
	}
	if gopatchrt.SelectSendConst(gs.At(1), 0, 1, false, b, 1) != (chan<- int)(b) {
		t.Error("SelectSendConst does not return its channel under passthrough")
	}
	b <- 7
	if k, v, ok := pick2(a, b); k != 1 || v != 7 || !ok {
		t.Errorf("pick2 = %d, %d, %v", k, v, ok)
	}
	b <- 0 // full: the send case is never ready
	allocs := testing.AllocsPerRun(100, func() {
		a <- 1
		select {
		case v := <-gopatchrt.SelectRecv(gs.At(2), 0, 2, true, a):
			_ = v
		case gopatchrt.SelectSend(gs.At(2), 1, 2, true, b) <- gopatchrt.SelectValue(2):
		default:
		}
	})
	if allocs != 0 {
		t.Errorf("a passthrough select allocates %v times", allocs)
	}
}

// TestSimSelectSeeded: with both channels ready, which case a select takes is the
// seed's choice, the same in every run of the seed, and not always the same case.
func TestSimSelectSeeded(t *testing.T) {
	run := func(seed uint64) string {
		var out strings.Builder
		ok, _, report := simtest.Try(seed, func() bool {
			a, b := make(chan int, 1), make(chan int, 1)
			for i := 0; i < 32; i++ {
				gopatchrt.Send(gs.At(3), a, i)
				gopatchrt.Send(gs.At(4), b, -i-1)
				k, v, ok := pick2(a, b)
				if !ok || (k == 0) != (v >= 0) {
					return false
				}
				fmt.Fprint(&out, k)
				// drain the other
				if k == 0 {
					gopatchrt.Recv(gs.At(5), b)
				} else {
					gopatchrt.Recv(gs.At(5), a)
				}
			}
			return true
		})
		if !ok {
			t.Fatalf("seed %d: %s", seed, report)
		}
		return out.String()
	}
	distinct := map[string]bool{}
	for seed := uint64(1); seed <= 5; seed++ {
		first := run(seed)
		if again := run(seed); again != first {
			t.Errorf("seed %d: %s, then %s", seed, first, again)
		}
		if !strings.Contains(first, "0") || !strings.Contains(first, "1") {
			t.Errorf("seed %d always takes one case: %s", seed, first)
		}
		distinct[first] = true
	}
	if len(distinct) < 2 {
		t.Errorf("5 seeds make %d distinct choices", len(distinct))
	}
}

func TestSimSelectDefaultClosedNil(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		idle := make(chan int)
		var never chan int // nil: never ready
		took := ""
		select {
		case <-gopatchrt.SelectRecv(gs.At(6), 0, 2, true, idle):
			took = "idle"
		case <-gopatchrt.SelectRecv(gs.At(6), 1, 2, true, never):
			took = "nil"
		default:
			took = "default"
		}
		if took != "default" {
			t.Errorf("took %s, want default", took)
		}

		closed := make(chan int, 1)
		close(closed)
		for i := 0; i < 10; i++ { // the nil channel is never chosen, the closed one always
			select {
			case v, ok := <-gopatchrt.SelectRecv(gs.At(7), 0, 2, false, never):
				t.Errorf("received %d, %v from a nil channel", v, ok)
			case v, ok := <-gopatchrt.SelectRecv(gs.At(7), 1, 2, false, closed):
				if v != 0 || ok {
					t.Errorf("closed channel gave %d, %v", v, ok)
				}
			}
		}

		// A ready case beats the default.
		ready := make(chan error, 1)
		ready <- nil // a nil interface value, received with ok
		select {
		case err, ok := <-gopatchrt.SelectRecv(gs.At(8), 0, 1, true, ready):
			if err != nil || !ok {
				t.Errorf("got %v, %v", err, ok)
			}
		default:
			t.Error("default taken with a ready case")
		}
	})
}

type failure struct{}

func (failure) Error() string { return "failure" }

func TestSimSelectSend(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		full, out := make(chan int, 1), make(chan any, 1)
		full <- 0
		errc := make(chan error, 1)
		for i := 0; i < 3; i++ {
			select {
			case gopatchrt.SelectSend(gs.At(9), 0, 3, false, full) <- gopatchrt.SelectValue(1):
				t.Error("sent on a full channel")
			case gopatchrt.SelectSend(gs.At(9), 1, 3, false, out) <- gopatchrt.SelectValue(&failure{}):
				if v := gopatchrt.Recv(gs.At(10), out); v != any(&failure{}) && v.(*failure) == nil {
					t.Errorf("out got %v", v)
				}
			case gopatchrt.SelectSendConst(gs.At(9), 2, 3, false, errc, nil) <- nil:
				if err := gopatchrt.Recv(gs.At(11), errc); err != nil {
					t.Errorf("errc got %v", err)
				}
			}
		}
		if len(full) != 1 || len(out) != 0 || len(errc) != 0 {
			t.Errorf("after the selects: full %d, out %d, errc %d", len(full), len(out), len(errc))
		}

		// Sends and receives with partners on unbuffered channels.
		in, ack := make(chan int), make(chan string)
		gopatchrt.Go(gs.At(12), func() {
			gopatchrt.Send(gs.At(13), in, 42)
			v := gopatchrt.Recv(gs.At(15), in)
			gopatchrt.Send(gs.At(14), ack, fmt.Sprint("got ", v))
		})
		select {
		case v := <-gopatchrt.SelectRecv(gs.At(16), 0, 1, false, in):
			if v != 42 {
				t.Errorf("received %d", v)
			}
		}
		select {
		case gopatchrt.SelectSend(gs.At(17), 0, 2, false, in) <- gopatchrt.SelectValue(43):
		case <-gopatchrt.SelectRecv(gs.At(17), 1, 2, false, ack):
			t.Error("ack before the send")
		}
		select {
		case s := <-gopatchrt.SelectRecv(gs.At(18), 0, 1, false, ack):
			if s != "got 43" {
				t.Errorf("ack %q", s)
			}
		}
	})
}

func TestSimSelectSendOnClosedPanics(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		c := make(chan int, 1)
		close(c)
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "closed channel") {
				t.Errorf("recovered %v, want a send on a closed channel", r)
			}
		}()
		select {
		case gopatchrt.SelectSend(gs.At(20), 0, 1, false, c) <- gopatchrt.SelectValue(1):
		}
		t.Error("sent on a closed channel")
	})
}

// TestSimSelectTimer: a select on an idle channel and a patched time.After waits
// on the virtual clock.
func TestSimSelectTimer(t *testing.T) {
	s := simtest.Run(t, func(t *testing.T) {
		idle := make(chan int)
		start := gs.At(21).Now()
		timedOut := 0
		for i := 0; i < 3; i++ {
			select {
			case <-gopatchrt.SelectRecv(gs.At(22), 0, 2, false, idle):
				t.Error("idle channel ready")
			case <-gopatchrt.SelectRecv(gs.At(22), 1, 2, false, gs.At(23).After(time.Hour)):
				timedOut++
			}
		}
		if timedOut != 3 {
			t.Errorf("timed out %d times", timedOut)
		}
		if d := gs.At(24).Since(start); d != 3*(time.Hour+lag) {
			t.Errorf("virtual time %v", d)
		}
	})
	if s.Elapsed() != 3*(time.Hour+lag) {
		t.Errorf("Elapsed %v", s.Elapsed())
	}
}

// nested runs a select whose operand runs a select.
func nested(a, b chan int) int {
	inner := func() <-chan int {
		select {
		case v := <-gopatchrt.SelectRecv(gs.At(25), 0, 1, false, a):
			c := make(chan int, 1)
			c <- v * 10
			return c
		}
	}
	select {
	case v := <-gopatchrt.SelectRecv(gs.At(26), 0, 2, false, b):
		return v
	case v := <-gopatchrt.SelectRecv(gs.At(26), 1, 2, false, inner()):
		return v
	}
}

func TestSimSelectNestedAndPanicked(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		a, b := make(chan int, 1), make(chan int)
		a <- 4
		if v := nested(a, b); v != 40 {
			t.Errorf("nested = %d", v)
		}
		// A select whose evaluation panics leaves a frame behind; the next one
		// still works.
		func() {
			defer func() { recover() }()
			var p *chan int
			select {
			case <-gopatchrt.SelectRecv(gs.At(27), 0, 2, false, a):
			case <-gopatchrt.SelectRecv(gs.At(27), 1, 2, false, *p):
			}
		}()
		a <- 5
		if v := nested(a, b); v != 50 {
			t.Errorf("nested after a panic = %d", v)
		}
	})
}

// TestSimSelectBlock: select {} blocks the goroutine in the hub; with everything
// else blocked the sim reports a deadlock rather than hanging.
func TestSimSelectBlock(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		gopatchrt.Go(gs.At(28), func() { panic(gopatchrt.SelectBlock(gs.At(29))) })
		gs.At(30).Sleep(time.Second) // the blocked goroutine does not stop the clock
	})
	ok, _, report := simtest.Try(1, func() bool {
		panic(gopatchrt.SelectBlock(gs.At(31)))
	})
	if ok || !strings.Contains(report, "deadlock") {
		t.Errorf("select {} in the only goroutine: ok=%v, report %q", ok, firstLine(report))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
