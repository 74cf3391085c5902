package gopatchrt

import (
	"time"
	"unsafe"
)

// The sim's side of the channel API (chan.go). A channel operation of an owned
// goroutine is a scheduling point; then it is attempted without blocking. If it
// cannot proceed, the goroutine registers as a waiter on each of its channels and
// gives up the baton; any successful operation on a channel, a close, or a timer
// firing into it makes its waiters runnable, and they attempt again.
//
// An unbuffered channel needs a partner really blocked in the operation, which a
// parked waiter is not. So when an attempt fails and a waiter of the opposite
// direction is parked on the same unbuffered channel, the two shake hands: the
// hub wakes the waiter to perform its case for real while the caller performs its
// own for real; they meet in the channel, the waiter goes back to the run queue,
// and the caller goes on once the waiter says so.

// chanCase is one channel of an operation, as the hub sees it.
type chanCase struct {
	key unsafe.Pointer // the channel
	// probe attempts the case without blocking and reports whether it was done,
	// for code the hub does not see may have made it possible: closed the
	// channel (a context's Done channel, a done or quit channel closed by
	// unpatched code), sent a value on it or taken one from it (a library's
	// goroutine delivering results on its caller's channel). The hub calls it for
	// a parked owned goroutine, or a free one waiting in chanOp between two looks,
	// whose operation it then completes (probeLocked).
	// A case of a select has a probe of its own; the only case of a send or a
	// receive sets tryProbe instead: the operation's own attempt (chanOp's try,
	// kept in simG.try while it is parked) is its probe, and needs no closure.
	probe      func() bool
	send       bool
	unbuffered bool
	tryProbe   bool
	// data is set for a probe of anything but a receive from a channel whose
	// elements have size zero. Only code the hub does not see closes such a
	// channel where a patched waiter needs a probe, and that is common, so those
	// are probed at every move of the clock; a probe of data only in mixed mode,
	// where goroutines the hub does not own run, and before a deadlock report.
	data bool
}

// chanScheduler is implemented by hubs that schedule channel operations.
type chanScheduler interface {
	// chanOp performs one of cases: try attempts them without blocking (returning
	// the index done, or -1), real(k) performs case k blocking. With hasDefault it
	// returns -1 instead of waiting.
	chanOp(site *Site, cases []chanCase, hasDefault bool, try func() int, real func(int)) int
	// chanClose closes a channel through close and wakes its waiters.
	chanClose(site *Site, key unsafe.Pointer, close func())
}

// whyChan is what a goroutine blocked in chanOp waits for.
const whyChan = "channel operation"

// addProberLocked lists g, an owned goroutine parked in chanOp or a free one
// waiting there, for probeLocked if any of its cases has a probe: in s.probers for
// the probes made at every clock move, in s.dataProbers for those of data.
func (s *Sim) addProberLocked(g *simG) {
	for _, c := range g.cases {
		switch {
		case c.probe == nil && !c.tryProbe:
		case c.data && !g.dataProbing:
			if len(s.dataProbers) >= s.dataProbersMax {
				s.pruneDataProbersLocked()
			}
			g.dataProbing = true
			s.dataProbers = append(s.dataProbers, g)
		case !c.data && !g.probing:
			g.probing = true
			s.probers = append(s.probers, g)
		}
	}
}

// probeable reports whether g waits in chanOp for a probe to do its operation:
// an owned goroutine parked there, or a free one waiting there between two looks
// that no partner has chosen for a hand-shake. s.mu is held.
func (g *simG) probeable() bool {
	return g.why == whyChan && (g.sched() && g.state == gBlocked || g.freeWaiting && g.hs < 0)
}

// pruneDataProbersLocked drops from s.dataProbers the goroutines no longer parked
// on a channel. Data is probed only in mixed mode, so nothing else prunes the list
// of a sim whose goroutines are all owned; pruned when it doubles, it holds at
// most twice the parked goroutines, at a constant cost per listing.
func (s *Sim) pruneDataProbersLocked() {
	kept := s.dataProbers[:0]
	for _, g := range s.dataProbers {
		if g.probeable() {
			kept = append(kept, g)
		} else {
			g.dataProbing = false
		}
	}
	for i := len(kept); i < len(s.dataProbers); i++ {
		s.dataProbers[i] = nil
	}
	s.dataProbers = kept
	s.dataProbersMax = 2 * len(kept)
	if s.dataProbersMax < 64 {
		s.dataProbersMax = 64
	}
}

