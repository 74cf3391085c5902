package gopatchrt

import (
	"fmt"
	"math/bits"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// The sim hub runs patched goroutines one at a time on a virtual clock, like
// gevent's hub, for tests. See docs/sim.md for the walkthrough and the limits.
//
// Goroutines. A goroutine started through the hub (Call.Go, Sim.Run, a fired
// AfterFunc) is owned: it runs only while it holds the baton, and gives it back at
// every patched call. Each owned goroutine is a coroutine (iter.Pull); handing the
// baton over is two coroutine switches, into a driver goroutine and from it into
// the next (sim_baton_coro.go; before Go 1.23, a send on the next goroutine's wake
// channel and a receive on one's own: sim_baton_chan.go). Which runnable
// goroutine gets the baton next is drawn from a PCG-like generator seeded with
// the sim's seed, so a seed replays a schedule exactly.
//
// Identity. The hub needs to know which goroutine entered it. While every goroutine
// that can enter is owned ("pure" mode) the caller is the baton holder, and the
// hub checks that cheaply: runtime.NumGoroutine must not exceed the goroutines
// that existed when the sim started plus the owned ones. When that fails, or once
// an owned goroutine has stepped outside the scheduler (an http call, say), the
// sim is "mixed" and identifies callers by goroutine id, parsed from
// runtime.Stack (about 2 µs).
//
// Goroutines the hub did not start (net/http's connection goroutines, say) are
// tracked, not owned: they get an identity on first entry, their sleeps, channel
// operations, locks and virtual-network waits are served by the hub on virtual
// time, but they run free, so their interleaving is not under the seed's control.
//
// Time. The clock only moves when nothing owned can run: in pure mode at once, to
// the next timer; in mixed mode after the hub has seen no activity for a couple of
// milliseconds of wall time (free goroutines may be about to do something).

// SimEpoch is the virtual time at which every sim starts.
var SimEpoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

func init() {
	Register("sim", func() Hub { return NewSim(seedFromEnv()) })
}

// EnvSeed is the environment variable that gives the sim hub its seed.
const EnvSeed = "GOPATCH_SEED"

// seedFromEnv reads GOPATCH_SEED: a number, "random", or nothing (seed 1).
func seedFromEnv() uint64 {
	s := os.Getenv(EnvSeed)
	if s == "random" {
		return uint64(time.Now().UnixNano())
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n
	}
	return 1
}

type gState uint8

const (
	gRunnable gState = iota
	gRunning
	gBlocked  // waiting for a channel, a network event or a timer
	gPolling  // waiting in Await for try to succeed
	gExternal // owned, but outside the scheduler for the length of an opaque call
	gDone
)

// simG is the hub's record of one goroutine. The fields every scheduling step
// touches come first, in one cache line: with thousands of goroutines the record
// of the one picked is usually not in cache.
type simG struct {
	id    int
	state gState
	owned bool
	main  bool
	site  *Site // where it last entered the hub
	baton       // how it is suspended and resumed (sim_baton_*.go)

	wake chan struct{} // the baton (sim_baton_chan.go), or a wake-up for a free goroutine
	gid  uint64        // runtime goroutine id; 0 until it first runs
	why  string        // what it waits for

	// Waiting on channels and network queues.
	cases  []chanCase
	hs     int // case to complete for real in a handshake, or -1
	hsPeer *simG
	hsDone chan struct{}
	timer  *vtimer // deadline or sleep
	fired  bool    // the timer woke it

	sel selFrames // select statements being evaluated (chan_select.go)

	probing bool // listed in Sim.probers
	probed  int  // 1 + the case probeLocked completed for it, or 0
	// dataProbing is set while it is listed in Sim.dataProbers.
	dataProbing bool
	// try is the attempt of the channel operation it is parked in, for probes
	// (chanCase.tryProbe).
	try func() int
	// freeWaiting is set while a free goroutine waits in chanOp between two
	// looks, where a probe may do its operation.
	freeWaiting bool
	// await is the attempt of a free goroutine waiting in awaitOn between two
	// looks (listed in Sim.awaitQ), awaitKey what it waits on, awaitProbe
	// whether the hub may make the attempt (released, probeAwaitersLocked), and
	// awaitDone set when it did and succeeded.
	await      func() bool
	awaitKey   unsafe.Pointer
	awaitProbe bool
	awaitDone  bool
	awaitSeq   uint64 // waits begun, which tells its live entry in an awaitQueue
}

// sched reports whether g is under the scheduler right now.
func (g *simG) sched() bool { return g.owned && g.state != gExternal }

// Sim is the sim hub. Create one with NewSim and run a test body under it with
// Run; GOPATCH_HUB=sim puts one in force for a whole process, where every goroutine
// is tracked rather than owned.
type Sim struct {
	// 64-bit atomics first: aligned on 32-bit platforms.
	activity atomicUint64

	seed uint64

	mu       hubMutex
	steps    uint64 // scheduling decisions so far
	rng      uint64
	now      int64 // virtual nanoseconds since SimEpoch
	runq     []*simG
	pollers  []*simG
	probers  []*simG // goroutines waiting in chanOp with a case to probe
	dirty    bool    // something ran since the pollers last tried
	waiters  map[unsafe.Pointer]*waitList
	wlFree   []*waitList
	timers   timerHeap
	tseq     uint64
	nextID   int
	byGID    map[uint64]*simG
	timerOf  map[*time.Timer]*vtimer
	tickerOf map[*time.Ticker]*vtimer
	external int // owned goroutines in external calls
	free     int // goroutines not owned that entered the hub
	// checks is the wall time spent in quiescence checks.
	checks checkClock
	// transports are the clones of client transports that dial through the
	// virtual network (sim_http.go), by original.
	httpMu     sync.Mutex
	transports map[*http.Transport]*http.Transport
	// dataProbers are the goroutines waiting in chanOp (owned and parked, or free)
	// with a case whose probe is of data (chanCase.data), pruned when it reaches
	// dataProbersMax.
	dataProbers    []*simG
	dataProbersMax int
	// awaitQ are the free goroutines waiting in awaitOn (sim_await.go) by key,
	// and awaiting their number, read without s.mu by released.
	awaitQ   map[unsafe.Pointer]*awaitQueue
	awaiting atomicInt32
	// handshakeOn counts the hand-shakes under way by channel. Two goroutines
	// that meet in a real channel operation are blocked in it for a moment,
	// which a quiescence check must not mistake for quiet (any entry holds off
	// the clock), and no attempt (chanCase try, a probe) is made on that
	// channel meanwhile.
	handshakeOn map[unsafe.Pointer]int
	// busyHolds counts the loop's looks at which its wall-clock fallback held
	// the clock for goroutines running or runnable (simBusyQuiet).
	busyHolds uint64
	finished  bool
	net       *vnet
	onces     map[*sync.Once]bool

	cur      atomicPointer[simG]
	owned    atomicInt32 // live owned goroutines
	baseline atomicInt32 // goroutines that existed at Run, the sim's own included, drivers not; lowered as they exit
	mixed    atomicBool
	running  atomicBool // Run has been called: goroutines started by Go are owned
	hash     uint64
	trace    [traceRing]traceEntry
	traceN   int

	drivers // what resumes owned goroutines (sim_baton_*.go)

	kick     chan struct{}
	loopDone chan struct{} // closed as the loop returns
	loopGID  atomicUint64  // the loop goroutine's runtime id, which quiescence checks skip
	stackMu  sync.Mutex    // guards stackBuf; a quiescence check that finds it taken is skipped
	stackBuf []byte
	done     chan struct{}
	failed   chan struct{}
	failOnce sync.Once
	failMsg  string
	onFail   func(msg string) // set by Run; nil: print and exit
}

const traceRing = 32

type traceEntry struct {
	g   int
	now int64
}

// hubMutex is the hub's lock. It counts the goroutines waiting for it: each is
// about to act in the hub, so the loop's wall-clock fallback must not take their
// wait, however long the lock's holders or the scheduler make it, for quiet.
type hubMutex struct {
	sync.Mutex
	waiting atomicInt32
}

func (m *hubMutex) Lock() {
	if m.TryLock() {
		return
	}
	m.waiting.Add(1)
	m.Mutex.Lock()
	m.waiting.Add(-1)
}

// NewSim returns a sim hub with the given seed.
func NewSim(seed uint64) *Sim {
	s := &Sim{
		seed:        seed,
		rng:         seed*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019,
		waiters:     map[unsafe.Pointer]*waitList{},
		handshakeOn: map[unsafe.Pointer]int{},
		awaitQ:      map[unsafe.Pointer]*awaitQueue{},
		byGID:       map[uint64]*simG{},
		timerOf:     map[*time.Timer]*vtimer{},
		tickerOf:    map[*time.Ticker]*vtimer{},
		kick:        make(chan struct{}, 1),
		loopDone:    make(chan struct{}),
		done:        make(chan struct{}),
		failed:      make(chan struct{}),
		hash:        14695981039346656037,
	}
	s.net = newVnet(s)
	s.initDrivers()
	s.baseline.Store(int32(runtime.NumGoroutine()) - s.driverCount() + 1) // + the loop goroutine
	go s.loop()
	return s
}

// Name implements Hub.
func (s *Sim) Name() string { return "sim" }

// Seed returns the sim's seed.
func (s *Sim) Seed() uint64 { return s.seed }

// Steps returns the number of scheduling decisions made so far.
func (s *Sim) Steps() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.steps
}

