package gopatchrt

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSimFreeLocks: free goroutines (the sim in force without Run) taking patched
// locks, a WaitGroup, and a Once, many at a time, with virtual sleeps while they
// hold them, all finish, each lock excluding as it should; the waits end through
// released (a patched Unlock, Done) rather than by polling.
func TestSimFreeLocks(t *testing.T) {
	fb, s := freeSim(t)
	const n = 20
	var (
		mu      sync.Mutex
		rw      sync.RWMutex
		wg      sync.WaitGroup
		once    sync.Once
		inside  atomic.Int32 // holders of mu
		writers atomic.Int32
		readers atomic.Int32
		onces   atomic.Int32
		bad     atomic.Value
	)
	check := func(ok bool, msg string) {
		if !ok {
			bad.Store(msg)
		}
	}
	for i := 0; i < n; i++ {
		fb.At(3).WaitGroupAdd(&wg, 1)
		go func(i int) {
			defer fb.At(3).WaitGroupDone(&wg)
			fb.At(5).OnceDo(&once, func() {
				fb.At(2).Sleep(time.Millisecond) // the others wait in OnceDo meanwhile
				onces.Add(1)
			})
			check(onces.Load() == 1, "OnceDo returned before f did")
			fb.At(5).MutexLock(&mu)
			check(inside.Add(1) == 1, "two goroutines hold the mutex")
			fb.At(2).Sleep(time.Millisecond)
			inside.Add(-1)
			fb.At(5).MutexUnlock(&mu)
			if i%4 == 0 {
				fb.At(5).RWMutexLock(&rw)
				check(writers.Add(1) == 1 && readers.Load() == 0, "a writer is not alone")
				fb.At(2).Sleep(time.Millisecond)
				writers.Add(-1)
				fb.At(5).RWMutexUnlock(&rw)
			} else {
				fb.At(5).RWMutexRLock(&rw)
				readers.Add(1)
				check(writers.Load() == 0, "a reader beside a writer")
				fb.At(2).Sleep(time.Millisecond)
				readers.Add(-1)
				fb.At(5).RWMutexRUnlock(&rw)
			}
		}(i)
	}
	done := make(chan struct{})
	go func() {
		fb.At(3).WaitGroupWait(&wg)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("not done after 20s of wall time; virtual time %v", s.Elapsed())
	}
	if msg := bad.Load(); msg != nil {
		t.Fatal(msg)
	}
	if got := onces.Load(); got != 1 {
		t.Fatalf("the Once's f ran %d times", got)
	}
	// The mutex alone is held 1ms by each in turn.
	if got, want := s.Elapsed(), n*time.Millisecond; got < want {
		t.Errorf("virtual time %v, want at least %v", got, want)
	}
}

// TestSimFreeAwaitProbe: a free goroutine waiting on a patched mutex that
// unpatched code unlocks goes on before the clock moves for another goroutine's
// virtual timer: the hub probes its TryLock, as it probes channel waiters, before
// it moves the clock. The waiter no longer polls on wall time, and without the
// probe it would learn of the unlock only at its next look, a millisecond later.
func TestSimFreeAwaitProbe(t *testing.T) {
	fb, s := freeSim(t)
	for round := 0; round < 20; round++ {
		var mu sync.Mutex
		mu.Lock()
		got := make(chan struct{})
		go func() {
			fb.At(5).MutexLock(&mu)
			Close(fb.At(1), got)
			fb.At(5).MutexUnlock(&mu)
		}()
		time.Sleep(2 * time.Millisecond) // it waits in the hub by now, most likely
		mu.Unlock()                      // unpatched
		v0 := s.Elapsed()
		sel := Select(fb.At(2), false, RecvCase(got), RecvCase(fb.At(3).After(250*time.Millisecond)))
		if sel.Index != 0 {
			t.Fatalf("round %d: the virtual timer won (virtual time %v → %v)", round, v0, s.Elapsed())
		}
	}
}
