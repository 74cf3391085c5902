package gopatchrt

import (
	"errors"
	"math/bits"
	"sort"
	"sync"
	"time"
)

// ObserveHub is the name of the observe hub: GOPATCH_HUB=observe puts it in force
// at process start.
const ObserveHub = "observe"

func init() {
	Register(ObserveHub, func() Hub { return processObserver() })
}

// Observer is the observe hub. It lets every patched call run as it would under
// passthrough and records, per call site, how many calls returned, how long they
// blocked (total, maximum and a log-bucketed histogram) and how many returned an
// error. Its record grows with the number of call sites, not with the number of
// calls, and recording a call allocates nothing.
//
// The process has one observer that GOPATCH_HUB=observe and Observe put in force and
// that writes profile files (see Observe); NewObserver makes others, which only
// record, for a program or test that wants a record of its own.
type Observer struct {
	start time.Time // wall and monotonic time of NewObserver

	mu    sync.Mutex
	sites []*siteStats               // every record, in order of first call
	index map[siteOp]*siteStats      // the same, by site and operation
	over  map[overflowKey]*siteStats // sites of a stale generated file, by call PC

	exportState
}

type siteOp struct {
	site *Site
	op   *Op
}

type overflowKey struct {
	pc    uintptr
	index int
	op    *Op
}

// NewObserver returns an observer with an empty record. Use(o) puts it in force.
func NewObserver() *Observer {
	return &Observer{
		start: time.Now(),
		index: map[siteOp]*siteStats{},
		over:  map[overflowKey]*siteStats{},
	}
}

// Name returns "observe".
func (o *Observer) Name() string { return ObserveHub }

// now reads the monotonic clock, in nanoseconds since the observer started.
func (o *Observer) now() int64 { return int64(time.Since(o.start)) }

// Before notes the time the call starts.
func (o *Observer) Before(site *Site, op *Op) Token {
	return Token{Start: o.now()}
}

// After records the call that started at t.Start.
func (o *Observer) After(site *Site, op *Op, t Token, err error) {
	d := o.now() - t.Start
	s := site.stats.Load()
	if s == nil || s.owner != o || s.op != op {
		s = o.slot(site, op)
	}
	s.record(d, err)
}

// slot finds or makes the record of op at site. It runs on the first call of a site
// (and when another observer has taken the site's slot meanwhile), so it may lock.
func (o *Observer) slot(site *Site, op *Op) *siteStats {
	o.mu.Lock()
	defer o.mu.Unlock()
	if site.Pkg == overflow {
		// Each call of a site beyond the generated count has a Site of its own;
		// the call's program counter tells the sites apart.
		k := overflowKey{site.pc, site.Index, op}
		s := o.over[k]
		if s == nil {
			s = o.newStats(site, op)
			o.over[k] = s
		}
		return s
	}
	k := siteOp{site, op}
	s := o.index[k]
	if s == nil {
		s = o.newStats(site, op)
		o.index[k] = s
	}
	// Take the site's slot unless it already holds one of this observer's records
	// (a site that reports two operations keeps the first in its slot).
	if cur := site.stats.Load(); cur == nil || cur.owner != o {
		site.stats.Store(s)
	}
	return s
}

// newStats makes and lists a record; o.mu is held.
func (o *Observer) newStats(site *Site, op *Op) *siteStats {
	s := &siteStats{owner: o, site: site, op: op}
	o.sites = append(o.sites, s)
	return s
}

// siteStats is the record of one operation at one call site. Every field is updated
// atomically, so that calls record without locking; the number of calls is the sum
// of the histogram, so a call costs two atomic additions (and, rarely, a
// compare-and-swap for a new maximum).
type siteStats struct {
	// 64-bit atomics first: aligned on 32-bit platforms.
	total  atomicInt64 // nanoseconds blocked, summed
	min1   atomicInt64 // shortest call, in nanoseconds, plus one (0: no call yet)
	max    atomicInt64 // longest call, in nanoseconds
	errors atomicInt64 // calls that returned an error
	hist   [histBuckets]atomicInt64

	owner *Observer
	site  *Site
	op    *Op
}

func (s *siteStats) record(d int64, err error) {
	if d < 0 {
		d = 0
	}
	s.hist[bucketOf(d)].Add(1)
	s.total.Add(d)
	for {
		m := s.max.Load()
		if d <= m || s.max.CompareAndSwap(m, d) {
			break
		}
	}
	for {
		m := s.min1.Load()
		if m != 0 && d+1 >= m || s.min1.CompareAndSwap(m, d+1) {
			break
		}
	}
	if err != nil {
		s.errors.Add(1)
	}
}

// The histogram has exact buckets for durations below histLinear nanoseconds and
// then four buckets for each power of two, so a percentile read from it is within
// 12.5% of the true value (it reports a bucket's midpoint, clamped to the shortest
// and longest call).
const (
	histLinear  = 8
	histSubBits = 2
	histSub     = 1 << histSubBits
	// Durations are int64, so the highest power of two is 2^62.
	histBuckets = histLinear + (62-histSubBits-1+1)*histSub
)

// bucketOf returns the histogram bucket of a duration d ≥ 0.
func bucketOf(d int64) int {
	v := uint64(d)
	if v < histLinear {
		return int(v)
	}
	e := bits.Len64(v) - 1 // 2^e ≤ v < 2^(e+1), e ≥ 3
	sub := int(v>>(e-histSubBits)) & (histSub - 1)
	return histLinear + (e-histSubBits-1)*histSub + sub
}

