package gopatchrt_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	. "gopatch.dev/gopatch/runtime"
)

// observing puts a fresh observer in force for the test and restores the hub that
// was in force before when it ends.
func observing(t testing.TB) *Observer {
	t.Helper()
	o := NewObserver()
	prev := Use(o)
	t.Cleanup(func() { Use(prev) })
	return o
}

// statsOf returns the record of site i of p, failing if there is none.
func statsOf(t testing.TB, o *Observer, p *Package, i int) SiteStats {
	t.Helper()
	for _, s := range o.Stats() {
		if s.Site.Pkg == p && s.Site.Index == i {
			return s
		}
	}
	t.Fatalf("no record of site %d of %s", i, p.Path)
	return SiteStats{}
}

// thisLine returns the line it is called from.
func thisLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

func TestObserveSleep(t *testing.T) {
	o := observing(t)
	p := NewPackage("example.com/observe/sleep", 2, "time")
	var line int
	for i := 0; i < 5; i++ {
		line = thisLine() + 1
		p.At(0).Sleep(2 * time.Millisecond)
	}
	p.At(1).Sleep(0)

	s := statsOf(t, o, p, 0)
	if s.Count != 5 {
		t.Errorf("count = %d, want 5", s.Count)
	}
	if s.Total < 10*time.Millisecond {
		t.Errorf("total = %v, want ≥ 10ms", s.Total)
	}
	if s.Max < 2*time.Millisecond || s.Max > s.Total {
		t.Errorf("max = %v, want in [2ms, %v]", s.Max, s.Total)
	}
	for _, q := range []time.Duration{s.P50, s.P90, s.P99} {
		if q < 2*time.Millisecond*7/8 || q > s.Max {
			t.Errorf("percentile %v out of [1.75ms, %v]", q, s.Max)
		}
	}
	if s.Op.Call != "time.Sleep" || s.Errors != 0 {
		t.Errorf("op = %v, errors = %d", s.Op, s.Errors)
	}
	file, l, fn := s.Site.Position()
	if filepath.Base(file) != "observe_test.go" || l != line || !strings.HasSuffix(fn, ".TestObserveSleep") {
		t.Errorf("position = %s:%d %s, want observe_test.go:%d TestObserveSleep", file, l, fn, line)
	}
	if got := o.Stats(); got[0].Site != s.Site {
		t.Errorf("first record is site %d, want the longest, site 0", got[0].Site.Index)
	}
	if s1 := statsOf(t, o, p, 1); s1.Count != 1 {
		t.Errorf("site 1 count = %d, want 1", s1.Count)
	}
}

// TestObserveConcurrent hammers a few sites from many goroutines (run it with
// -race) and requires every call counted.
func TestObserveConcurrent(t *testing.T) {
	o := observing(t)
	p := NewPackage("example.com/observe/hammer", 3, "sync,time")
	const goroutines, calls = 16, 2000
	var mu sync.Mutex
	shared := 0
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				p.At(0).MutexLock(&mu)
				shared++
				p.At(1).MutexUnlock(&mu)
				if i%100 == 0 {
					p.At(2).Sleep(0)
				}
			}
		}()
	}
	// Profiles written meanwhile read the records as they change.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			if err := o.WritePprof(io.Discard); err != nil {
				t.Error(err)
			}
			o.Stats()
		}
	}()
	wg.Wait()
	<-done
	if shared != goroutines*calls {
		t.Fatalf("shared = %d: the lock did not exclude", shared)
	}
	for i, want := range []int64{goroutines * calls, goroutines * calls, goroutines * calls / 100} {
		if s := statsOf(t, o, p, i); s.Count != want {
			t.Errorf("site %d: count = %d, want %d", i, s.Count, want)
		}
	}
	if n := ObservedCalls(o); n != goroutines*calls*2+goroutines*calls/100 {
		t.Errorf("calls() = %d", n)
	}
}

// TestObserveOwners checks that two observers used in turn keep records of their own.
func TestObserveOwners(t *testing.T) {
	p := NewPackage("example.com/observe/owners", 1, "time")
	a, b := NewObserver(), NewObserver()
	prev := Use(nil)
	defer Use(prev)
	for i := 0; i < 10; i++ {
		Use(a)
		p.At(0).Sleep(0)
		Use(b)
		p.At(0).Sleep(0)
		p.At(0).Sleep(0)
	}
	if got := statsOf(t, a, p, 0).Count; got != 10 {
		t.Errorf("a: count = %d, want 10", got)
	}
	if got := statsOf(t, b, p, 0).Count; got != 20 {
		t.Errorf("b: count = %d, want 20", got)
	}
	if len(a.Stats()) != 1 || len(b.Stats()) != 1 {
		t.Errorf("records: %d and %d, want 1 each", len(a.Stats()), len(b.Stats()))
	}
}

// TestObserveOverflow checks that sites beyond the generated count (a stale
// generated file) are told apart by position and do not grow the record per call.
func TestObserveOverflow(t *testing.T) {
	o := observing(t)
	p := NewPackage("example.com/observe/overflow", 1, "time")
	for i := 0; i < 100; i++ {
		p.At(7).Sleep(0)
		p.At(7).Sleep(0)
	}
	stats := o.Stats()
	if len(stats) != 2 {
		t.Fatalf("%d records, want 2 (one per call position)", len(stats))
	}
	for _, s := range stats {
		if s.Count != 100 || s.Site.Index != 7 {
			t.Errorf("site %d: count = %d, want 100", s.Site.Index, s.Count)
		}
	}
}