// probeLocked completes the channel operations of parked owned goroutines (and of
// free ones waiting in chanOp) that code the hub does not see has made possible: a context's cancel function closes
// its Done channel without passing through the hub, and so does the cancellation
// of a parent (a sim context's deadline included) for every context made from it;
// with data set, also the sends and receives of goroutines the hub does not own.
// For each goroutine in the order it parked, it tries the cases that have a probe;
// the first that succeeds is the goroutine's result, as if it had done it itself,
// and the other waiters on that channel try again. The hub probes when nothing
// else can run, before it moves the clock or reports a deadlock, so such a waiter
// goes on at the virtual time the channel was closed. It reports whether it made
// any goroutine runnable.
func (s *Sim) probeLocked(data bool) bool {
	woke := s.probeListLocked(&s.probers, false)
	if data && s.probeListLocked(&s.dataProbers, true) {
		woke = true
	}
	if len(s.awaitQ) > 0 && s.probeAwaitersLocked() {
		woke = true
	}
	if woke {
		s.activity.Add(1)
		s.dirty = true
	}
	return woke
}

// probeListLocked is probeLocked for one of the lists, s.probers (data false) or
// s.dataProbers, and the probes of its kind.
func (s *Sim) probeListLocked(list *[]*simG, data bool) bool {
	woke := false
	kept := (*list)[:0]
	for _, g := range *list {
		listed := &g.probing
		if data {
			listed = &g.dataProbing
		}
		if !g.probeable() {
			*listed = false // it moved on; it is listed again when it parks
			continue
		}
		if s.handshakingLocked(g.cases) {
			kept = append(kept, g) // the value handed over is not for it
			continue
		}
		k, panicked := probeCases(g, data)
		if panicked {
			// A send on a channel closed meanwhile: the panic is the waiter's
			// own, so it is woken to make its attempt itself.
			*listed = false
			s.unregisterLocked(g)
			s.makeRunnableLocked(g)
			woke = true
			continue
		}
		if k < 0 {
			kept = append(kept, g)
			continue
		}
		*listed = false
		key := g.cases[k].key
		s.unregisterLocked(g)
		g.probed = k + 1
		s.makeRunnableLocked(g)
		s.notifyLocked(key)
		woke = true
	}
	for i := len(kept); i < len(*list); i++ {
		(*list)[i] = nil
	}
	*list = kept
	return woke
}

// probeCases makes the probes of g's cases of the kind data, in order, and
// returns the first that succeeded, or -1; panicked reports that one panicked (a
// send on a closed channel) rather than let the panic out on the prober's
// goroutine.
func probeCases(g *simG, data bool) (k int, panicked bool) {
	defer func() {
		if recover() != nil {
			k, panicked = -1, true
		}
	}()
	for i, c := range g.cases {
		if c.data == data && (c.probe != nil && c.probe() || c.tryProbe && g.try() == i) {
			return i, false
		}
	}
	return -1, false
}

// keyOf returns a channel's identity.
func keyOf[C any](ch C) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&ch)) }

func chanKey[C any](ch C) unsafe.Pointer { return keyOf(ch) }

func (s *Sim) chanOp(site *Site, cases []chanCase, hasDefault bool, try func() int, real func(int)) int {
	return s.chanOpAs(s.self(), site, cases, hasDefault, try, real)
}

