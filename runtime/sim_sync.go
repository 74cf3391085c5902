package gopatchrt

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// The sim's side of the sync shims that have no non-blocking form. The lock shims
// need nothing more than Scheduler.Await with TryLock; WaitGroup.Wait, Cond.Wait
// and Once.Do would block for real while holding the baton, so under a hub that
// implements syncScheduler the shims call it instead:
//
//	WaitGroupWait   s.WaitGroupWait(site, wg)   (then nothing: it has waited)
//	CondWait        s.CondWait(site, cond)
//	CondSignal      s.CondSignal(site, cond, false)
//	CondBroadcast   s.CondSignal(site, cond, true)
//	OnceDo          s.OnceDo(site, once, f)
//
// The lock shims acquire through awaitOn, naming the lock, and the shims that
// release (the unlocks, WaitGroup.Done and Add) call released after the
// original, so that free goroutines waiting on that lock or WaitGroup go on at
// once (sim_await.go).
type syncScheduler interface {
	WaitGroupWait(site *Site, wg *sync.WaitGroup)
	CondWait(site *Site, c *sync.Cond)
	CondSignal(site *Site, c *sync.Cond, all bool)
	OnceDo(site *Site, o *sync.Once, f func())
	awaitOn(site *Site, op *Op, key unsafe.Pointer, try func() bool, probe bool)
	released(key unsafe.Pointer, all bool)
}

var opSimWait = &Op{"sync", "(*sync.WaitGroup).Wait"}
var opSimOnce = &Op{"sync", "(*sync.Once).Do"}
var opSimCond = &Op{"sync", "(*sync.Cond).Wait"}

// wgReadable records whether a WaitGroup's counter can be read where this
// runtime expects it: the high 32 bits of the word the WaitGroup starts with, as
// in every Go release since 1.20. It is checked once, on a WaitGroup of our own.
var wgReadable = func() bool {
	var wg sync.WaitGroup
	wg.Add(3)
	ok := wgCounter(&wg) == 3
	wg.Add(-3)
	return ok && wgCounter(&wg) == 0
}()

func wgCounter(wg *sync.WaitGroup) int32 {
	return int32(atomic.LoadUint64((*uint64)(unsafe.Pointer(wg))) >> 32)
}

// WaitGroupWait waits, cooperatively, for wg's counter to reach zero.
func (s *Sim) WaitGroupWait(site *Site, wg *sync.WaitGroup) {
	if wgReadable {
		s.awaitOn(site, opSimWait, unsafe.Pointer(wg), func() bool { return wgCounter(wg) == 0 }, true)
	}
	wg.Wait() // returns at once; it also gives the race detector its edge
}

// CondWait is c.Wait: the goroutine queues on c in the hub, unlocks c.L, waits for
// CondSignal, then locks c.L again cooperatively.
func (s *Sim) CondWait(site *Site, c *sync.Cond) {
	g := s.self()
	if !g.sched() {
		c.Wait()
		return
	}
	key := unsafe.Pointer(c)
	s.mu.Lock()
	g.cases = append(g.cases[:0], chanCase{key: key})
	s.addWaiterLocked(g, g.cases[0])
	s.mu.Unlock()
	c.L.Unlock()
	s.mu.Lock()
	s.dirty = true // the unlock may let a poller in
	s.releasedLocked(lockerKey(c.L), false)
	g.site, g.why = site, "sync.Cond.Wait"
	if len(g.cases) > 0 { // not signalled in between
		g.state = gBlocked
		s.switchLocked(g)
	} else {
		s.mu.Unlock()
	}
	if tl, ok := c.L.(interface{ TryLock() bool }); ok {
		s.awaitOn(site, opSimCond, lockerKey(c.L), tl.TryLock, true)
	} else {
		c.L.Lock()
	}
}

// CondSignal is c.Signal (all: c.Broadcast). Goroutines waiting in the hub wake in
// the order they started waiting; goroutines waiting for real are signalled too.
func (s *Sim) CondSignal(site *Site, c *sync.Cond, all bool) {
	key := unsafe.Pointer(c)
	s.mu.Lock()
	if wl := s.waiters[key]; wl != nil {
		ws := wl.gs
		n := 1
		if all {
			n = len(ws)
		}
		for _, w := range append([]*simG(nil), ws[:n]...) {
			s.unregisterLocked(w)
			s.makeRunnableLocked(w)
		}
	}
	s.dirty = true
	s.mu.Unlock()
	if all {
		c.Broadcast()
	} else {
		c.Signal()
	}
}

// OnceDo is o.Do(f); a goroutine arriving while another runs f waits
// cooperatively.
func (s *Sim) OnceDo(site *Site, o *sync.Once, f func()) {
	s.mu.Lock()
	if s.onces == nil {
		s.onces = map[*sync.Once]bool{}
	}
	if s.onces[o] {
		s.mu.Unlock()
		s.awaitOn(site, opSimOnce, unsafe.Pointer(o), func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return !s.onces[o]
		}, false)
		o.Do(f)
		return
	}
	s.onces[o] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.onces, o)
		s.dirty = true
		s.releasedLocked(unsafe.Pointer(o), true)
		s.mu.Unlock()
	}()
	o.Do(f)
}

// lockerKey is the key of a Cond's lock: the pointer it holds, as the lock shims
// name a *sync.Mutex or *sync.RWMutex.
func lockerKey(l sync.Locker) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&l))[1]
}
