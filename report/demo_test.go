package report_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"gopatch.dev/gopatch/report"
)

// A site of the demo program (testdata/observe) and what its profile must say:
// the call, the number of calls, at least how long they blocked in all and how
// many returned an error.
type wantSite struct {
	index   int
	call    string
	count   int64
	atLeast time.Duration
	errors  int64
}

var demoSites = []wantSite{
	{0, "time.Sleep", 5, 50 * time.Millisecond, 0},
	{1, "(*sync.Mutex).Lock", 3, 0, 0},
	{2, "time.Sleep", 3, 180 * time.Millisecond, 0},
	{3, "(*sync.Mutex).Unlock", 3, 0, 0},
	{4, "(*sync.Mutex).Lock", 3, 90 * time.Millisecond, 0}, // half of the holds
	{5, "(*sync.Mutex).Unlock", 3, 0, 0},
	{6, "os.Create", 1, 0, 0},
	{7, "(*os.File).Write", 100, 0, 0},
	{8, "(*os.File).Sync", 1, 0, 0},
	{9, "os.WriteFile", 10, 0, 0},
	{10, "os.ReadFile", 10, 0, 0},
	{11, "net.Listen", 1, 0, 0},
	{12, "(*net/http.Server).Serve", 1, 100 * time.Millisecond, 1},
	{13, "time.Sleep", 20, 100 * time.Millisecond, 0},
	{14, "(*net/http.Client).Get", 20, 100 * time.Millisecond, 0},
	{15, "net.Listen", 1, 0, 0},
	{16, "(net.Listener).Accept", 1, 0, 0},
	{17, "time.Sleep", 10, 20 * time.Millisecond, 0},
	{18, "(net.Conn).Read", 11, 0, 1}, // waits for the client, which writes at once
	{19, "(net.Conn).Write", 10, 0, 0},
	{20, "net.Dial", 1, 0, 0},
	{21, "(net.Conn).Write", 10, 0, 0},
	{22, "(net.Conn).Read", 10, 20 * time.Millisecond, 0},
	{23, "(*os/exec.Cmd).Run", 1, 20 * time.Millisecond, 0},
	// 24 runs in the child only, which does not observe.
	{25, "os.ReadFile", 1, 0, 1},
}

// runDemo builds the demo program and runs it under GOPATCH_HUB=observe, with the
// profile going to dir/demo.pprof; it returns the program's source directory.
func runDemo(t *testing.T, dir string) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	src, err := filepath.Abs("../testdata/observe")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "observedemo")
	build := exec.Command(gocmd, "build", "-o", bin, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the demo: %v\n%s", err, out)
	}
	run := exec.Command(bin)
	run.Dir = dir
	run.Env = append(os.Environ(), "GOPATCH_HUB=observe",
		"GOPATCH_PROFILE="+filepath.Join(dir, "demo.pprof"), "GOPATCH_PROFILE_INTERVAL=off")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("running the demo: %v\n%s", err, out)
	}
	return src
}

