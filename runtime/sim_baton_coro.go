//go:build go1.23 && !gopatch_chanbaton

package gopatchrt

import (
	"iter"
	"runtime"
	"sync"
)

// The baton passed through coroutines. Each owned goroutine runs as a coroutine
// (iter.Pull) resumed by a driver goroutine. Passing the baton is two coroutine
// switches, into the driver and from it into the next goroutine, which bypass the
// Go scheduler's run queue: about half the cost of a channel hand-over, and the
// difference grows with the number of goroutines (BENCHMARKS.md).
//
// Drivers. A driver resumes a goroutine and, when that goroutine passes the baton
// on, resumes the one it names, so in the usual case one driver serves every
// goroutine in turn. A goroutine that hands the baton over but goes on running (an
// external call, the waiter of a channel hand-shake, the sim's loop) has a
// second driver resume the next one: an idle driver if there is one, else a new
// one. Drivers end with the sim. Those of every sim are counted together among
// the goroutines a sim knows of: one that ends after the next sim's Run counted
// the goroutines must not hide a goroutine started by unpatched code.
//
// Suspension. A goroutine that passes the baton to another cannot be picked
// before it has suspended: only the one it passed to could pick it, and that one
// runs only then. One that passes it to nobody can: the sim's loop or a goroutine
// running beside it may pick it in the moment between its unlocking the hub and
// its suspending. So such a goroutine marks itself parking, with the hub locked,
// and its driver clears the mark once it has suspended; a driver about to resume
// a goroutine marked parking waits for the mark to clear. The usual step costs
// two plain loads of the mark.
//
// A goroutine that ends with runtime.Goexit (t.FailNow) ends its coroutine so,
// and iter.Pull ends its driver the same way; the driver's deferred call starts
// another for the goroutine the ended one handed the baton to.

// baton is what a goroutine record needs to be suspended and resumed.
type baton struct {
	next  func() (struct{}, bool) // resumes the coroutine until it passes the baton or ends
	yield func(struct{}) bool     // suspends it, called from inside
	then  *simG                   // whom its driver resumes once it is suspended
	// parking is 1 from the moment it can be picked to the moment it has
	// suspended, when it passes the baton to nobody (see Suspension).
	parking atomicInt32
}

// drivers is what the sim needs to resume owned goroutines.
type drivers struct {
	idle     chan *simG    // drivers wait here for a goroutine to resume
	quit     chan struct{} // closed when the sim ends: idle drivers end
	quitOnce sync.Once
}

// liveDrivers counts the drivers of every sim, started and not ended.
var liveDrivers atomicInt32

func (s *Sim) initDrivers() {
	s.idle = make(chan *simG)
	s.quit = make(chan struct{})
}

// quitDrivers ends the idle drivers, and every other as it becomes idle.
func (s *Sim) quitDrivers() { s.quitOnce.Do(func() { close(s.quit) }) }

// driverCount is the number of drivers alive, of every sim.
func (s *Sim) driverCount() int32 { return liveDrivers.Load() }

// startG makes the owned goroutine g, which runs f once it is handed the baton.
func (s *Sim) startG(g *simG, f func()) {
	g.next, _ = iter.Pull(func(yield func(struct{}) bool) {
		g.yield = yield
		s.gmain(g, f)
	})
}

// pass gives up the baton held by g, the calling goroutine, to next (nil: nobody
// yet), and returns when g holds it again: g's driver resumes next.
func (s *Sim) pass(g, next *simG) {
	g.then = next
	g.yield(struct{}{})
}

// resume hands the baton to g, suspended in pass or not yet started, from a
// goroutine that goes on running: an idle driver, or a new one, resumes it.
func (s *Sim) resume(g *simG) {
	select {
	case s.idle <- g:
	default:
		liveDrivers.Add(1)
		go s.drive(g)
	}
}

// parkingLocked marks g, the calling goroutine, as about to pass the baton to
// nobody: from now on others may pick it (see Suspension). s.mu is held.
func (s *Sim) parkingLocked(g *simG) { g.parking.Store(1) }

// leave hands the baton to next (nil: nobody) from the owned goroutine g, which
// is about to end: its driver resumes next once g has.
func (s *Sim) leave(g, next *simG) { g.then = next }

// driverSlice is how many goroutines a driver resumes between two calls of
// runtime.Gosched at GOMAXPROCS 1: about 20 µs of scheduling steps.
const driverSlice = 128

// drive resumes g, then each goroutine the one before passed the baton to; when
// one names nobody it waits to be given another.
func (s *Sim) drive(g *simG) {
	defer func() {
		liveDrivers.Add(-1)
		if g == nil {
			return
		}
		// g's coroutine ended with runtime.Goexit, which next passed on to this
		// driver: another resumes the goroutine g handed the baton to.
		if n := g.then; n != nil {
			g.then = nil
			liveDrivers.Add(1)
			go s.drive(n)
		}
	}()
	for n := uint(0); ; {
		for g != nil {
			for g.parking.Load() != 0 {
				runtime.Gosched() // g is about to suspend (see Suspension)
			}
			// Coroutine switches bypass the Go scheduler, which would otherwise
			// see nothing but this driver for a whole time slice (10 ms) at a
			// time: with one processor, every so often it gets the processor back,
			// so that the sim's loop, free goroutines and timers run. With more,
			// they run on another, and giving the processor back would only move
			// the driver, and what it keeps in cache, from one to the other (30%
			// slower steps at GOMAXPROCS 2).
			if n++; n%driverSlice == 0 && runtime.GOMAXPROCS(0) == 1 {
				runtime.Gosched()
			}
			g.next()
			n := g.then
			g.then = nil
			if g.parking.Load() != 0 {
				g.parking.Store(0)
			}
			g = n
		}
		select {
		case g = <-s.idle:
		case <-s.quit:
			return
		}
	}
}
