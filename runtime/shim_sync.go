package gopatchrt

import (
	"sync"
	"unsafe"
)

// None of the sync operations can fail, and skipping one would break the program
// (an Unlock that does not unlock, a Once whose f never runs), so every sync shim
// runs the original whatever the hub's Token.Err says.
//
// Under a hub that implements Scheduler, the lock shims acquire through
// Scheduler.Await with the lock's TryLock, so that the scheduler can run other
// goroutines while the lock is held. WaitGroup.Wait, Cond.Wait and Once.Do have no
// non-blocking form: under a hub that implements syncScheduler (the sim, see
// sim_sync.go) they wait through it, and block for real under any other hub.

var (
	opMutexLock      = &Op{"sync", "(*sync.Mutex).Lock"}
	opMutexUnlock    = &Op{"sync", "(*sync.Mutex).Unlock"}
	opRWMutexLock    = &Op{"sync", "(*sync.RWMutex).Lock"}
	opRWMutexUnlock  = &Op{"sync", "(*sync.RWMutex).Unlock"}
	opRWMutexRLock   = &Op{"sync", "(*sync.RWMutex).RLock"}
	opRWMutexRUnlock = &Op{"sync", "(*sync.RWMutex).RUnlock"}
	opWaitGroupAdd   = &Op{"sync", "(*sync.WaitGroup).Add"}
	opWaitGroupDone  = &Op{"sync", "(*sync.WaitGroup).Done"}
	opWaitGroupWait  = &Op{"sync", "(*sync.WaitGroup).Wait"}
	opCondWait       = &Op{"sync", "(*sync.Cond).Wait"}
	opCondSignal     = &Op{"sync", "(*sync.Cond).Signal"}
	opCondBroadcast  = &Op{"sync", "(*sync.Cond).Broadcast"}
	opOnceDo         = &Op{"sync", "(*sync.Once).Do"}
)

// tryLocker is a lock that can be tried: *sync.Mutex, *sync.RWMutex or *rlocker.
type tryLocker interface {
	Lock()
	TryLock() bool
}

// rlocker is a RWMutex seen as its read lock.
type rlocker sync.RWMutex

func (r *rlocker) Lock()         { (*sync.RWMutex)(r).RLock() }
func (r *rlocker) TryLock() bool { return (*sync.RWMutex)(r).TryRLock() }

// lock acquires l, through the hub's Scheduler if it has one (naming the lock,
// key, to a syncScheduler). The method value l.TryLock is made only then, so that
// other hubs cost no allocation.
func lock(c Call, h Hub, op *Op, l tryLocker, key unsafe.Pointer) {
	always(c, h, op, func() {
		if s, ok := h.(syncScheduler); ok {
			s.awaitOn(c.site, op, key, l.TryLock, true)
		} else if s, ok := h.(Scheduler); ok {
			s.Await(c.site, op, l.TryLock)
		} else {
			l.Lock()
		}
	})
}

// release runs f (an Unlock, a Done), then tells a syncScheduler that key was
// released: all says whether every goroutine waiting on it may go on, or one.
func release(c Call, h Hub, op *Op, f func(), key unsafe.Pointer, all bool) {
	always(c, h, op, f)
	if s, ok := h.(syncScheduler); ok {
		s.released(key, all)
	}
}

// MutexLock stands in for (*sync.Mutex).Lock.
func (c Call) MutexLock(m *sync.Mutex) {
	fwd10(c, m, (*sync.Mutex).Lock, Call.hubMutexLock)
}

// hubMutexLock is MutexLock while a hub is in force.
func (c Call) hubMutexLock(m *sync.Mutex) {
	h := active()
	if h == nil {
		m.Lock()
		return
	}
	lock(c, h, opMutexLock, m, unsafe.Pointer(m))
}

// MutexUnlock stands in for (*sync.Mutex).Unlock.
func (c Call) MutexUnlock(m *sync.Mutex) {
	fwd10(c, m, (*sync.Mutex).Unlock, Call.hubMutexUnlock)
}

// hubMutexUnlock is MutexUnlock while a hub is in force.
func (c Call) hubMutexUnlock(m *sync.Mutex) {
	h := active()
	if h == nil {
		m.Unlock()
		return
	}
	release(c, h, opMutexUnlock, m.Unlock, unsafe.Pointer(m), false)
}

// RWMutexLock stands in for (*sync.RWMutex).Lock.
func (c Call) RWMutexLock(rw *sync.RWMutex) {
	fwd10(c, rw, (*sync.RWMutex).Lock, Call.hubRWMutexLock)
}

// hubRWMutexLock is RWMutexLock while a hub is in force.
func (c Call) hubRWMutexLock(rw *sync.RWMutex) {
	h := active()
	if h == nil {
		rw.Lock()
		return
	}
	lock(c, h, opRWMutexLock, rw, unsafe.Pointer(rw))
}

// RWMutexUnlock stands in for (*sync.RWMutex).Unlock.
func (c Call) RWMutexUnlock(rw *sync.RWMutex) {
	fwd10(c, rw, (*sync.RWMutex).Unlock, Call.hubRWMutexUnlock)
}

// hubRWMutexUnlock is RWMutexUnlock while a hub is in force.
func (c Call) hubRWMutexUnlock(rw *sync.RWMutex) {
	h := active()
	if h == nil {
		rw.Unlock()
		return
	}
	release(c, h, opRWMutexUnlock, rw.Unlock, unsafe.Pointer(rw), true)
}