// TraceHash returns the hash of the trace so far: every scheduling decision (which
// goroutine got the baton) with the virtual time at which it was made.
func (s *Sim) TraceHash() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hash
}

// Elapsed returns the virtual time elapsed since the sim started.
func (s *Sim) Elapsed() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Duration(s.now)
}

// Summary is the line the sim prints about a run: seed, steps, virtual time, hash,
// and how many goroutines it did not own entered the hub (net/http's, those
// started by unpatched code): they ran free, so where they met owned ones the
// seed does not fix the interleaving.
func (s *Sim) Summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	line := fmt.Sprintf("gopatch sim: seed=%d steps=%d vtime=%s trace=%016x", s.seed, s.steps, time.Duration(s.now), s.hash)
	if s.free > 0 {
		line += fmt.Sprintf(" free=%d (goroutines not owned by the hub, not seeded)", s.free)
	}
	return line
}

// Failed returns a channel closed when the sim has failed (deadlock, a goroutine
// blocked where the hub cannot see, a panic), and Failure the report.
func (s *Sim) Failed() <-chan struct{} { return s.failed }

// Failure returns the failure report, or "" if the sim has not failed.
func (s *Sim) Failure() string {
	select {
	case <-s.failed:
		return s.failMsg
	default:
		return ""
	}
}

