package gopatchrt

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// The sim's virtual clock: a heap of timers ordered by (when, creation order), so
// that timers due at the same instant fire in a deterministic order.

type vtimer struct {
	when   int64
	seq    uint64
	index  int // in the heap, -1 when not pending
	period int64

	g      *simG              // a sleeping or deadline-waiting goroutine
	c      chan time.Time     // a Timer's or Ticker's channel
	f      func()             // an AfterFunc's function
	cancel context.CancelFunc // a virtual context's deadline
	ctx    *simCtx
}

type timerHeap []*vtimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*vtimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// simWakeLag is how long after its deadline a timer fires: the clock a woken
// sleeper reads is strictly past the deadline, as on a real clock. It is fixed, so
// it is as deterministic as the deadline itself.
const simWakeLag = 1

// addTimerLocked schedules t to fire d from now.
func (s *Sim) addTimerLocked(t *vtimer, d time.Duration) {
	if d < 0 {
		d = 0
	}
	t.when = s.now + int64(d)
	s.tseq++
	t.seq = s.tseq
	heap.Push(&s.timers, t)
}

func (s *Sim) stopTimerLocked(t *vtimer) bool {
	if t.index < 0 {
		return false
	}
	heap.Remove(&s.timers, t.index)
	return true
}

// advanceLocked makes progress when nothing can run: it completes the channel
// operations that code the hub does not see has made possible (probeLocked: in
// mixed mode those of data too), or else moves the clock to the earliest timer and
// fires every timer due then. It reports false when it did neither.
func (s *Sim) advanceLocked() bool {
	if s.probeLocked(s.mixed.Load()) {
		return true
	}
	if len(s.timers) == 0 {
		return false
	}
	// A timer fires 1ns after its deadline: time.Sleep(d) pauses for at least d,
	// and code that checks time.Since(start) > d after sleeping d must see it.
	if w := s.timers[0].when + simWakeLag; w > s.now {
		s.now = w
	}
	for len(s.timers) > 0 && s.timers[0].when <= s.now {
		t := heap.Pop(&s.timers).(*vtimer)
		s.fireLocked(t)
	}
	return true
}

func (s *Sim) fireLocked(t *vtimer) {
	switch {
	case t.g != nil:
		g := t.g
		t.g = nil
		g.fired = true
		s.unregisterLocked(g)
		s.makeRunnableLocked(g)
	case t.c != nil:
		// Drop the tick if the last one has not been read, as time.Ticker does.
		select {
		case t.c <- SimEpoch.Add(time.Duration(s.now)):
		default:
		}
		s.notifyLocked(chanKey(t.c))
		if t.period > 0 {
			t.when += t.period // from the deadline: the lag does not accumulate
			s.tseq++
			t.seq = s.tseq
			heap.Push(&s.timers, t)
		}
	case t.f != nil:
		f := t.f
		ng := s.newG(true)
		ng.state = gRunnable
		ng.why = "AfterFunc"
		s.runq = append(s.runq, ng)
		s.owned.Add(1)
		s.startG(ng, f)
	case t.ctx != nil:
		t.ctx.expire()
		s.notifyLocked(chanKey(t.ctx.Done()))
	}
}

// Now implements Clock.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SimEpoch.Add(time.Duration(s.now))
}

// Sleep implements Clock: an owned goroutine gives up the baton until the clock
// reaches now+d; d <= 0 is a plain scheduling point (Before already was one).
func (s *Sim) Sleep(site *Site, d time.Duration) {
	if d <= 0 {
		return
	}
	g := s.self()
	s.mu.Lock()
	t := &vtimer{g: g}
	g.timer, g.fired = t, false
	g.site, g.why = site, "time.Sleep"
	s.addTimerLocked(t, d)
	if !g.sched() {
		settle := s.settleIdleLocked()
		act := s.activity.Load()
		s.mu.Unlock()
		if !settle || !s.settleAsWaiter(act) {
			s.kickLoop2()
		}
		<-g.wake
		return
	}
	g.state = gBlocked
	s.switchLocked(g)
}

// kickIdleLocked wakes the loop when a free goroutine may be about to wait for a
// virtual timer it just set, so that the loop can settle the clock at once.
func (s *Sim) kickIdleLocked() {
	if s.cur.Load() == nil && s.mixed.Load() {
		s.kickLoop()
	}
}

// kickIdle is kickIdleLocked from outside the lock.
func (s *Sim) kickIdle() {
	s.mu.Lock()
	s.kickIdleLocked()
	s.mu.Unlock()
}

// kickLoop2 wakes the loop from outside the lock.
func (s *Sim) kickLoop2() {
	s.mu.Lock()
	s.kickLoop()
	s.mu.Unlock()
}

func (s *Sim) newVirtualTimer(d time.Duration, period time.Duration) (*vtimer, chan time.Time) {
	c := make(chan time.Time, 1)
	t := &vtimer{c: c, period: int64(period)}
	s.addTimerLocked(t, d)
	s.kickIdleLocked()
	return t, c
}

// NewTimer implements Clock with a *time.Timer whose channel the virtual clock
// feeds; only the shims' TimerStop and TimerReset may be used on it.
func (s *Sim) NewTimer(site *Site, d time.Duration) *time.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	vt, c := s.newVirtualTimer(d, 0)
	tm := &time.Timer{C: c}
	s.timerOf[tm] = vt
	return tm
}

