package main

import (
	"math/rand"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptLeavesNoHalfWrittenFile interrupts gopatch apply with SIGINT at
// random moments: afterwards the module must be entirely as it was or entirely
// patched, file by file, with no temporary file left behind.
func TestInterruptLeavesNoHalfWrittenFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gopatch and runs it many times")
	}
	bin := filepath.Join(t.TempDir(), "gopatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building gopatch: %v\n%s", err, out)
	}
	runtimeDir, _ := filepath.Abs("../../runtime")

	// The fully patched tree, for comparison.
	want := e2eCopy(t, "../../testdata/demo")
	original := e2eSnapshot(t, want)
	apply := exec.Command(bin, "apply", "--runtime", runtimeDir)
	apply.Dir = want
	start := time.Now()
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	full := time.Since(start)
	patched := e2eSnapshot(t, want)

	rng := rand.New(rand.NewSource(1))
	outcomes := map[string]int{}
	for i := 0; i < 12; i++ {
		dir := e2eCopy(t, "../../testdata/demo")
		cmd := exec.Command(bin, "apply", "--runtime", runtimeDir)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Most runs are interrupted late, where the writing happens.
		time.Sleep(full/2 + time.Duration(rng.Int63n(int64(full*3/5))))
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()

		got := e2eSnapshot(t, dir)
		for path := range got {
			if strings.Contains(filepath.Base(path), ".gopatch-") {
				t.Errorf("run %d: temporary file left behind: %s", i, path)
			}
		}
		switch {
		case sameAs(got, original, dir, want):
			outcomes["untouched"]++
		case sameAs(got, patched, dir, want):
			outcomes["patched"]++
		default:
			t.Errorf("run %d: the module is neither original nor fully patched", i)
		}
	}
	t.Logf("outcomes of interrupted runs: %v", outcomes)
}

// sameAs compares a snapshot of dir with one of ref (taken at refDir), by path
// relative to each.
func sameAs(got, ref map[string]string, dir, refDir string) bool {
	if len(got) != len(ref) {
		return false
	}
	for path, data := range got {
		rel, _ := filepath.Rel(dir, path)
		if want, ok := ref[filepath.Join(refDir, rel)]; !ok || data != want {
			return false
		}
	}
	return true
}