// chanOpAs is chanOp for g, the calling goroutine's record, known already (a
// rewritten select found it when its first case was recorded): a free goroutine
// is identified from its stack trace, which costs microseconds per lookup. It
// calls try with s.mu held.
func (s *Sim) chanOpAs(g *simG, site *Site, cases []chanCase, hasDefault bool, try func() int, real func(int)) int {
	if g.sched() {
		g.site = site
		s.yield(g)
	}
	for {
		// The attempt is made under s.mu, and not on a channel where a hand-shake
		// is under way: the value handed over for real there is the chosen
		// waiter's, and a non-blocking receive would take it (the waiter would
		// then block for ever in its real receive, and the sender with it).
		s.mu.Lock()
		if !s.handshakingLocked(cases) {
			if k := s.attemptLocked(try); k >= 0 {
				s.activity.Add(1)
				s.notifyLocked(cases[k].key)
				s.dirty = true
				if !g.sched() {
					s.dispatchLocked()
				}
				s.mu.Unlock()
				return k
			}
		}
		if w, wk, gk := s.partnerLocked(g, cases); w != nil {
			s.unregisterLocked(w)
			if w.timer != nil {
				s.stopTimerLocked(w.timer)
				w.timer = nil
			}
			w.hs, w.hsPeer = wk, g
			key := cases[gk].key
			s.handshakeOn[key]++ // both sides are about to block in the channel: not quiescent
			if w.sched() {
				s.resume(w) // it runs beside g, which keeps the baton
			} else {
				select {
				case w.wake <- struct{}{}:
				default:
				}
			}
			s.mu.Unlock()
			real(gk)
			<-g.hsDone
			s.activity.Add(1)
			s.mu.Lock()
			if s.handshakeOn[key]--; s.handshakeOn[key] == 0 {
				delete(s.handshakeOn, key)
			}
			s.notifyLocked(key) // those that held off their attempt try again
			s.mu.Unlock()
			return gk
		}
		if hasDefault {
			s.mu.Unlock()
			return -1
		}
		g.hs = -1
		s.registerLocked(g, cases)
		g.site, g.why = site, whyChan
		if g.sched() {
			g.state = gBlocked
			g.try = try
			s.addProberLocked(g)
			s.switchLocked(g)
			g.try = nil
			if k := g.probed - 1; k >= 0 {
				g.probed = 0
				return k
			}
		} else {
			// It may wait for a virtual timer, which waitFree moves the clock to
			// or has the loop move it to; goroutines outside the hub may act on
			// the channel, so it looks again every millisecond.
			g.try, g.freeWaiting = try, true
			s.addProberLocked(g)
			timers, settle := len(s.timers) > 0, s.settleIdleLocked()
			act := s.activity.Load()
			s.mu.Unlock()
			s.waitFree(g, timers, settle, act, time.Millisecond)
			s.mu.Lock()
			g.try, g.freeWaiting = nil, false
			if g.probed > 0 || g.hs >= 0 {
				// A probe did its operation (probeLocked) or a partner chose it
				// as the timer fired: drop the wake-up meant for this wait.
				select {
				case <-g.wake:
				default:
				}
			}
			if k := g.probed - 1; k >= 0 {
				g.probed = 0
				s.mu.Unlock()
				return k
			}
			s.unregisterLocked(g)
			s.mu.Unlock()
		}
		if k := g.hs; k >= 0 {
			peer := g.hsPeer
			g.hs, g.hsPeer = -1, nil
			real(k)
			if g.sched() {
				s.mu.Lock()
				g.state = gRunnable
				s.runq = append(s.runq, g)
				s.parkingLocked(g)
				if !peer.sched() {
					s.dispatchLocked()
				}
				s.mu.Unlock()
				peer.hsDone <- struct{}{}
				s.pass(g, nil)
			} else {
				peer.hsDone <- struct{}{}
			}
			return k
		}
	}
}

// selFramesOf implements selectHub: the calling goroutine's select frames, which
// only that goroutine touches.
func (s *Sim) selFramesOf() *selFrames {
	g := s.self()
	g.sel.sim, g.sel.g = s, g
	return &g.sel
}

func (s *Sim) chanClose(site *Site, key unsafe.Pointer, close func()) {
	g := s.self()
	if g.sched() {
		g.site = site
		s.yield(g)
	}
	close()
	s.activity.Add(1)
	s.mu.Lock()
	s.notifyLocked(key)
	s.dirty = true
	if !g.sched() {
		s.dispatchLocked()
	}
	s.mu.Unlock()
}

// attemptLocked calls try with s.mu held; a panic in it (a send on a closed
// channel) unlocks s.mu on its way to the caller.
func (s *Sim) attemptLocked(try func() int) int {
	ok := false
	defer func() {
		if !ok {
			s.mu.Unlock()
		}
	}()
	k := try()
	ok = true
	return k
}

