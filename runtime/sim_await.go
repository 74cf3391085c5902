package gopatchrt

import (
	"time"
	"unsafe"
)

// Await implements Scheduler: an owned goroutine retries try each time another
// goroutine has run; a free goroutine waits in the hub between two tries.
func (s *Sim) Await(site *Site, op *Op, try func() bool) {
	s.awaitOn(site, op, nil, try, true)
}

// awaitOn implements syncScheduler: Await for a wait on key (a lock, a
// WaitGroup, a Once), which released names when it may end. probe says
// whether the hub may call try itself, under s.mu, for a free goroutine (OnceDo's
// try takes s.mu, so it may not).
func (s *Sim) awaitOn(site *Site, op *Op, key unsafe.Pointer, try func() bool, probe bool) {
	g := s.self()
	look := time.Millisecond
	for !try() {
		if !g.sched() {
			for !s.awaitFree(g, site, op, key, try, probe, look) {
				if look < awaitLookMax {
					look *= 2
				}
			}
			return
		}
		s.mu.Lock()
		g.site, g.why = site, op.Call
		g.state = gPolling
		s.pollers = append(s.pollers, g)
		s.switchLocked(g)
	}
	if g.sched() {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
	}
}

// awaitFree is one wait of a free goroutine in awaitOn, after try failed: it
// waits in a select, which a quiescence check takes for blocked, until released
// for its key or the hub's probe before a clock move finds try succeeding (try
// then succeeded for it), or until look has passed (unpatched code may have
// changed what try reads; awaitOn doubles look up to awaitLookMax from one
// millisecond, so that thousands of goroutines waiting on one lock do not keep
// the process busy looking). It reports whether try has succeeded. It used to
// poll every 20µs, which kept the process from ever looking quiescent: under
// GOPATCH_HUB=sim every clock move waited for 2 ms of quiet.
//
// A goroutine that looked blocked to a quiescence check and then gets in by its
// own try must show activity before the clock can move, or the clock moves while
// it runs: so its tries are made under s.mu, and one that succeeds counts as
// activity, except for a try that takes s.mu itself (probe unset: OnceDo's, whose
// release is the hub's own doing).
func (s *Sim) awaitFree(g *simG, site *Site, op *Op, key unsafe.Pointer, try func() bool, probe bool, look time.Duration) bool {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		time.Sleep(20 * time.Microsecond)
		return s.tryFree(try, probe)
	}
	g.site, g.why = site, op.Call
	s.startAwaitLocked(g, key, try, probe)
	// Listed: a release from now on is seen. One since its last try was not, so
	// it tries again.
	if probe && try() {
		s.activity.Add(1)
		s.endAwaitLocked(g)
		s.mu.Unlock()
		return true
	}
	timers, settle := len(s.timers) > 0, s.settleIdleLocked()
	act := s.activity.Load()
	s.mu.Unlock()
	if !probe && try() {
		s.mu.Lock()
		s.endAwaitLocked(g)
		s.mu.Unlock()
		return true
	}
	s.mu.Lock()
	done := g.awaitDone
	s.mu.Unlock()
	if !done {
		s.waitFree(g, timers, settle, act, look)
	}
	s.mu.Lock()
	done = g.awaitDone
	s.endAwaitLocked(g)
	if !done && probe && try() {
		s.activity.Add(1)
		done = true
	}
	s.mu.Unlock()
	if !done && !probe {
		done = try()
	}
	return done
}

// tryFree is a free goroutine's try outside a wait, under s.mu when probe allows.
func (s *Sim) tryFree(try func() bool, probe bool) bool {
	if !probe {
		return try()
	}
	s.mu.Lock()
	ok := try()
	if ok {
		s.activity.Add(1)
	}
	s.mu.Unlock()
	return ok
}

// waitFree is the wait of a free goroutine g, listed in the hub, until it is
// woken or look has passed. timers, settle (settleIdleLocked) and act (the hub's
// activity) were read under s.mu as it listed itself: with a timer pending, if
// nothing else can run, it moves the clock now itself (the clock may fire into
// what it waits for), else it kicks the loop to move it as soon as the process is
// quiet, rather than at the loop's next tick.
func (s *Sim) waitFree(g *simG, timers, settle bool, act uint64, look time.Duration) {
	if timers && !(settle && s.settleAsWaiter(act)) {
		s.kickIdle()
	}
	tm := time.NewTimer(look)
	select {
	case <-g.wake:
	case <-tm.C:
	}
	tm.Stop()
}