// AfterFunc implements Clock: f runs as a new owned goroutine when the timer fires.
func (s *Sim) AfterFunc(site *Site, d time.Duration, f func()) *time.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	vt := &vtimer{f: f}
	s.addTimerLocked(vt, d)
	s.kickIdleLocked()
	tm := &time.Timer{}
	s.timerOf[tm] = vt
	return tm
}

// NewTicker implements Clock. Like time.NewTicker it panics when d <= 0.
func (s *Sim) NewTicker(site *Site, d time.Duration) *time.Ticker {
	if d <= 0 {
		panic("non-positive interval for NewTicker")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vt, c := s.newVirtualTimer(d, d)
	tk := &time.Ticker{C: c}
	s.tickerOf[tk] = vt
	return tk
}

// drain empties a timer channel, so that after Stop or Reset no stale value is
// received (the Go 1.23 guarantee).
func drain(c chan time.Time) {
	select {
	case <-c:
	default:
	}
}

// StopTimer implements Clock; timers the sim did not make are stopped for real.
func (s *Sim) StopTimer(t *time.Timer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	vt := s.timerOf[t]
	if vt == nil {
		return t.Stop()
	}
	if vt.c != nil {
		drain(vt.c)
	}
	return s.stopTimerLocked(vt)
}

// ResetTimer implements Clock.
func (s *Sim) ResetTimer(t *time.Timer, d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	vt := s.timerOf[t]
	if vt == nil {
		return t.Reset(d)
	}
	if vt.c != nil {
		drain(vt.c)
	}
	active := s.stopTimerLocked(vt)
	s.addTimerLocked(vt, d)
	return active
}

// StopTicker implements Clock.
func (s *Sim) StopTicker(t *time.Ticker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vt := s.tickerOf[t]
	if vt == nil {
		t.Stop()
		return
	}
	drain(vt.c)
	s.stopTimerLocked(vt)
}

// ResetTicker implements Clock.
func (s *Sim) ResetTicker(t *time.Ticker, d time.Duration) {
	if d <= 0 {
		panic("non-positive interval for Ticker.Reset")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vt := s.tickerOf[t]
	if vt == nil {
		t.Reset(d)
		return
	}
	drain(vt.c)
	s.stopTimerLocked(vt)
	vt.period = int64(d)
	s.addTimerLocked(vt, d)
}

// simCtx is a context whose deadline is on the virtual clock. It is a cancel
// context of its parent, so that the parent's cancellation reaches it, and the
// contexts made from it, at once; Err tells why it ended, and so does
// context.Cause, of it and of the contexts made from it (Go 1.20 and later).
type simCtx struct {
	context.Context // a cancel context of the parent, with a cause
	parent          context.Context
	cancel          func(cause error)
	deadline        time.Time
	mu              sync.Mutex
	expired         bool // ended by its deadline
	cancelled       bool // ended by its cancel function
}

func (c *simCtx) Deadline() (time.Time, bool) { return c.deadline, true }

// Err is context.DeadlineExceeded when its deadline ended it, context.Canceled
// when its cancel function did, and the parent's error when the parent's
// cancellation did (a sim context's DeadlineExceeded, as a context.WithTimeout
// made from a context.WithTimeout that expires first reports).
func (c *simCtx) Err() error {
	err := c.Context.Err()
	if err == nil {
		return nil
	}
	c.mu.Lock()
	expired, cancelled := c.expired, c.cancelled
	c.mu.Unlock()
	switch {
	case expired:
		return context.DeadlineExceeded
	case cancelled:
		return err
	}
	if perr := c.parent.Err(); perr != nil {
		return perr
	}
	return err
}

// end cancels c with cause (nil: context.Canceled), recording why if it is the
// first to.
func (c *simCtx) end(why *bool, cause error) {
	c.mu.Lock()
	if c.Context.Err() == nil {
		*why = true
	}
	c.mu.Unlock()
	c.cancel(cause)
}

func (c *simCtx) expire() { c.end(&c.expired, context.DeadlineExceeded) }

// WithDeadline is context.WithDeadline on the virtual clock.
func (s *Sim) WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if pd, ok := parent.Deadline(); ok && pd.Before(d) {
		d = pd // the parent expires first; its own cancellation covers it
	}
	inner, cancel := withCancelCause(parent)
	c := &simCtx{Context: inner, parent: parent, cancel: cancel, deadline: d}
	s.mu.Lock()
	vt := &vtimer{ctx: c}
	dur := d.Sub(SimEpoch.Add(time.Duration(s.now)))
	if dur <= 0 {
		s.mu.Unlock()
		c.expire()
		return c, func() { cancel(nil) }
	}
	s.addTimerLocked(vt, dur)
	s.kickIdleLocked()
	s.mu.Unlock()
	return c, func() {
		c.end(&c.cancelled, nil)
		s.mu.Lock()
		s.stopTimerLocked(vt)
		s.notifyLocked(chanKey(c.Done()))
		s.mu.Unlock()
	}
}

// WithTimeout is context.WithTimeout on the virtual clock.
func (s *Sim) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return s.WithDeadline(parent, s.Now().Add(d))
}