// RWMutexRLock stands in for (*sync.RWMutex).RLock.
func (c Call) RWMutexRLock(rw *sync.RWMutex) {
	fwd10(c, rw, (*sync.RWMutex).RLock, Call.hubRWMutexRLock)
}

// hubRWMutexRLock is RWMutexRLock while a hub is in force.
func (c Call) hubRWMutexRLock(rw *sync.RWMutex) {
	h := active()
	if h == nil {
		rw.RLock()
		return
	}
	lock(c, h, opRWMutexRLock, (*rlocker)(rw), unsafe.Pointer(rw))
}

// RWMutexRUnlock stands in for (*sync.RWMutex).RUnlock.
func (c Call) RWMutexRUnlock(rw *sync.RWMutex) {
	fwd10(c, rw, (*sync.RWMutex).RUnlock, Call.hubRWMutexRUnlock)
}

// hubRWMutexRUnlock is RWMutexRUnlock while a hub is in force.
func (c Call) hubRWMutexRUnlock(rw *sync.RWMutex) {
	h := active()
	if h == nil {
		rw.RUnlock()
		return
	}
	release(c, h, opRWMutexRUnlock, rw.RUnlock, unsafe.Pointer(rw), true)
}

// WaitGroupAdd stands in for (*sync.WaitGroup).Add.
func (c Call) WaitGroupAdd(wg *sync.WaitGroup, delta int) {
	fwd20(c, wg, delta, (*sync.WaitGroup).Add, Call.hubWaitGroupAdd)
}

// hubWaitGroupAdd is WaitGroupAdd while a hub is in force.
func (c Call) hubWaitGroupAdd(wg *sync.WaitGroup, delta int) {
	h := active()
	if h == nil {
		wg.Add(delta)
		return
	}
	release(c, h, opWaitGroupAdd, func() { wg.Add(delta) }, unsafe.Pointer(wg), true)
}

// WaitGroupDone stands in for (*sync.WaitGroup).Done.
func (c Call) WaitGroupDone(wg *sync.WaitGroup) {
	fwd10(c, wg, (*sync.WaitGroup).Done, Call.hubWaitGroupDone)
}

// hubWaitGroupDone is WaitGroupDone while a hub is in force.
func (c Call) hubWaitGroupDone(wg *sync.WaitGroup) {
	h := active()
	if h == nil {
		wg.Done()
		return
	}
	release(c, h, opWaitGroupDone, wg.Done, unsafe.Pointer(wg), true)
}

// WaitGroupWait stands in for (*sync.WaitGroup).Wait.
func (c Call) WaitGroupWait(wg *sync.WaitGroup) {
	fwd10(c, wg, (*sync.WaitGroup).Wait, Call.hubWaitGroupWait)
}

// hubWaitGroupWait is WaitGroupWait while a hub is in force.
func (c Call) hubWaitGroupWait(wg *sync.WaitGroup) {
	h := active()
	if h == nil {
		wg.Wait()
		return
	}
	always(c, h, opWaitGroupWait, func() {
		if s, ok := h.(syncScheduler); ok {
			s.WaitGroupWait(c.site, wg)
			return
		}
		wg.Wait()
	})
}

// CondWait stands in for (*sync.Cond).Wait.
func (c Call) CondWait(cond *sync.Cond) {
	fwd10(c, cond, (*sync.Cond).Wait, Call.hubCondWait)
}

// hubCondWait is CondWait while a hub is in force.
func (c Call) hubCondWait(cond *sync.Cond) {
	h := active()
	if h == nil {
		cond.Wait()
		return
	}
	always(c, h, opCondWait, func() {
		if s, ok := h.(syncScheduler); ok {
			s.CondWait(c.site, cond)
			return
		}
		cond.Wait()
	})
}

// CondSignal stands in for (*sync.Cond).Signal.
func (c Call) CondSignal(cond *sync.Cond) {
	fwd10(c, cond, (*sync.Cond).Signal, Call.hubCondSignal)
}

// hubCondSignal is CondSignal while a hub is in force.
func (c Call) hubCondSignal(cond *sync.Cond) {
	h := active()
	if h == nil {
		cond.Signal()
		return
	}
	always(c, h, opCondSignal, func() {
		if s, ok := h.(syncScheduler); ok {
			s.CondSignal(c.site, cond, false)
			return
		}
		cond.Signal()
	})
}

// CondBroadcast stands in for (*sync.Cond).Broadcast.
func (c Call) CondBroadcast(cond *sync.Cond) {
	fwd10(c, cond, (*sync.Cond).Broadcast, Call.hubCondBroadcast)
}

// hubCondBroadcast is CondBroadcast while a hub is in force.
func (c Call) hubCondBroadcast(cond *sync.Cond) {
	h := active()
	if h == nil {
		cond.Broadcast()
		return
	}
	always(c, h, opCondBroadcast, func() {
		if s, ok := h.(syncScheduler); ok {
			s.CondSignal(c.site, cond, true)
			return
		}
		cond.Broadcast()
	})
}

// OnceDo stands in for (*sync.Once).Do.
func (c Call) OnceDo(o *sync.Once, f func()) {
	fwd20(c, o, f, (*sync.Once).Do, Call.hubOnceDo)
}

// hubOnceDo is OnceDo while a hub is in force.
func (c Call) hubOnceDo(o *sync.Once, f func()) {
	h := active()
	if h == nil {
		o.Do(f)
		return
	}
	always(c, h, opOnceDo, func() {
		if s, ok := h.(syncScheduler); ok {
			s.OnceDo(c.site, o, f)
			return
		}
		o.Do(f)
	})
}
