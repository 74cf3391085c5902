//go:build realmod && unix

package realmod

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// simModule is the real module whose tests TestSimSpeedup runs under the sim
// hub. retry-go's tests are timing-heavy: TestContext, TestAttemptsForError,
// TestLastErrorOnly, TestDoWithDataAllFailed, TestCombineFixedDelays,
// TestDefaultSleep, TestMaxDelay, TestFixedSleep and TestZeroAttemptsWithError
// spend about 4s of their package's 4.2s in real sleeps and timers (a retry
// loop's select on ctx.Done() and time.After), and some assert on the elapsed
// time (TestCombineFixedDelays: more than 400ms after sleeps of 400ms).
var simModule = Module{Path: "github.com/avast/retry-go/v4", Version: "v4.6.0"}

// simPackage is the package of simModule whose tests are timed, and simRuns how
// many times each binary runs (the median is compared).
const (
	simPackage = "."
	simRuns    = 3
)

// TestSimSpeedup patches simModule with --profile sim, builds its test binary
// before and after, runs the unpatched binary and the patched one under
// GOPATCH_HUB=sim, and checks that every test passes under the sim and that the
// sim run is faster. It logs both wall times of the test binary (the build is
// not counted) and the ratio.
//
//	go test -tags realmod -run TestSimSpeedup -v ./realmod
func TestSimSpeedup(t *testing.T) {
	m := simModule
	root := repoRoot(t)
	dir, baseBin, simBin := simBuild(t, root, gopatchBinary(t, root), m, simPackage, false)
	base := timeBinary(t, dir, baseBin, nil, nil)
	sim := timeBinary(t, dir, simBin, []string{"GOPATCH_HUB=sim"}, nil)
	t.Logf("%s, package %s, test binary wall time (median of %d runs): baseline %v, GOPATCH_HUB=sim %v: %.1fx faster",
		m, simPackage, simRuns, base.Round(time.Millisecond), sim.Round(time.Millisecond), float64(base)/float64(sim))
	if sim >= base {
		t.Errorf("the sim run (%v) is not faster than the baseline (%v)", sim, base)
	}
}

// simModules are more real modules whose tests TestSimModules runs under the sim
// hub, each with the tests it skips in both runs and why, and why its copy is
// gofmt-formatted before either build, if it is: gopatch skips a file that gofmt
// would change (dst must reproduce it byte for byte), as a user would run gofmt
// first.
var simModules = []struct {
	m     Module
	skip  string // go test -skip, in both runs
	why   string
	gofmt string
	pkg   string // the package whose tests run, if not the root
}{
	{m: Module{Path: "github.com/sethvargo/go-retry", Version: "v0.5.0"}},
	{m: Module{Path: "github.com/cenkalti/backoff/v5", Version: "v5.0.3"}, skip: "^ExampleRetry$", why: "it GETs an internet host"},
	{m: Module{Path: "github.com/hashicorp/go-retryablehttp", Version: "v0.7.8"}},
	{m: Module{Path: "github.com/alitto/pond/v2", Version: "v2.7.1"}, skip: "^(TestSubpoolStopAndWait|TestPoolSubmitWhileStoppingHasNoRace)$",
		why: "100,000 tasks of 1µs virtual sleeps, and 10,000 goroutines: under GOPATCH_HUB=sim alone each clock move needs a quiescence check, a stack dump of every goroutine (docs/sim.md, limits); 46 s and 21 s against 0.2 s and 0.02 s"},
	{m: Module{Path: "golang.org/x/time", Version: "v0.16.0"}, pkg: "./rate"},
	{m: Module{Path: "github.com/robfig/cron/v3", Version: "v3.0.1"},
		gofmt: "four of its files predate gofmt's doc-comment format (Go 1.19), cron.go among them, which holds the scheduler's timers"},
}

// TestSimModules patches each of simModules with --profile sim and checks that
// the tests of one package (the root, unless pkg names another) that pass
// unpatched pass under GOPATCH_HUB=sim too, logging both wall times (median of
// simRuns). The first four failed or hung under the sim before a fix in the
// runtime (see the runtime's log).
//
//	go test -tags realmod -run TestSimModules -v ./realmod
func TestSimModules(t *testing.T) {
	root := repoRoot(t)
	gopatch := gopatchBinary(t, root)
	for _, sm := range simModules {
		t.Run(sm.m.Path, func(t *testing.T) {
			if sm.why != "" {
				t.Logf("skipping %s: %s", sm.skip, sm.why)
			}
			var args []string
			if sm.skip != "" {
				args = []string{"-test.skip", sm.skip}
			}
			if sm.gofmt != "" {
				t.Logf("gofmt first: %s", sm.gofmt)
			}
			pkg := "."
			if sm.pkg != "" {
				pkg = sm.pkg
			}
			dir, baseBin, simBin := simBuild(t, root, gopatch, sm.m, pkg, sm.gofmt != "")
			dir = filepath.Join(dir, pkg)
			base := timeBinary(t, dir, baseBin, nil, args)
			sim := timeBinary(t, dir, simBin, []string{"GOPATCH_HUB=sim"}, args)
			t.Logf("%s: test binary wall time (median of %d runs): baseline %v, GOPATCH_HUB=sim %v (%.2fx)",
				sm.m, simRuns, base.Round(time.Millisecond), sim.Round(time.Millisecond), float64(base)/float64(sim))
		})
	}
}

