package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSimFindsPlantedRace patches testdata/simdemo, whose Withdraw has a planted
// check-then-act race, with --profile sim; gopatch test --seeds 100 must find
// failing seeds, and each replays with the same trace every time. Unpatched, the
// same test passes 100 times under the Go scheduler. Revert restores the module.
func TestSimFindsPlantedRace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module's tests 100 times")
	}
	dir := e2eCopy(t, "../../testdata/simdemo")

	plain := exec.Command("go", "test", "-count=100", ".")
	plain.Dir = dir
	plain.Env = append(os.Environ(), "GOMAXPROCS=1")
	if out, err := plain.CombinedOutput(); err != nil {
		t.Fatalf("unpatched, go test -count=100 fails: %v\n%s", err, out)
	}

	before := e2eSnapshot(t, dir)
	if code, out := e2eRun(t, "apply", "--profile", "sim", "-C", dir); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	code, out := e2eRun(t, "test", "--seeds", "100", "-C", dir)
	if code != exitError {
		t.Fatalf("gopatch test --seeds 100: exit %d, want %d (failing seeds)\n%s", code, exitError, out)
	}
	seeds := regexp.MustCompile(`FAIL example.com/simdemo with seed (\d+)`).FindAllStringSubmatch(out, -1)
	if len(seeds) == 0 || !strings.Contains(out, "replay: GOPATCH_HUB=sim GOPATCH_SEED=") {
		t.Fatalf("no failing seed reported:\n%s", out)
	}
	t.Logf("%d of 100 seeds find the race", len(seeds))

	seed := seeds[0][1]
	traces := map[string]bool{}
	for i := 0; i < 3; i++ {
		replay := exec.Command("go", "test", "-count=1", ".")
		replay.Dir = dir
		replay.Env = append(os.Environ(), "GOPATCH_HUB=sim", "GOPATCH_SEED="+seed)
		rout, err := replay.CombinedOutput()
		if err == nil || !bytes.Contains(rout, []byte("two withdrawals of 80 from 100 left")) {
			t.Fatalf("replay %d of seed %s did not fail as before: %v\n%s", i, seed, err, rout)
		}
		traces[regexp.MustCompile(`trace=[0-9a-f]+`).FindString(string(rout))] = true
	}
	if len(traces) != 1 {
		t.Errorf("seed %s replayed with %d different traces: %v", seed, len(traces), traces)
	}

	if code, out := e2eRun(t, "revert", "-C", dir); code != 0 {
		t.Fatalf("revert: exit %d\n%s", code, out)
	}
	if after := e2eSnapshot(t, dir); !e2eSame(before, after) {
		t.Errorf("revert did not restore the module byte for byte")
	}
}

// TestSimSelectPool patches testdata/simselect, a worker pool whose workers
// select on the context, the job queue and time.After, with --profile sim: its
// selects become scheduling points of the sim, so each seed gives one trace and
// one order of results, in one process and across processes, and the seeds do not
// all give the same order; a context cancelled where the hub cannot see (an
// unpatched cancel, a context made from a sim context) ends the pool at that
// virtual time (TestPoolCancel). Revert restores the module.
func TestSimSelectPool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module's tests")
	}
	dir := e2eCopy(t, "../../testdata/simselect")
	before := e2eSnapshot(t, dir)
	if code, out := e2eRun(t, "apply", "--profile", "sim", "-C", dir); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	if code, out := e2eRun(t, "scan", "--profile", "sim", "-C", dir); code != 0 || strings.Contains(out, "unsupported") {
		t.Fatalf("scan after apply: exit %d\n%s", code, out)
	}
	goTest := func(env ...string) string {
		t.Helper()
		cmd := exec.Command("go", "test", "-count=1", "-v", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil || bytes.Contains(out, []byte("SKIP")) {
			t.Fatalf("go test of the patched pool: %v\n%s", err, out)
		}
		return string(out)
	}
	out := goTest()
	inProcess := regexp.MustCompile(`seed 3: (trace=[0-9a-f]+ .*)`).FindStringSubmatch(out)
	if inProcess == nil {
		t.Fatalf("no trace of seed 3:\n%s", out)
	}
	for i := 0; i < 2; i++ {
		line := regexp.MustCompile(`seed=3 (trace=.*)`).FindStringSubmatch(goTest("GOPATCH_SEED=3"))
		if line == nil || line[1] != inProcess[1] {
			t.Errorf("seed 3 in a process of its own: %v, want %s", line, inProcess[1])
		}
	}
	if code, out := e2eRun(t, "revert", "-C", dir); code != 0 {
		t.Fatalf("revert: exit %d\n%s", code, out)
	}
	if after := e2eSnapshot(t, dir); !e2eSame(before, after) {
		t.Errorf("revert did not restore the module byte for byte")
	}
}

// e2eRun runs the command line in-process and returns its status and output.
func e2eRun(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(append([]string{"gopatch"}, args...), &out, &out)
	return code, out.String()
}

// e2eCopy copies a module of testdata to a temporary directory, pointing its
// runtime replace directive at this repository's runtime.
func e2eCopy(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	runtimeDir, _ := filepath.Abs("../../runtime")
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == "go.mod" {
			data = regexp.MustCompile(`=> \S*runtime`).ReplaceAll(data, []byte("=> "+runtimeDir))
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func e2eSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			files[path] = string(data)
		}
		return err
	})
	return files
}

func e2eSame(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