// rand returns a number in [0, n) from the sim's generator (a 64-bit LCG with an
// xorshift-multiply output, as in PCG's XSH family).
func (s *Sim) rand(n int) int {
	s.rng = s.rng*6364136223846793005 + 1442695040888963407
	x := s.rng
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	hi, _ := bits.Mul64(x, uint64(n))
	return int(hi)
}

// Run puts s in force, runs main as the sim's first owned goroutine and returns
// when main has returned (goroutines still blocked then are abandoned), or when
// the sim has failed, with the failure report as error. The hub in force before is
// restored.
func (s *Sim) Run(main func()) error {
	prev := Use(s)
	defer Use(prev)
	if s.onFail == nil {
		s.onFail = func(string) {}
	}
	s.baseline.Store(int32(runtime.NumGoroutine()) - s.driverCount())
	s.running.Store(true)
	s.mu.Lock()
	g := s.newG(true)
	g.main = true
	s.runq = append(s.runq, g)
	s.owned.Add(1)
	s.startG(g, main)
	s.dispatchLocked()
	s.mu.Unlock()
	select {
	case <-s.done:
	case <-s.failed:
	}
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
	close(s.kick)
	s.quitDrivers()
	s.closeTransports()
	<-s.loopDone // gone before the next sim counts the goroutines at its Run
	if msg := s.Failure(); msg != "" {
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// newG makes a goroutine record; s.mu is held.
func (s *Sim) newG(owned bool) *simG {
	g := &simG{id: s.nextID, owned: owned, wake: make(chan struct{}, 1), hs: -1, hsDone: make(chan struct{}, 1)}
	s.nextID++
	return g
}

// gmain is the body of every owned goroutine, which startG starts and which runs
// once it is first handed the baton.
// It registers its runtime id only once it holds the baton: thousands of
// goroutines starting at once would otherwise queue on s.mu ahead of the baton
// holder. Until then nothing can ask who it is, since it has not entered the hub.
func (s *Sim) gmain(g *simG, f func()) {
	gid := goid()
	s.mu.Lock()
	g.gid = gid
	s.byGID[gid] = g
	s.mu.Unlock()
	defer s.exit(g)
	f()
}

// exit ends an owned goroutine and hands the baton on. It recovers a panic so that
// the report carries the seed; the sim then fails, and the goroutine ends with
// runtime.Goexit, handing the baton to nobody (its driver ends with it).
func (s *Sim) exit(g *simG) {
	if r := recover(); r != nil {
		buf := make([]byte, 64<<10)
		buf = buf[:runtime.Stack(buf, false)]
		s.fail(fmt.Sprintf("panic in goroutine %d: %v\n\n%s", g.id, r, buf))
		s.owned.Add(-1)
		runtime.Goexit()
	}
	s.mu.Lock()
	s.owned.Add(-1)
	delete(s.byGID, g.gid)
	g.state = gDone
	s.dirty = true
	if g.main {
		s.finished = true
		s.cur.Store(nil)
		s.mu.Unlock()
		close(s.done)
		return
	}
	s.cur.Store(nil)
	next := s.nextLocked()
	s.mu.Unlock()
	s.leave(g, next)
}

// self returns the calling goroutine's record (see "Identity" above).
func (s *Sim) self() *simG {
	if c := s.cur.Load(); c != nil && !s.mixed.Load() && !s.strangers() {
		return c
	}
	return s.selfSlow()
}

// strangers reports whether more goroutines exist than the hub knows of: those
// that existed at Run plus the owned ones. The surplus were started by unpatched
// code. A goroutine that existed at Run and has exited (a previous sim's, on its
// way out then) is counted out, or the next one started by unpatched code would
// pass unseen.
func (s *Sim) strangers() bool {
	n, known := int32(runtime.NumGoroutine()), s.baseline.Load()+s.owned.Load()+s.driverCount()
	if n < known {
		s.baseline.Add(n - known)
	}
	return n > known
}

func (s *Sim) selfSlow() *simG {
	gid := goid()
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.byGID[gid]
	if g == nil {
		s.mixed.Store(true) // a goroutine the hub does not own: identify by id from now on
		g = s.newG(false)
		s.free++
		g.gid = gid
		g.state = gRunning
		s.byGID[gid] = g
	}
	return g
}

// goid parses the calling goroutine's id from the header of its stack trace.
func goid() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	var id uint64
	for _, c := range buf[len("goroutine "):n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// record adds a scheduling decision to the trace; s.mu is held. The record is
// two 64-bit words, the goroutine number and the virtual time, folded into the
// hash FNV-1a style a word at a time (no formatting, no allocation).
func (s *Sim) record(g *simG) {
	const prime = 1099511628211
	s.hash = (s.hash ^ uint64(g.id)) * prime
	s.hash = (s.hash ^ uint64(s.now)) * prime
	s.trace[s.traceN%traceRing] = traceEntry{g.id, s.now}
	s.traceN++
	s.steps++
}

// pickLocked chooses the next goroutine to hold the baton, advancing the clock when
// nothing can run; nil means nobody (the sim is idle, finished or failed).
func (s *Sim) pickLocked() *simG {
	for {
		if s.finished {
			return nil
		}
		if s.dirty && len(s.pollers) > 0 {
			for _, p := range s.pollers {
				p.state = gRunnable
			}
			s.runq = append(s.runq, s.pollers...)
			s.pollers = s.pollers[:0]
		}
		s.dirty = false
		if n := len(s.runq); n > 0 {
			i := 0
			if n > 1 {
				i = s.rand(n)
			}
			g := s.runq[i]
			s.runq[i] = s.runq[n-1]
			s.runq[n-1] = nil
			s.runq = s.runq[:n-1]
			g.state = gRunning
			s.record(g)
			return g
		}
		if s.mixed.Load() {
			return nil // the loop advances time once the free goroutines are quiet
		}
		if !s.advanceLocked() {
			if s.probeLocked(true) {
				continue // unpatched code sent a value or took one
			}
			if s.strangers() || !s.quiescentLocked() {
				// A goroutine the hub does not know may yet act: wait for quiet
				// as in mixed mode.
				s.mixed.Store(true)
				return nil
			}
			if s.probeLocked(true) {
				continue // it had acted by the time the process was found quiet
			}
			s.deadlockLocked("all goroutines are blocked and no timer is pending")
			return nil
		}
	}
}

// dispatchLocked hands the baton to the next goroutine if nobody holds it.
func (s *Sim) dispatchLocked() {
	if next := s.nextLocked(); next != nil {
		s.resume(next)
	}
}

// nextLocked picks the next baton holder if nobody holds the baton, and records it
// as the holder; the caller hands it the baton. With nobody to pick, it kicks the
// loop and returns nil.
func (s *Sim) nextLocked() *simG {
	if s.cur.Load() != nil || s.finished {
		return nil
	}
	next := s.pickLocked()
	if next != nil {
		s.cur.Store(next)
		return next
	}
	s.kickLoop()
	return nil
}

func (s *Sim) kickLoop() {
	if s.finished {
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// switchLocked gives up the baton held by g, whose new state is already recorded,
// and returns when g holds it again. s.mu is held on entry and released.
//
// It and yield are small enough to be inlined, so that a goroutine parks in the
// frame that entered the hub (Before, Sleep, chanOp …): every frame between the
// goroutine's own code and its park is returned through, cold, each time it is
// resumed (a channel baton among 100 goroutines parked 8 frames deep costs ~100
// ns more per switch than one parked at depth 0). The work is in handoffLocked,
// which returns before the park.
func (s *Sim) switchLocked(g *simG) {
	if next, wait := s.handoffLocked(g); wait {
		s.pass(g, next)
	}
}

// handoffLocked picks the next baton holder (nil: nobody yet); it reports whether
// g must now pass the baton to it and wait (false: g was picked again). s.mu is
// held on entry and released.
func (s *Sim) handoffLocked(g *simG) (*simG, bool) {
	next := s.pickLocked()
	if next == g {
		s.mu.Unlock()
		return nil, false
	}
	s.cur.Store(next)
	if next == nil {
		s.parkingLocked(g)
		s.kickLoop()
	}
	s.mu.Unlock()
	return next, true
}

// yield is a scheduling point for the owned goroutine g.
func (s *Sim) yield(g *simG) {
	if next, wait := s.yieldHandoff(g); wait {
		s.pass(g, next)
	}
}

// yieldHandoff puts g back on the run queue and picks the next baton holder, as
// handoffLocked does.
func (s *Sim) yieldHandoff(g *simG) (*simG, bool) {
	s.mu.Lock()
	g.state = gRunnable
	s.runq = append(s.runq, g)
	s.dirty = true
	return s.handoffLocked(g)
}

// makeRunnableLocked moves a blocked owned goroutine to the run queue, or wakes a
// free one.
func (s *Sim) makeRunnableLocked(g *simG) {
	if g.owned && g.state != gExternal {
		if g.state == gBlocked || g.state == gPolling {
			g.state = gRunnable
			s.runq = append(s.runq, g)
		}
		return
	}
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// Before implements Hub: for an owned goroutine every patched call is a scheduling
// point; a call of a family the sim does not model (http, exec, dns, os, tls) steps
// outside the scheduler until After.
func (s *Sim) Before(site *Site, op *Op) Token {
	if s.owned.Load() == 0 {
		// Nothing is owned (GOPATCH_HUB=sim without simtest): the caller is free,
		// and identifying it (a stack trace) would be all the cost of the call.
		if !s.mixed.Load() {
			s.mixed.Store(true)
		}
		s.beforeFree()
		return Token{}
	}
	g := s.self()
	if !g.sched() {
		s.beforeFree()
		return Token{}
	}
	g.site = site
	switch op.Category {
	case "time", "sync", "net", "chan", "go":
		s.yield(g)
		return Token{}
	}
	s.activity.Add(1)
	s.mixed.Store(true)
	s.mu.Lock()
	g.state = gExternal
	s.external++
	s.dirty = true
	s.cur.Store(nil)
	s.dispatchLocked()
	s.mu.Unlock()
	return Token{Start: externalMark}
}

const externalMark = -0x5117

// beforeFree is Before for a goroutine the hub does not own: activity, which
// holds off the clock in mixed mode, and a chance for pollers to try again.
func (s *Sim) beforeFree() {
	s.activity.Add(1)
	s.mu.Lock()
	s.dirty = true
	if len(s.pollers) > 0 {
		s.dispatchLocked()
	}
	s.mu.Unlock()
}

// After implements Hub: it brings a goroutine back under the scheduler after an
// external call.
func (s *Sim) After(site *Site, op *Op, t Token, err error) {
	if t.Start != externalMark {
		return
	}
	g := s.self()
	s.activity.Add(1)
	s.mu.Lock()
	s.external--
	g.state = gRunnable
	s.runq = append(s.runq, g)
	s.dirty = true
	next := s.nextLocked()
	if next == g {
		s.mu.Unlock()
		return
	}
	if next == nil {
		s.parkingLocked(g)
	}
	s.mu.Unlock()
	s.pass(g, next)
}

// Go starts f as an owned goroutine; for a free caller it is a plain go statement
// when the sim is not running a test body.
func (s *Sim) Go(site *Site, f func()) {
	g := s.self()
	if !g.sched() && !s.running.Load() {
		// GOPATCH_HUB=sim with no test body: nothing is owned, the goroutine runs
		// free (an owned one would hold the baton through unpatched blocking).
		go f()
		return
	}
	s.mu.Lock()
	ng := s.newG(true)
	ng.site = site
	ng.state = gRunnable
	s.runq = append(s.runq, ng)
	s.owned.Add(1)
	s.startG(ng, f)
	s.mu.Unlock()
	if g.sched() {
		s.yield(g)
		return
	}
	s.mu.Lock()
	s.dispatchLocked()
	s.mu.Unlock()
}

// loop is the sim's own goroutine: it advances virtual time in mixed mode once the
// free goroutines are quiet, and watches for a baton holder blocked where the hub
// cannot see.
func (s *Sim) loop() {
	defer close(s.loopDone)
	s.loopGID.Store(goid())
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var lastAct, lastSteps uint64
	var stoppedAt time.Duration
	changed := time.Now()
	stepped := changed
	var lastCheck time.Time
	stuck, busyLooks := 0, 0
	var stacks []byte
	for {
		select {
		case _, ok := <-s.kick:
			if !ok {
				return
			}
			s.settle(&stacks, settleProbes)
			continue
		case <-tick.C:
		}
		select {
		case <-s.failed:
			return
		case <-s.done:
			return
		default:
		}
		now := time.Now()
		s.mu.Lock()
		act, steps, stopped := s.activity.Load(), s.steps, s.checks.read(now)
		// A hand-shake under way is progress that shows no activity until it ends,
		// however long its waiter takes to get to its side of the channel; so is a
		// goroutine waiting for the hub's lock, held by this loop right now.
		if act != lastAct || steps != lastSteps || len(s.handshakeOn) > 0 || s.mu.waiting.Load() > 0 {
			changed, stoppedAt = now, stopped
			busyLooks = 0
		}
		if steps != lastSteps {
			// The time of the step is read with the lock held: the holder the loop
			// waited for may have run on for a while (a time slice, at GOMAXPROCS
			// 1), and now would make the steps it took meanwhile look older than
			// they are, to the blocked-holder check below.
			stepped, stuck = time.Now(), 0
		}
		lastAct, lastSteps = act, steps
		// Quiet is the wall time without activity in which goroutines could have
		// acted: the hub's own checks (a millisecond or more each with hundreds of
		// goroutines, and a free goroutine waiting in the hub checks at each of
		// its polls) are left out.
		quiet := now.Sub(changed) - (stopped - stoppedAt)
		if s.finished {
			s.mu.Unlock()
			return
		}
		cur := s.cur.Load()
		switch {
		case cur == nil && quiet < simQuiet && s.mixed.Load() && len(s.timers) > 0:
			s.mu.Unlock()
			s.settle(&stacks, 1)
			continue
		case cur == nil && quiet >= simQuiet:
			if len(s.runq) > 0 || (len(s.pollers) > 0 && s.dirty) {
				s.dispatchLocked()
			} else if (quiet < simBusyQuiet || busyLooks < simBusyLooks) && s.busy(1) {
				// Goroutines are running or waiting for a processor (or for the
				// hub's lock, held here, since the look began), with nothing to
				// show in the hub: on a loaded machine, one woken to act in the
				// hub can wait that long for the OS to run it. The clock waits
				// for them, up to simBusyQuiet and simBusyLooks looks: when the
				// OS keeps the process from running, it keeps this loop from
				// looking too, so the wait outlasts the starvation.
				busyLooks++
				s.busyHolds++
			} else if s.advanceLocked() {
				s.activity.Add(1)
				s.dispatchLocked()
			} else if limit := s.quietLimitLocked(); limit > 0 && quiet >= limit {
				s.deadlockLocked(fmt.Sprintf("no goroutine has made progress for %v of wall time and no timer is pending", limit))
			}
		case cur != nil && now.Sub(stepped) >= 8*time.Millisecond && now.Sub(lastCheck) >= 3*time.Millisecond:
			// The baton holder has not entered the hub for a while: blocked or busy?
			// The stacks are read without s.mu: the holder may be about to take it.
			lastCheck = now
			gid := cur.gid
			s.mu.Unlock()
			state, inHub := goroutineState(gid)
			s.mu.Lock()
			switch {
			case s.finished || s.cur.Load() != cur || s.steps != steps:
				stuck = 0 // it moved on meanwhile
			case blockedState(state) && !inHub:
				stuck++
				if stuck >= 2 {
					s.failLocked(fmt.Sprintf("goroutine %d holds the baton but is blocked [%s] on something the hub cannot see (an unpatched channel operation, lock or call)%s", cur.id, state, s.whereLocked(cur)))
				}
			default:
				stuck = 0
			}
		}
		s.mu.Unlock()
	}
}

// settle is the mixed-mode shortcut to simQuiet: when nothing in the process can
// make progress but the virtual clock, the clock moves at once. "Nothing" is read
// from the goroutines' states: every goroutine but the loop is blocked on a
// channel, a select, a lock or a condition, none is running, runnable, in a
// system call, waiting for the network or sleeping on the real clock, and the hub
// saw no activity while it looked. The loop settles when it is kicked (a free
// goroutine set a virtual timer, or parked in the hub while its own check failed)
// and at each tick while timers are pending; it tries up to probes times, each
// after letting other goroutines run for settleSpin. A free goroutine about to wait
// in the hub checks first itself (settleAsWaiter), which spares the wake-ups.
func (s *Sim) settle(buf *[]byte, probes int) {
	for i := 0; i < probes; i++ {
		act := s.activity.Load()
		for t0 := time.Now(); time.Since(t0) < settleSpin; {
			runtime.Gosched()
		}
		s.mu.Lock()
		idle := s.settleIdleLocked()
		s.mu.Unlock()
		if !idle {
			return
		}
		if s.activity.Load() != act || !s.quiescent(buf, 0) {
			continue
		}
		s.advanceIfQuiet(act)
		return
	}
}

// settleIdleLocked reports whether the hub itself has nothing to do: no baton
// holder, nothing runnable, no owned goroutine in an external call, and a timer
// pending, in mixed mode.
func (s *Sim) settleIdleLocked() bool {
	return !s.finished && s.cur.Load() == nil && s.mixed.Load() && s.external == 0 && len(s.handshakeOn) == 0 &&
		len(s.runq) == 0 && !(len(s.pollers) > 0 && s.dirty) && len(s.timers) > 0
}

// advanceIfQuiet moves the clock to the next timer if the hub saw no activity
// since act and is still idle; it reports whether it did.
func (s *Sim) advanceIfQuiet(act uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.activity.Load() != act || !s.settleIdleLocked() || !s.advanceLocked() {
		return false
	}
	s.activity.Add(1)
	s.dispatchLocked()
	return true
}

// settleAsWaiter is settle done by the free goroutine about to wait in the hub for
// a channel or a timer, registered already, with act the hub's activity read under
// s.mu after it registered: if every other goroutine but the loop is durably
// blocked too, the process is quiescent as soon as it parks, so it moves the clock
// itself rather than kicking the loop and parking (which costs two wake-ups and
// the loop's probes: 150 µs of wall time per wait of a retry loop). The timers
// that fire make their waiters ready, itself perhaps, before it parks. It reports
// false, and the caller kicks the loop, when some goroutine is not blocked or
// another check is under way.
func (s *Sim) settleAsWaiter(act uint64) bool {
	if !s.stackMu.TryLock() {
		return false
	}
	q := s.quiescent(&s.stackBuf, s.loopGID.Load())
	s.stackMu.Unlock()
	return q && s.advanceIfQuiet(act)
}

const (
	settleProbes = 4
	settleSpin   = 20 * time.Microsecond
)

// checkClock is the wall time spent in the hub's own quiescence checks: each
// stops the world to read every stack, then holds a processor to parse them (the
// only one at GOMAXPROCS 1). Others could hardly act in the hub meanwhile, so the
// wall-clock fallback does not count it as quiet. Checks made at once by several
// goroutines (the loop and free goroutines about to wait) count once: summed,
// they came to more than the wall time itself, quiet went negative, and the
// clock never moved.
type checkClock struct {
	mu    sync.Mutex
	n     int       // checks under way
	since time.Time // when the first of them began
	total time.Duration
}

func (c *checkClock) begin() {
	c.mu.Lock()
	if c.n == 0 {
		c.since = time.Now()
	}
	c.n++
	c.mu.Unlock()
}

func (c *checkClock) end() {
	c.mu.Lock()
	if c.n--; c.n == 0 {
		c.total += time.Since(c.since)
	}
	c.mu.Unlock()
}

// read returns the time spent in checks up to now, those under way included.
func (c *checkClock) read(now time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n > 0 && now.After(c.since) {
		return c.total + now.Sub(c.since)
	}
	return c.total
}

// quiescent reports whether every goroutine but the caller and skip (the sim's
// loop, when a waiter checks: what it does it does under the hub's lock) is
// durably blocked: none is running, runnable, in a system call (os/signal's
// receiver excepted), waiting for the network, for a real timer or for the hub's
// own lock. The wall time it takes is counted in s.checks.
func (s *Sim) quiescent(buf *[]byte, skip uint64) bool {
	s.checks.begin()
	defer s.checks.end()
	// Cheap checks first: a goroutine waiting for the hub's lock, or more running
	// and runnable than the caller (and the loop), fail the check at once.
	allow := 1
	if skip != 0 {
		allow++
	}
	if s.busy(allow) {
		return false
	}
	if len(*buf) == 0 {
		*buf = make([]byte, 64<<10)
	}
	var n int
	for {
		n = runtime.Stack(*buf, true)
		if n < len(*buf) {
			break
		}
		*buf = make([]byte, 2*len(*buf))
	}
	all := string((*buf)[:n])
	var skipHead string
	if skip != 0 {
		skipHead = "goroutine " + strconv.FormatUint(skip, 10) + " ["
	}
	self := true // the first goroutine is the caller
	for len(all) > 0 {
		end := strings.Index(all, "\n\ngoroutine ")
		block := all
		if end >= 0 {
			block, all = all[:end], all[end+2:]
		} else {
			all = ""
		}
		if self {
			self = false
			continue
		}
		if skipHead != "" && strings.HasPrefix(block, skipHead) {
			continue
		}
		i, j := strings.IndexByte(block, '['), strings.IndexByte(block, ']')
		if i < 0 || j < i {
			return false
		}
		state := block[i+1 : j]
		if k := strings.IndexByte(state, ','); k >= 0 {
			state = state[:k]
		}
		switch state {
		case "running", "runnable", "preempted", "IO wait", "sleep", "":
			return false
		case "syscall":
			if !strings.Contains(block, "os/signal.signal_recv") {
				return false
			}
		default:
			// Waiting for one of the hub's own locks (a free goroutine's Now or
			// Before while the loop or a waiter holds it) is not blocking: it is
			// about to act in the hub, perhaps without activity to show for it.
			if (strings.HasPrefix(state, "sync.") || state == "semacquire") && waitsInHub(block[j:]) {
				return false
			}
		}
	}
	return true
}

// busy reports whether some goroutine is about to act: one waits for the hub's
// lock, or the scheduler counts more running and runnable than allow (schedBusy).
func (s *Sim) busy(allow int) bool {
	return s.mu.waiting.Load() > 0 || schedBusy(allow)
}

// quiescentLocked is the check of quiescent made before a deadlock is reported
// with every goroutine the hub knows blocked. The count of goroutines (strangers)
// misses one started by unpatched code as one from before Run exits; the states
// of all goroutines show it, once per sim, since a deadlock ends it and a stranger
// puts it in mixed mode.
func (s *Sim) quiescentLocked() bool {
	var buf []byte
	return s.quiescent(&buf, s.loopGID.Load())
}

// quietLimitLocked is how long the mixed-mode hub waits, without progress and
// without timers, before it reports a deadlock: 60ms, or 5s while an owned
// goroutine is in an external call (a subprocess, say, may take that long). With
// no owned goroutine (GOPATCH_HUB=sim without simtest) it never does: a tracked
// goroutine may be waiting for something outside the hub.
func (s *Sim) quietLimitLocked() time.Duration {
	switch {
	case s.owned.Load() == 0:
		return 0
	case s.external > 0:
		return 5 * time.Second
	}
	return 60 * time.Millisecond
}

// simQuiet is how long, in mixed mode, the hub waits without activity before it
// moves the virtual clock; while goroutines are running or runnable (the
// scheduler's counts say so, from Go 1.26) it waits for simBusyQuiet and for
// simBusyLooks of its loop's looks (a millisecond apart at least) that found them
// so, so that a goroutine kept from a processor is not taken for one blocked,
// while one that computes or polls for ever still lets the clock move.
const (
	simQuiet     = 2 * time.Millisecond
	simBusyQuiet = 20 * time.Millisecond
	simBusyLooks = 10
)

// goroutineState returns the state of the goroutine gid as a stack trace shows it,
// and whether it waits inside the hub itself (for s.mu, which free goroutines
// and the hub's own loop take too): that is a wait the hub will end, not a
// blocking call it cannot see.
func goroutineState(gid uint64) (state string, inHub bool) {
	buf := allStacks()
	prefix := "goroutine " + strconv.FormatUint(gid, 10) + " ["
	i := strings.Index(buf, prefix)
	if i < 0 {
		return "exited", false
	}
	rest := buf[i+len(prefix):]
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return "", false
	}
	state, stack := rest[:j], rest[j:]
	if k := strings.Index(stack, "\n\n"); k >= 0 {
		stack = stack[:k]
	}
	return state, waitsInHub(stack)
}

// hubPkg is this package's import path as stack traces print it.
var hubPkg = func() string {
	pc, _, _, _ := runtime.Caller(0)
	name := runtime.FuncForPC(pc).Name() // path/to/pkg.glob..func1 or similar
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}()

// waitsInHub reports whether the innermost frame of stack outside packages sync
// and runtime belongs to this package: the goroutine waits for one of the hub's
// own locks.
func waitsInHub(stack string) bool {
	for _, line := range strings.Split(stack, "\n") {
		if line == "" || line[0] == '\t' || line[0] == ']' {
			continue
		}
		if strings.HasPrefix(line, "sync.") || strings.HasPrefix(line, "internal/") || strings.HasPrefix(line, "runtime.") {
			continue
		}
		return strings.HasPrefix(line, hubPkg+".")
	}
	return false
}

func blockedState(state string) bool {
	for _, running := range []string{"running", "runnable", "syscall", "exited", "preempted", ""} {
		if state == running || strings.HasPrefix(state, running+",") {
			return false
		}
	}
	return true
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// whereLocked describes where g waits.
func (s *Sim) whereLocked(g *simG) string {
	if g.site == nil {
		return ""
	}
	file, line, fn := g.site.Position()
	return fmt.Sprintf(" (last patched call: %s:%d in %s)", file, line, fn)
}

// deadlockLocked fails the sim with a report of every owned goroutine.
func (s *Sim) deadlockLocked(why string) {
	var b strings.Builder
	fmt.Fprintf(&b, "deadlock: %s\n", why)
	var gs []*simG
	for _, g := range s.byGID {
		gs = append(gs, g)
	}
	for i := range gs { // sort by id, the map's order is random
		for j := i; j > 0 && gs[j].id < gs[j-1].id; j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
	for _, g := range gs {
		what := g.why
		if what == "" {
			what = "?"
		}
		fmt.Fprintf(&b, "  goroutine %d (runtime %d, owned=%v): %s%s\n", g.id, g.gid, g.owned, what, s.whereLocked(g))
	}
	s.failLocked(b.String())
}

// failLocked fails the sim: the report goes to Run's caller, or, with no Run, to
// standard error before the process exits.
func (s *Sim) failLocked(msg string) {
	s.failOnce.Do(func() {
		s.finished = true
		s.failMsg = fmt.Sprintf("%s\nseed=%d steps=%d vtime=%s trace=%016x (replay with %s=%d)\n\n%s",
			msg, s.seed, s.steps, time.Duration(s.now), s.hash, EnvSeed, s.seed, allStacks())
		close(s.failed)
		if s.onFail == nil {
			fmt.Fprintln(os.Stderr, "gopatch sim:", s.failMsg)
			os.Exit(2)
		}
		s.onFail(s.failMsg)
	})
}

func (s *Sim) fail(msg string) {
	s.mu.Lock()
	s.failLocked(msg)
	s.mu.Unlock()
}

// stop ends a sim that was put in force without Run (its loop goroutine), as the
// end of Run does.
func (s *Sim) stop() {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return
	}
	s.finished = true
	s.mu.Unlock()
	close(s.kick)
	s.quitDrivers()
	s.closeTransports()
	<-s.loopDone // as in Run
}