// simBuild fetches m into a scratch copy, builds the test binary of its package
// pkg, patches the copy with the gopatch binary and --profile sim against the
// runtime of the checkout at root, and builds the test binary again: it returns
// the copy and both binaries. With gofmt set the copy is gofmt-formatted first.
func simBuild(t *testing.T, root, gopatch string, m Module, pkg string, gofmt bool) (dir, baseBin, simBin string) {
	t.Helper()
	work := t.TempDir()
	dir = filepath.Join(work, "mod")
	if err := fetch(m, dir); err != nil {
		t.Fatal(err)
	}
	if gofmt {
		if _, _, err := run(dir, 10*time.Minute, "go", "fmt", "./..."); err != nil {
			t.Fatal(err)
		}
	}
	baseBin, simBin = filepath.Join(work, "base.test"), filepath.Join(work, "sim.test")
	if _, _, err := run(dir, 10*time.Minute, "go", "test", "-c", "-o", baseBin, pkg); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(dir, 10*time.Minute, gopatch, "apply", "--profile", "sim", "--runtime", filepath.Join(root, "runtime"), "./..."); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(dir, 10*time.Minute, "go", "test", "-c", "-o", simBin, pkg); err != nil {
		t.Fatal(err)
	}
	return dir, baseBin, simBin
}

// timeBinary runs a test binary simRuns times in dir with extra environment and
// arguments and returns the median wall time; every run must pass, or its failed
// tests must pass when run again alone (they are logged as flaky, as
// TestRealModules counts them: robfig/cron's own tests on the real clock failed
// once in eight runs beside other work). The first run is verbose so that the
// log names the slowest tests.
func timeBinary(t *testing.T, dir, bin string, extra, args []string) time.Duration {
	t.Helper()
	var walls []time.Duration
	for i := 0; i < simRuns; i++ {
		out, wall, err := runBinary(dir, bin, extra, args)
		if err != nil {
			failed := failedTests(out)
			if len(failed) == 0 {
				t.Fatalf("%s %s: %v\n%s", strings.Join(extra, " "), filepath.Base(bin), err, tail(out, 60))
			}
			again := append(append([]string(nil), args...), "-test.run", "^("+strings.Join(failed, "|")+")$")
			if out2, _, err := runBinary(dir, bin, extra, again); err != nil {
				t.Fatalf("%s %s: %v; %s failed again alone\n%s\n--- the first run:\n%s", strings.Join(extra, " "), filepath.Base(bin), err,
					strings.Join(failed, ", "), tail(out2, 60), tail(out, 60))
			}
			t.Logf("%s %s: flaky: %s failed in run %d and passed alone", strings.Join(extra, " "), filepath.Base(bin), strings.Join(failed, ", "), i+1)
		}
		if i == 0 {
			t.Logf("%s %s: %v; slowest tests: %s", strings.Join(extra, " "), filepath.Base(bin), wall.Round(time.Millisecond), slowest(out, 5))
		}
		walls = append(walls, wall)
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	return walls[len(walls)/2]
}

// runBinary runs a test binary once, verbose, in dir with extra environment and
// arguments, and returns its output and wall time.
func runBinary(dir, bin string, extra, args []string) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-test.count=1", "-test.v"}, args...)...)
	cmd.Dir = dir
	for _, kv := range env() {
		if !strings.HasPrefix(kv, "GOPATCH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extra...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	out, err := cmd.CombinedOutput()
	return string(out), time.Since(start), err
}

// failedTests returns the top-level tests a verbose run's output reports failed.
func failedTests(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "--- FAIL: "); ok {
			if f := strings.Fields(rest); len(f) > 0 && !strings.Contains(f[0], "/") {
				names = append(names, f[0])
			}
		}
	}
	return names
}

// slowest lists the n slowest top-level tests of a verbose run's output.
func slowest(out string, n int) string {
	type tt struct {
		name string
		d    time.Duration
	}
	var ts []tt
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "--- PASS: ") {
			continue
		}
		f := strings.Fields(strings.TrimPrefix(line, "--- PASS: "))
		if len(f) != 2 {
			continue
		}
		d, err := time.ParseDuration(strings.Trim(f[1], "()"))
		if err == nil {
			ts = append(ts, tt{f[0], d})
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].d > ts[j].d })
	if len(ts) > n {
		ts = ts[:n]
	}
	var parts []string
	for _, x := range ts {
		parts = append(parts, fmt.Sprintf("%s %v", x.name, x.d))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