// awaitLookMax is the longest a free goroutine waits in awaitFree before it
// looks again itself.
const awaitLookMax = 16 * time.Millisecond

// awaitQueue is the free goroutines waiting in awaitFree on one key, in the order
// they began. An entry whose wait has ended stays until a release passes it or the
// queue is compacted; live counts the others.
type awaitQueue struct {
	es   []awaitEntry
	live int
}

type awaitEntry struct {
	g   *simG
	seq uint64 // g.awaitSeq when it began: the entry is live while they match
}

func (e awaitEntry) live() bool { return e.g.await != nil && e.g.awaitSeq == e.seq }

// startAwaitLocked lists g as waiting on key.
func (s *Sim) startAwaitLocked(g *simG, key unsafe.Pointer, try func() bool, probe bool) {
	g.await, g.awaitKey, g.awaitProbe, g.awaitDone = try, key, probe, false
	g.awaitSeq++
	q := s.awaitQ[key]
	if q == nil {
		q = &awaitQueue{}
		s.awaitQ[key] = q
	}
	q.es = append(q.es, awaitEntry{g, g.awaitSeq})
	q.live++
	s.awaiting.Add(1)
}

// endAwaitLocked ends g's wait in awaitFree; a wake-up sent for this wait and not
// taken is dropped (only releasedLocked and probeAwaitersLocked send one, under
// s.mu, while g is listed).
func (s *Sim) endAwaitLocked(g *simG) {
	if g.await != nil {
		key := g.awaitKey
		g.await, g.awaitKey = nil, nil
		s.awaiting.Add(-1)
		q := s.awaitQ[key]
		if q.live--; q.live == 0 {
			delete(s.awaitQ, key)
		} else if len(q.es) > 2*q.live+16 {
			kept := q.es[:0]
			for _, e := range q.es {
				if e.live() {
					kept = append(kept, e)
				}
			}
			for i := len(kept); i < len(q.es); i++ {
				q.es[i] = awaitEntry{}
			}
			q.es = kept
		}
	}
	g.awaitDone = false
	select {
	case <-g.wake:
	default:
	}
}

// released implements syncScheduler: key (a lock, a WaitGroup, a Once) was
// released, and free goroutines waiting on it in awaitOn may go on: for each, in
// the order it began to wait, the hub makes its attempt (a TryLock, a read of the
// counter) and wakes it if that succeeds (one that may not be probed is woken to
// try itself); with all unset it stops at the first. Owned goroutines waiting
// try again at their next turn, as before.
func (s *Sim) released(key unsafe.Pointer, all bool) {
	if s.awaiting.Load() == 0 {
		return
	}
	s.mu.Lock()
	s.releasedLocked(key, all)
	s.mu.Unlock()
}

func (s *Sim) releasedLocked(key unsafe.Pointer, all bool) {
	q := s.awaitQ[key]
	if q == nil {
		return
	}
	for i := 0; i < len(q.es); i++ {
		e := q.es[i]
		if !e.live() {
			if i == 0 { // passed: drop it
				q.es[0] = awaitEntry{}
				q.es = q.es[1:]
				i--
			}
			continue
		}
		g := e.g
		if g.awaitDone {
			continue
		}
		if g.awaitProbe && !g.await() {
			if !all {
				return // the lock is taken again: the others would fail too
			}
			continue
		}
		g.awaitDone = g.awaitProbe
		s.activity.Add(1)
		s.makeRunnableLocked(g) // g waits free: a wake-up
		if !all {
			return
		}
	}
}

// probeAwaitersLocked makes, for each free goroutine waiting in awaitOn in the
// order it began, its attempt, when the hub may: unpatched code may have
// released what it waits for without passing through the hub. One that succeeds
// is done and woken. The hub probes before it moves the clock, so such a goroutine
// goes on at the virtual time it was let in. It reports whether any succeeded.
func (s *Sim) probeAwaitersLocked() bool {
	woke := false
	for _, q := range s.awaitQ {
		for _, e := range q.es {
			g := e.g
			if e.live() && g.awaitProbe && !g.awaitDone && g.await() {
				g.awaitDone = true
				s.makeRunnableLocked(g)
				woke = true
			}
		}
	}
	return woke
}
