package gopatchrt

import "sync"

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

// lock acquires l, through the hub's Scheduler if it has one. The method value
// l.TryLock is made only then, so that other hubs cost no allocation.
func lock(c Call, h Hub, op *Op, l tryLocker) {
	always(c, h, op, func() {
		if s, ok := h.(Scheduler); ok {
			s.Await(c.site, op, l.TryLock)
		} else {
			l.Lock()
		}
	})
}

// MutexLock stands in for (*sync.Mutex).Lock.
func (c Call) MutexLock(m *sync.Mutex) {
	if h := active(); h != nil {
		lock(c, h, opMutexLock, m)
		return
	}
	m.Lock()
}

// MutexUnlock stands in for (*sync.Mutex).Unlock.
func (c Call) MutexUnlock(m *sync.Mutex) {
	if h := active(); h != nil {
		always(c, h, opMutexUnlock, m.Unlock)
		return
	}
	m.Unlock()
}

// RWMutexLock stands in for (*sync.RWMutex).Lock.
func (c Call) RWMutexLock(rw *sync.RWMutex) {
	if h := active(); h != nil {
		lock(c, h, opRWMutexLock, rw)
		return
	}
	rw.Lock()
}

// RWMutexUnlock stands in for (*sync.RWMutex).Unlock.
func (c Call) RWMutexUnlock(rw *sync.RWMutex) {
	if h := active(); h != nil {
		always(c, h, opRWMutexUnlock, rw.Unlock)
		return
	}
	rw.Unlock()
}

// RWMutexRLock stands in for (*sync.RWMutex).RLock.
func (c Call) RWMutexRLock(rw *sync.RWMutex) {
	if h := active(); h != nil {
		lock(c, h, opRWMutexRLock, (*rlocker)(rw))
		return
	}
	rw.RLock()
}

// RWMutexRUnlock stands in for (*sync.RWMutex).RUnlock.
func (c Call) RWMutexRUnlock(rw *sync.RWMutex) {
	if h := active(); h != nil {
		always(c, h, opRWMutexRUnlock, rw.RUnlock)
		return
	}
	rw.RUnlock()
}

// WaitGroupAdd stands in for (*sync.WaitGroup).Add.
func (c Call) WaitGroupAdd(wg *sync.WaitGroup, delta int) {
	if h := active(); h != nil {
		always(c, h, opWaitGroupAdd, func() { wg.Add(delta) })
		return
	}
	wg.Add(delta)
}

// WaitGroupDone stands in for (*sync.WaitGroup).Done.
func (c Call) WaitGroupDone(wg *sync.WaitGroup) {
	if h := active(); h != nil {
		always(c, h, opWaitGroupDone, wg.Done)
		return
	}
	wg.Done()
}

// WaitGroupWait stands in for (*sync.WaitGroup).Wait.
func (c Call) WaitGroupWait(wg *sync.WaitGroup) {
	if h := active(); h != nil {
		always(c, h, opWaitGroupWait, func() {
			if s, ok := h.(syncScheduler); ok {
				s.WaitGroupWait(c.site, wg)
				return
			}
			wg.Wait()
		})
		return
	}
	wg.Wait()
}

// CondWait stands in for (*sync.Cond).Wait.
func (c Call) CondWait(cond *sync.Cond) {
	if h := active(); h != nil {
		always(c, h, opCondWait, func() {
			if s, ok := h.(syncScheduler); ok {
				s.CondWait(c.site, cond)
				return
			}
			cond.Wait()
		})
		return
	}
	cond.Wait()
}

// CondSignal stands in for (*sync.Cond).Signal.
func (c Call) CondSignal(cond *sync.Cond) {
	if h := active(); h != nil {
		always(c, h, opCondSignal, func() {
			if s, ok := h.(syncScheduler); ok {
				s.CondSignal(c.site, cond, false)
				return
			}
			cond.Signal()
		})
		return
	}
	cond.Signal()
}

// CondBroadcast stands in for (*sync.Cond).Broadcast.
func (c Call) CondBroadcast(cond *sync.Cond) {
	if h := active(); h != nil {
		always(c, h, opCondBroadcast, func() {
			if s, ok := h.(syncScheduler); ok {
				s.CondSignal(c.site, cond, true)
				return
			}
			cond.Broadcast()
		})
		return
	}
	cond.Broadcast()
}

// OnceDo stands in for (*sync.Once).Do.
func (c Call) OnceDo(o *sync.Once, f func()) {
	if h := active(); h != nil {
		always(c, h, opOnceDo, func() {
			if s, ok := h.(syncScheduler); ok {
				s.OnceDo(c.site, o, f)
				return
			}
			o.Do(f)
		})
		return
	}
	o.Do(f)
}