// bucketBounds returns the durations a bucket holds, lo ≤ d < hi.
func bucketBounds(b int) (lo, hi int64) {
	if b < histLinear {
		return int64(b), int64(b) + 1
	}
	e := (b-histLinear)/histSub + histSubBits + 1
	sub := int64((b - histLinear) % histSub)
	lo = (histSub + sub) << (e - histSubBits)
	hi = (histSub + sub + 1) << (e - histSubBits)
	if hi < 0 { // the top bucket ends at 2^63
		hi = 1<<63 - 1
	}
	return lo, hi
}

// SiteStats is what the observe hub recorded for one operation at one call site.
type SiteStats struct {
	Site          *Site
	Op            *Op
	Count         int64         // calls that returned
	Total         time.Duration // time blocked in them, summed
	Min           time.Duration // shortest call
	Max           time.Duration // longest call
	P50, P90, P99 time.Duration // percentiles, from the histogram (within 12.5%)
	Errors        int64         // calls that returned an error
}

// Stats returns the record of every call site seen so far, the longest total
// blocked time first (ties by package and site number). It may run while calls
// record; each site's numbers are then read a moment apart.
func (o *Observer) Stats() []SiteStats {
	o.mu.Lock()
	list := append([]*siteStats(nil), o.sites...)
	o.mu.Unlock()
	out := make([]SiteStats, 0, len(list))
	for _, s := range list {
		out = append(out, s.snapshot())
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		if a.Site.Pkg.Path != b.Site.Pkg.Path {
			return a.Site.Pkg.Path < b.Site.Pkg.Path
		}
		return a.Site.Index < b.Site.Index
	})
	return out
}

func (s *siteStats) snapshot() SiteStats {
	var hist [histBuckets]int64
	var n int64
	for i := range s.hist {
		hist[i] = s.hist[i].Load()
		n += hist[i]
	}
	max := s.max.Load()
	min := s.min1.Load() - 1
	if min < 0 {
		min = 0
	}
	pct := func(q float64) time.Duration {
		if n == 0 {
			return 0
		}
		rank := int64(q*float64(n) + 0.999999) // the ceil(q·n)-th call, from 1
		if rank < 1 {
			rank = 1
		}
		var seen int64
		for b, c := range hist {
			seen += c
			if seen >= rank {
				lo, hi := bucketBounds(b)
				v := lo
				if hi-lo > 1 {
					v = lo + (hi-lo)/2
				}
				if v > max {
					v = max
				}
				if v < min {
					v = min
				}
				return time.Duration(v)
			}
		}
		return time.Duration(max)
	}
	return SiteStats{
		Site:   s.site,
		Op:     s.op,
		Count:  n,
		Total:  time.Duration(s.total.Load()),
		Min:    time.Duration(min),
		Max:    time.Duration(max),
		P50:    pct(0.50),
		P90:    pct(0.90),
		P99:    pct(0.99),
		Errors: s.errors.Load(),
	}
}

// calls returns the number of calls recorded so far, to tell whether the record
// changed since the last look.
func (o *Observer) calls() int64 {
	o.mu.Lock()
	list := o.sites
	o.mu.Unlock()
	var n int64
	for _, s := range list {
		for i := range s.hist {
			n += s.hist[i].Load()
		}
	}
	return n
}

// Start returns the time the observer started recording.
func (o *Observer) Start() time.Time { return o.start }

// profileSnapshot is what a profile file holds.
type profileSnapshot struct {
	start    time.Time
	duration time.Duration
	sites    []SiteStats
}

func (o *Observer) snapshot() profileSnapshot {
	return profileSnapshot{start: o.start, duration: time.Since(o.start), sites: o.Stats()}
}

var (
	procObsMu sync.Mutex
	procObs   atomicPointer[Observer]
)

// processObserver returns the process's observer, making it (and starting its
// profile writer) on first use.
func processObserver() *Observer {
	if o := procObs.Load(); o != nil {
		return o
	}
	procObsMu.Lock()
	defer procObsMu.Unlock()
	if o := procObs.Load(); o != nil {
		return o
	}
	o := NewObserver()
	o.export(exportConfigFromEnv())
	procObs.Store(o)
	return o
}

// Observe puts the process's observe hub in force, as GOPATCH_HUB=observe does at
// process start, and returns it. The process's observer keeps one record for the
// whole run, however often it is put in force, and writes it to the profile file
// named by GOPATCH_PROFILE (default gopatch.pprof, with gopatch.json beside it):
//
//   - whenever WriteProfile is called;
//   - every GOPATCH_PROFILE_INTERVAL (default 1s; 0 turns it off) while calls
//     have been recorded since the last write;
//   - on the signal named by GOPATCH_PROFILE_SIGNAL (USR1, USR2 or HUP), only if
//     that variable is set.
//
// Go has no hook at process exit, so a program that exits without calling
// WriteProfile leaves the profile of the last periodic write: it lacks at most the
// last interval. Calls still blocked when a profile is written are not in it.
func Observe() *Observer {
	o := processObserver()
	Use(o)
	return o
}

// ErrNotObserving is returned by WriteProfile when no observe hub has run.
var ErrNotObserving = errors.New("gopatch: the observe hub is not in use")

// WriteProfile writes the record of the observe hub to path as a pprof profile and,
// beside it, as JSON (see ProfilePaths); an empty path means the GOPATCH_PROFILE
// file. The hub written is the one in force if it is an observer, else the
// process's observer if it has been used.
func WriteProfile(path string) error {
	o, _ := active().(*Observer)
	if o == nil {
		if o = procObs.Load(); o == nil {
			return ErrNotObserving
		}
	}
	if path == "" {
		if path = o.path; path == "" {
			path = profilePathFromEnv()
		}
	}
	return o.WriteFiles(path)
}
