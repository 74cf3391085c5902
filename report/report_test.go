package report_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopatch.dev/gopatch/report"
)

const sample = `{
  "hub": "observe",
  "start": "2025-01-02T03:04:05Z",
  "duration_ns": 10000000000,
  "sites": [
    {"category": "net", "call": "(net.Conn).Read", "file": "/src/app/server/conn.go", "line": 42,
     "function": "example.com/app/server.(*conn).serve", "package": "example.com/app/server", "index": 3,
     "count": 1200, "total_ns": 6000000000, "min_ns": 1000, "max_ns": 900000000,
     "p50_ns": 2000000, "p90_ns": 8000000, "p99_ns": 120000000, "errors": 12},
    {"category": "os", "call": "(*os.File).Sync", "file": "/src/app/store/wal.go", "line": 7,
     "function": "example.com/app/store.(*WAL).Commit", "package": "example.com/app/store", "index": 0,
     "count": 300, "total_ns": 3000000000, "min_ns": 9000000, "max_ns": 40000000,
     "p50_ns": 9500000, "p90_ns": 12000000, "p99_ns": 30000000, "errors": 0},
    {"category": "sync", "call": "(*sync.Mutex).Lock", "file": "/src/app/store/wal.go", "line": 5,
     "function": "example.com/app/store.(*WAL).Commit", "package": "example.com/app/store", "index": 1,
     "count": 300000, "total_ns": 1000000000, "min_ns": 20, "max_ns": 5000000,
     "p50_ns": 30, "p90_ns": 60, "p99_ns": 1000000, "errors": 0},
    {"category": "net", "call": "net.Dial", "file": "/src/app/client.go", "line": 19,
     "function": "main.dial", "package": "example.com/app", "index": 0,
     "count": 3, "total_ns": 3000, "min_ns": 900, "max_ns": 1100,
     "p50_ns": 1000, "p90_ns": 1100, "p99_ns": 1100, "errors": 3}
  ]
}`

func load(t *testing.T) *report.Profile {
	t.Helper()
	p, err := report.Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRead(t *testing.T) {
	p := load(t)
	if p.Hub != "observe" || !p.Start.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) ||
		p.DurationNS != 10e9 || len(p.Sites) != 4 {
		t.Fatalf("read %+v", p)
	}
	s := p.Sites[0]
	if s.Call != "(net.Conn).Read" || s.Line != 42 || s.Count != 1200 || s.P99NS != 120e6 || s.MinNS != 1000 ||
		s.Errors != 12 || s.MeanNS() != 5e6 {
		t.Errorf("first site %+v", s)
	}
	if _, err := report.Read(strings.NewReader(`{"x": 1}`)); err == nil {
		t.Error("read a JSON object that is no profile")
	}
	if _, err := report.Read(strings.NewReader(`garbage`)); err == nil {
		t.Error("read garbage")
	}
}

func TestCategoriesAndSorted(t *testing.T) {
	p := load(t)
	cats := p.Categories()
	want := []report.Category{
		{Name: "net", Sites: 2, Count: 1203, TotalNS: 6000003000, Errors: 15},
		{Name: "os", Sites: 1, Count: 300, TotalNS: 3e9},
		{Name: "sync", Sites: 1, Count: 300000, TotalNS: 1e9},
	}
	if len(cats) != len(want) {
		t.Fatalf("categories %+v", cats)
	}
	for i := range want {
		if cats[i] != want[i] {
			t.Errorf("category %d = %+v, want %+v", i, cats[i], want[i])
		}
	}
	for key, first := range map[string]string{
		"": "(net.Conn).Read", "total": "(net.Conn).Read", "count": "(*sync.Mutex).Lock",
		"mean": "(*os.File).Sync", "max": "(net.Conn).Read", "p99": "(net.Conn).Read", "errors": "(net.Conn).Read",
	} {
		sites, err := p.Sorted(key)
		if err != nil || sites[0].Call != first {
			t.Errorf("Sorted(%q) starts with %s, %v; want %s", key, sites[0].Call, err, first)
		}
	}
	if _, err := p.Sorted("name"); err == nil {
		t.Error("sorted by an unknown key")
	}
	if c, total, errs := p.Totals(); c != 301503 || total != 10000003000 || errs != 15 {
		t.Errorf("totals %d, %d, %d", c, total, errs)
	}
}