func TestObserveNoAlloc(t *testing.T) {
	observing(t)
	p := NewPackage("example.com/observe/alloc", 1, "time")
	p.At(0).Sleep(0) // the first call makes the record
	if n := testing.AllocsPerRun(1000, func() { p.At(0).Sleep(0) }); n != 0 {
		t.Errorf("%v allocations per observed call, want 0", n)
	}
}

// TestObserveMemoryFlat makes ten million observed calls (fewer under the race
// detector) on a few sites and requires the heap not to grow with them.
func TestObserveMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("ten million calls")
	}
	o := observing(t)
	p := NewPackage("example.com/observe/flat", 4, "time")
	site := make([]*Site, 4)
	for i := range site {
		site[i] = p.At(i).Site()
	}
	n := 10_000_000
	if raceEnabled {
		n = 1_000_000
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for i := range site {
		p.At(i).Sleep(0)
	}
	before := heap()
	start := time.Now()
	for i := 0; i < n; i++ {
		p.At(i & 3).Sleep(0)
	}
	elapsed := time.Since(start)
	after := heap()
	var total int64
	for _, s := range o.Stats() {
		total += s.Count
	}
	if total != int64(n+4) {
		t.Errorf("recorded %d calls, made %d", total, n+4)
	}
	growth := int64(after) - int64(before)
	t.Logf("%d calls in %v (%.0f ns/call): HeapAlloc %d → %d bytes (%+d)",
		n, elapsed, float64(elapsed)/float64(n), before, after, growth)
	if growth > 64<<10 {
		t.Errorf("heap grew by %d bytes over %d calls", growth, n)
	}
}

func TestWriteFiles(t *testing.T) {
	o := observing(t)
	p := NewPackage("example.com/observe/files", 2, "time")
	p.At(0).Sleep(time.Millisecond)
	p.At(1).Sleep(0)
	p.At(1).Sleep(0)

	dir := t.TempDir()
	path := filepath.Join(dir, "run.pprof")
	if err := WriteProfile(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want run.pprof and run.json only", len(entries))
	}

	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Hub        string    `json:"hub"`
		Start      time.Time `json:"start"`
		DurationNS int64     `json:"duration_ns"`
		Sites      []map[string]any
	}
	if err := json.Unmarshal(data, &js); err != nil {
		t.Fatal(err)
	}
	if js.Hub != "observe" || !js.Start.Equal(o.Start().Round(0)) || js.DurationNS <= 0 || len(js.Sites) != 2 {
		t.Fatalf("JSON header: hub %q, start %v, duration %d, %d sites", js.Hub, js.Start, js.DurationNS, len(js.Sites))
	}
	s0 := js.Sites[0]
	for _, k := range []string{"category", "call", "file", "line", "function", "count", "total_ns", "max_ns", "p50_ns", "p90_ns", "p99_ns", "errors"} {
		if _, ok := s0[k]; !ok {
			t.Errorf("site lacks %q: %v", k, s0)
		}
	}
	if s0["call"] != "time.Sleep" || s0["count"] != 1.0 || s0["total_ns"].(float64) < 1e6 ||
		!strings.HasSuffix(s0["file"].(string), "observe_test.go") || s0["index"] != 0.0 {
		t.Errorf("first site: %v", s0)
	}
	if js.Sites[1]["count"] != 2.0 {
		t.Errorf("second site: %v", js.Sites[1])
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	fields := decodeFields(t, pb)
	var strs []string
	for _, f := range fields[6] {
		strs = append(strs, string(f.bytes))
	}
	if len(strs) == 0 || strs[0] != "" {
		t.Fatalf("string table %q does not start with \"\"", strs)
	}
	if n := len(fields[2]); n != 2 {
		t.Errorf("%d samples, want 2", n)
	}
	if n := len(fields[4]); n != 2 {
		t.Errorf("%d locations, want 2", n)
	}
	if n := len(fields[5]); n != 1 {
		t.Errorf("%d functions, want 1 (both sites are in TestWriteFiles)", n)
	}
	fn := decodeFields(t, fields[5][0].bytes)
	if name := strs[fn[2][0].varint]; !strings.HasSuffix(name, ".TestWriteFiles") {
		t.Errorf("function name %q", name)
	}
	sample := decodeFields(t, fields[2][0].bytes)
	if values := sample[2][0].bytes; len(values) < 2 || values[0] != 1 {
		t.Errorf("first sample's first value (calls) is not 1")
	}
	if got := strs[fields[14][0].varint]; got != "blocked" {
		t.Errorf("default sample type %q", got)
	}
}

type pbField struct {
	varint uint64
	bytes  []byte
}

// decodeFields splits a protocol buffer message into its fields by number, enough
// to check what WritePprof writes (the main module's tests parse it with pprof's
// own parser).
func decodeFields(t *testing.T, b []byte) map[int][]pbField {
	t.Helper()
	out := map[int][]pbField{}
	varint := func() uint64 {
		var x uint64
		for shift := 0; ; shift += 7 {
			if len(b) == 0 || shift > 63 {
				t.Fatal("truncated varint")
			}
			c := b[0]
			b = b[1:]
			x |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return x
			}
		}
	}
	for len(b) > 0 {
		k := varint()
		field, wire := int(k>>3), int(k&7)
		switch wire {
		case 0:
			out[field] = append(out[field], pbField{varint: varint()})
		case 2:
			n := varint()
			if uint64(len(b)) < n {
				t.Fatal("truncated field")
			}
			out[field] = append(out[field], pbField{bytes: b[:n]})
			b = b[n:]
		default:
			t.Fatalf("wire type %d", wire)
		}
	}
	return out
}
