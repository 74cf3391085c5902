package gopatchrt

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	prev := -1
	check := func(d int64) {
		b := bucketOf(d)
		if b < 0 || b >= histBuckets {
			t.Fatalf("bucketOf(%d) = %d, out of range", d, b)
		}
		if b < prev {
			t.Fatalf("bucketOf(%d) = %d < %d: not monotonic", d, b, prev)
		}
		prev = b
		lo, hi := bucketBounds(b)
		if d < lo || d >= hi && hi != 1<<63-1 {
			t.Fatalf("bucketOf(%d) = %d holds [%d, %d)", d, b, lo, hi)
		}
		if lo >= histLinear && float64(hi-lo)/float64(lo) > 0.25 {
			t.Fatalf("bucket %d = [%d, %d) is wider than a quarter of its start", b, lo, hi)
		}
	}
	for d := int64(0); d < 5000; d++ {
		check(d)
	}
	for d := int64(5000); d > 0 && d < 1<<62; d = d*9/8 + 1 {
		check(d)
	}
	check(1<<63 - 1)
	// Adjacent buckets tile the line.
	for b := 1; b < histBuckets; b++ {
		_, hi := bucketBounds(b - 1)
		lo, _ := bucketBounds(b)
		if hi != lo {
			t.Fatalf("bucket %d ends at %d, bucket %d starts at %d", b-1, hi, b, lo)
		}
	}
}

func TestObservePercentilesAndErrors(t *testing.T) {
	o := NewObserver()
	p := NewPackage("example.com/observe/pct", 1, "net")
	site := p.At(0).Site()
	op := &Op{"net", "net.Dial"}
	call := func(d time.Duration, err error) {
		// What After records for a call that took d. Through Before and After the
		// real time between the two would be added: 49 µs of it (a preemption, a
		// collection, a loaded machine under -race) put a 1 ms call in the next
		// bucket, and the p90, the last of the 1 ms calls, with it. After's own
		// timing is TestObserveSleep's.
		o.slot(site, op).record(int64(d), err)
	}
	for i := 0; i < 90; i++ {
		call(time.Millisecond, nil)
	}
	for i := 0; i < 9; i++ {
		call(10*time.Millisecond, nil)
	}
	call(100*time.Millisecond, errors.New("refused"))
	call(time.Millisecond, errors.New("refused"))

	s := o.Stats()[0]
	near := func(name string, got, want time.Duration) {
		t.Helper()
		if got < want*7/8 || got > want*9/8 {
			t.Errorf("%s = %v, want %v ± 12.5%%", name, got, want)
		}
	}
	if s.Count != 101 || s.Errors != 2 {
		t.Errorf("count, errors = %d, %d; want 101, 2", s.Count, s.Errors)
	}
	near("p50", s.P50, time.Millisecond)
	near("p90", s.P90, time.Millisecond)
	near("p99", s.P99, 10*time.Millisecond)
	near("max", s.Max, 100*time.Millisecond)
	near("total", s.Total, 281*time.Millisecond)
}

func TestProfilePaths(t *testing.T) {
	for _, c := range []struct{ in, pprof, json string }{
		{"gopatch.pprof", "gopatch.pprof", "gopatch.json"},
		{"/tmp/x/run.pb.gz", "/tmp/x/run.pb.gz", "/tmp/x/run.json"},
		{"out", "out", "out.json"},
		{"out.json", "out.pprof", "out.json"},
		{".pprof", ".pprof", ".pprof.json"},
	} {
		pp, js := ProfilePaths(c.in)
		if pp != c.pprof || js != c.json {
			t.Errorf("ProfilePaths(%q) = %q, %q; want %q, %q", c.in, pp, js, c.pprof, c.json)
		}
	}
}

func TestWriteProfileNotObserving(t *testing.T) {
	if procObs.Load() != nil {
		t.Skip("the process observer has run")
	}
	prev := Use(nil)
	defer Use(prev)
	if err := WriteProfile(filepath.Join(t.TempDir(), "x.pprof")); err != ErrNotObserving {
		t.Errorf("WriteProfile = %v, want ErrNotObserving", err)
	}
}