func TestWrite(t *testing.T) {
	p := load(t)
	var b bytes.Buffer
	if err := report.Write(&b, p, report.Options{Top: 2}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	t.Logf("\n%s", got)
	for _, want := range []string{
		"observe profile: 10.0s blocked in 301,503 calls at 4 sites over 10.0s from ",
		"15 calls returned an error",
		"BLOCKED  SHARE    CALLS  SITES  ERRORS  CATEGORY\n",
		"  6.00s  60.0%    1,203      2      15  net\n",
		"  1.00s  10.0%  300,000      1       0  sync\n",
		"top 2 of 4 sites by blocked time:",
		"BLOCKED  SHARE  CALLS    MEAN     P50     P90     P99     MAX  ERRORS  CALL             SITE\n",
		"  6.00s  60.0%  1,200  5.00ms  2.00ms  8.00ms   120ms   900ms      12  (net.Conn).Read  server/conn.go:42 (server.(*conn).serve)\n",
		"  3.00s  30.0%    300  10.0ms  9.50ms  12.0ms  30.0ms  40.0ms       0  (*os.File).Sync  store/wal.go:7 (store.(*WAL).Commit)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	if strings.Contains(got, "net.Dial") {
		t.Error("--top 2 listed a third site")
	}

	b.Reset()
	if err := report.Write(&b, p, report.Options{Sort: "count", Category: "sync,os"}); err != nil {
		t.Fatal(err)
	}
	got = b.String()
	if !strings.Contains(got, "2 sites by calls:") || strings.Contains(got, "(net.Conn).Read") ||
		strings.Index(got, "(*sync.Mutex).Lock") > strings.Index(got, "(*os.File).Sync") {
		t.Errorf("sorted by count, sync and os only:\n%s", got)
	}
	if err := report.Write(&b, p, report.Options{Sort: "nonsense"}); err == nil {
		t.Error("wrote a table sorted by nonsense")
	}

	b.Reset()
	report.Write(&b, &report.Profile{Hub: "observe"}, report.Options{})
	if !strings.Contains(b.String(), "no calls recorded") {
		t.Errorf("empty profile:\n%s", b.String())
	}
}

func TestDuration(t *testing.T) {
	for ns, want := range map[int64]string{
		0: "0ns", 850: "850ns", 1000: "1.00µs", 12345: "12.3µs", 999499: "999µs", 999500: "1.00ms",
		456e6: "456ms", 1234e6: "1.23s", 59.99e9: "60.0s", 125e9: "2m05s", 3725e9: "1h02m", -1500: "-1.50µs",
	} {
		if got := report.Duration(ns); got != want {
			t.Errorf("Duration(%d) = %q, want %q", ns, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := report.Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWhere(t *testing.T) {
	for _, c := range []struct {
		s    report.Site
		want string
	}{
		{report.Site{File: "/a/b/c.go", Line: 3, Function: "example.com/x/b.F"}, "b/c.go:3 (b.F)"},
		{report.Site{File: "c.go", Line: 3, Function: "main.main"}, "c.go:3 (main.main)"},
		{report.Site{Package: "example.com/x", Index: 4}, "example.com/x site 4"},
	} {
		if got := report.Where(c.s); got != c.want {
			t.Errorf("Where(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("not really a profile"))
	zw.Close()

	js := write("run.json", []byte(sample))
	pprof := write("run.pprof", gz.Bytes())
	for _, path := range []string{js, pprof, filepath.Join(dir, "run.pb.gz")} {
		if p, err := report.Load(path); err != nil || len(p.Sites) != 4 {
			t.Errorf("Load(%s): %v", filepath.Base(path), err)
		}
	}
	lone := write("lone.pprof", gz.Bytes())
	if _, err := report.Load(lone); err == nil || !strings.Contains(err.Error(), "go tool pprof") {
		t.Errorf("Load of a pprof file without JSON: %v", err)
	}
	if _, err := report.Load(filepath.Join(dir, "none.json")); err == nil {
		t.Error("loaded a missing file")
	}
	bad := write("bad.json", []byte("{"))
	if _, err := report.Load(bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("Load of bad JSON: %v", err)
	}
	for in, want := range map[string]string{
		"gopatch.pprof": "gopatch.json", "a/run.pb.gz": "a/run.json", "x.json": "x.json", "out": "out.json",
	} {
		if got := report.JSONPath(in); got != want {
			t.Errorf("JSONPath(%q) = %q, want %q", in, got, want)
		}
	}
}
