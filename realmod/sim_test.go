//go:build realmod && unix

package realmod

import (
	"context"
	"encoding/json"
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
	root := repoRoot(t)
	work := t.TempDir()
	gopatch := *flagGopatch
	if gopatch == "" {
		gopatch = filepath.Join(work, "gopatch")
		if _, _, err := run(root, 10*time.Minute, "go", "build", "-o", gopatch, "./cmd/gopatch"); err != nil {
			t.Fatal(err)
		}
	}
	m := simModule
	out, _, err := run(".", 10*time.Minute, "go", "mod", "download", "-json", m.String())
	if err != nil {
		t.Fatal(err)
	}
	var dl struct{ Dir, Error string }
	if err := json.Unmarshal(out, &dl); err != nil || dl.Dir == "" {
		t.Fatalf("go mod download %s: %v %s", m, err, dl.Error)
	}
	dir := filepath.Join(work, "mod")
	if err := copyTree(dl.Dir, dir); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(dir, 10*time.Minute, "go", "mod", "download"); err != nil {
		t.Fatal(err)
	}

	baseBin, simBin := filepath.Join(work, "base.test"), filepath.Join(work, "sim.test")
	if _, _, err := run(dir, 10*time.Minute, "go", "test", "-c", "-o", baseBin, simPackage); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(dir, 10*time.Minute, gopatch, "apply", "--profile", "sim", "--runtime", filepath.Join(root, "runtime"), "./..."); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(dir, 10*time.Minute, "go", "test", "-c", "-o", simBin, simPackage); err != nil {
		t.Fatal(err)
	}

	base := timeBinary(t, dir, baseBin, nil)
	sim := timeBinary(t, dir, simBin, []string{"GOPATCH_HUB=sim"})
	t.Logf("%s, package %s, test binary wall time (median of %d runs): baseline %v, GOPATCH_HUB=sim %v: %.1fx faster",
		m, simPackage, simRuns, base.Round(time.Millisecond), sim.Round(time.Millisecond), float64(base)/float64(sim))
	if sim >= base {
		t.Errorf("the sim run (%v) is not faster than the baseline (%v)", sim, base)
	}
}

// timeBinary runs a test binary simRuns times in dir with extra environment and
// returns the median wall time; every run must pass. The first run is verbose so
// that the log names the slowest tests.
func timeBinary(t *testing.T, dir, bin string, extra []string) time.Duration {
	t.Helper()
	var walls []time.Duration
	for i := 0; i < simRuns; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, bin, "-test.count=1", "-test.v")
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
		wall := time.Since(start)
		cancel()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", strings.Join(extra, " "), filepath.Base(bin), err, tail(string(out), 60))
		}
		if i == 0 {
			t.Logf("%s %s: %v; slowest tests: %s", strings.Join(extra, " "), filepath.Base(bin), wall.Round(time.Millisecond), slowest(string(out), 5))
		}
		walls = append(walls, wall)
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	return walls[len(walls)/2]
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