// handshakingLocked reports whether a hand-shake is under way on the channel of
// any of cases.
func (s *Sim) handshakingLocked(cases []chanCase) bool {
	if len(s.handshakeOn) == 0 {
		return false
	}
	for _, c := range cases {
		if c.key != nil && s.handshakeOn[c.key] > 0 {
			return true
		}
	}
	return false
}

// partnerLocked finds a parked waiter that can complete one of g's cases on an
// unbuffered channel: it returns the waiter, the waiter's case and g's case. A
// channel whose waiters all wait in g's direction is skipped without a scan, so
// n goroutines queueing on one channel cost O(n), not O(n²).
func (s *Sim) partnerLocked(g *simG, cases []chanCase) (*simG, int, int) {
	for gk, c := range cases {
		if c.key == nil || !c.unbuffered {
			continue
		}
		wl := s.waiters[c.key]
		if wl == nil || (c.send && wl.recvs == 0) || (!c.send && wl.sends == 0) {
			continue
		}
		for _, w := range wl.gs {
			if w == g {
				continue
			}
			for wk, wc := range w.cases {
				if wc.key == c.key && wc.send != c.send {
					return w, wk, gk
				}
			}
		}
	}
	return nil, -1, -1
}

// waitList is the goroutines waiting on one key (a channel, a Cond, a network
// queue) in the order they started waiting, with how many wait to send and to
// receive.
type waitList struct {
	gs           []*simG
	sends, recvs int
}

// addWaiterLocked queues g on c's key.
func (s *Sim) addWaiterLocked(g *simG, c chanCase) {
	wl := s.waiters[c.key]
	if wl == nil {
		if n := len(s.wlFree); n > 0 {
			wl = s.wlFree[n-1]
			s.wlFree = s.wlFree[:n-1]
		} else {
			wl = &waitList{}
		}
		s.waiters[c.key] = wl
	}
	wl.gs = append(wl.gs, g)
	if c.send {
		wl.sends++
	} else {
		wl.recvs++
	}
}

// freeWaitListLocked recycles a waitList no longer in s.waiters.
func (s *Sim) freeWaitListLocked(wl *waitList) {
	for i := range wl.gs {
		wl.gs[i] = nil
	}
	wl.gs = wl.gs[:0]
	wl.sends, wl.recvs = 0, 0
	s.wlFree = append(s.wlFree, wl)
}

func (s *Sim) registerLocked(g *simG, cases []chanCase) {
	g.cases = append(g.cases[:0], cases...)
	for _, c := range g.cases {
		if c.key != nil {
			s.addWaiterLocked(g, c)
		}
	}
}

// unregisterLocked removes g from the queues of its cases, except skip's (a queue
// being dismantled by notifyLocked).
func (s *Sim) unregisterLocked(g *simG) { s.unregisterExceptLocked(g, nil) }

func (s *Sim) unregisterExceptLocked(g *simG, skip unsafe.Pointer) {
	for _, c := range g.cases {
		if c.key == nil || c.key == skip {
			continue
		}
		wl := s.waiters[c.key]
		if wl == nil {
			continue
		}
		ws := wl.gs
		for i, w := range ws {
			if w == g {
				copy(ws[i:], ws[i+1:])
				ws[len(ws)-1] = nil
				wl.gs = ws[:len(ws)-1]
				if c.send {
					wl.sends--
				} else {
					wl.recvs--
				}
				break
			}
		}
		if len(wl.gs) == 0 {
			delete(s.waiters, c.key)
			s.freeWaitListLocked(wl)
		}
	}
	g.cases = g.cases[:0]
}

// notifyLocked makes every waiter on key attempt again, in the order they started
// waiting.
func (s *Sim) notifyLocked(key unsafe.Pointer) {
	wl := s.waiters[key]
	if wl == nil {
		return
	}
	delete(s.waiters, key)
	for _, w := range wl.gs {
		s.unregisterExceptLocked(w, key)
		if w.timer != nil {
			s.stopTimerLocked(w.timer)
			w.timer = nil
		}
		s.makeRunnableLocked(w)
	}
	s.freeWaitListLocked(wl)
}