// siteLines finds the line of each gopatch.At(n) in the demo's main.go.
func siteLines(t *testing.T, src string) map[int]int {
	t.Helper()
	f, err := os.Open(filepath.Join(src, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := map[int]int{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if i := strings.Index(text, "gopatch.At("); i >= 0 {
			var site int
			if _, err := fmt.Sscanf(text[i:], "gopatch.At(%d)", &site); err == nil {
				lines[site] = n
			}
		}
	}
	return lines
}

// TestDemo runs the patched demo program under the observe hub and checks both
// files it writes: every site with its count, blocked time, errors and position in
// the JSON; the same sites in the pprof profile, as pprof's own parser reads it;
// and the table of gopatch report.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	dir := t.TempDir()
	src := runDemo(t, dir)
	lines := siteLines(t, src)

	// JSON, through the report package; Load finds it beside the pprof file.
	p, err := report.Load(filepath.Join(dir, "demo.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Hub != "observe" || p.DurationNS <= 0 || time.Since(p.Start) > time.Hour {
		t.Errorf("header: hub %q, start %v, duration %d", p.Hub, p.Start, p.DurationNS)
	}
	byIndex := map[int]report.Site{}
	for _, s := range p.Sites {
		if s.Package != "example.com/observedemo" {
			t.Errorf("site of package %q", s.Package)
		}
		byIndex[s.Index] = s
	}
	if len(byIndex) != len(demoSites) || len(p.Sites) != len(demoSites) {
		t.Errorf("%d sites in the profile, want %d", len(p.Sites), len(demoSites))
	}
	for _, w := range demoSites {
		s, ok := byIndex[w.index]
		if !ok {
			t.Errorf("site %d (%s) missing", w.index, w.call)
			continue
		}
		if s.Call != w.call || s.Count != w.count || s.Errors != w.errors {
			t.Errorf("site %d: %s ×%d, %d errors; want %s ×%d, %d errors",
				w.index, s.Call, s.Count, s.Errors, w.call, w.count, w.errors)
		}
		if time.Duration(s.TotalNS) < w.atLeast {
			t.Errorf("site %d (%s): blocked %v, want ≥ %v", w.index, s.Call, time.Duration(s.TotalNS), w.atLeast)
		}
		if filepath.Base(s.File) != "main.go" || s.Line != lines[w.index] || !strings.HasPrefix(s.Function, "main.") {
			t.Errorf("site %d at %s:%d in %s, want main.go:%d", w.index, s.File, s.Line, s.Function, lines[w.index])
		}
		if s.Count > 0 && (s.MinNS > s.P50NS || s.P50NS > s.P90NS || s.P90NS > s.P99NS || s.P99NS > s.MaxNS ||
			s.MaxNS > s.TotalNS || s.MinNS*s.Count > s.TotalNS) {
			t.Errorf("site %d: inconsistent min %d, p50 %d, p90 %d, p99 %d, max %d, total %d",
				w.index, s.MinNS, s.P50NS, s.P90NS, s.P99NS, s.MaxNS, s.TotalNS)
		}
	}
	if s := byIndex[2]; s.P50NS < int64(60*time.Millisecond) {
		t.Errorf("site 2 sleeps 60ms; p50 = %v", time.Duration(s.P50NS))
	}

	// pprof, through pprof's own parser.
	f, err := os.Open(filepath.Join(dir, "demo.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prof, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := prof.CheckValid(); err != nil {
		t.Fatal(err)
	}
	if len(prof.SampleType) != 2 || prof.SampleType[0].Type != "calls" || prof.SampleType[0].Unit != "count" ||
		prof.SampleType[1].Type != "blocked" || prof.SampleType[1].Unit != "nanoseconds" || prof.DefaultSampleType != "blocked" {
		t.Errorf("sample types %v, default %q", prof.SampleType, prof.DefaultSampleType)
	}
	if prof.DurationNanos != p.DurationNS || prof.TimeNanos != p.Start.UnixNano() {
		t.Errorf("pprof time %d + %d, JSON %d + %d", prof.TimeNanos, prof.DurationNanos, p.Start.UnixNano(), p.DurationNS)
	}
	if len(prof.Sample) != len(p.Sites) {
		t.Errorf("%d samples, %d sites", len(prof.Sample), len(p.Sites))
	}
	type key struct {
		fn   string
		line int
		call string
	}
	inJSON := map[key]report.Site{}
	for _, s := range p.Sites {
		inJSON[key{s.Function, s.Line, s.Call}] = s
	}
	for _, smp := range prof.Sample {
		if len(smp.Location) != 1 || len(smp.Location[0].Line) != 1 {
			t.Errorf("sample with %d locations, want one", len(smp.Location))
			continue
		}
		ln := smp.Location[0].Line[0]
		k := key{ln.Function.Name, int(ln.Line), smp.Label["call"][0]}
		s, ok := inJSON[k]
		if !ok {
			t.Errorf("pprof sample %v is no site of the JSON", k)
			continue
		}
		if smp.Value[0] != s.Count || smp.Value[1] != s.TotalNS {
			t.Errorf("%v: pprof says %v, JSON %d calls, %dns", k, smp.Value, s.Count, s.TotalNS)
		}
		if filepath.Base(ln.Function.Filename) != "main.go" || smp.Label["category"][0] != s.Category {
			t.Errorf("%v: file %q, category %v", k, ln.Function.Filename, smp.Label["category"])
		}
		if smp.NumLabel["max"][0] != s.MaxNS || smp.NumLabel["errors"][0] != s.Errors ||
			smp.NumUnit["max"][0] != "nanoseconds" {
			t.Errorf("%v: numeric labels %v %v", k, smp.NumLabel, smp.NumUnit)
		}
	}
	if len(prof.Mapping) != 1 || !prof.Mapping[0].HasFunctions || filepath.Base(prof.Mapping[0].File) != "observedemo" {
		t.Errorf("mappings %v", prof.Mapping)
	}

	// The table.
	var out bytes.Buffer
	if err := report.Write(&out, p, report.Options{Top: 5}); err != nil {
		t.Fatal(err)
	}
	table := out.String()
	t.Logf("gopatch report --top 5:\n%s", table)
	for _, want := range []string{
		"observe profile: ", "240 calls at 25 sites", "3 calls returned an error",
		"top 5 of 25 sites by blocked time:", "(*sync.Mutex).Lock", "main.go:" + fmt.Sprint(lines[4]) + " (main.contention)",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	for _, c := range []string{"time", "sync", "http", "net", "os", "exec"} {
		if !strings.Contains(table, "  "+c+"\n") {
			t.Errorf("table lacks category %s", c)
		}
	}
}
