package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestDemoEndToEnd patches a copy of testdata/demo, whose tests use loopback
// servers, files, a subprocess and locks; the patched module must build, vet and
// pass its tests under the race detector, check must find nothing left to do, and
// revert must give back every file byte for byte.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("patches the demo module and runs its tests")
	}
	dir := e2eCopy(t, "../../testdata/demo")
	runtimeDir, err := filepath.Abs("../../runtime")
	if err != nil {
		t.Fatal(err)
	}
	before := e2eSnapshot(t, dir)

	code, out := e2eRun(t, "apply", "--runtime", runtimeDir, "-C", dir)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	for _, want := range []string{"patched 23 call sites in 8 files", "created store/gopatch_gen_test.go",
		"go.mod: require gopatch.dev/gopatch/runtime v0.1.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if code, out := e2eRun(t, "check", "-C", dir); code != 0 {
		t.Errorf("check after apply: exit %d, want 0\n%s", code, out)
	}

	goCmd(t, dir, "build", "./...")
	goCmd(t, dir, "vet", "./...")
	test := []string{"test", "-count=1"}
	if raceSupported(t) {
		test = append(test, "-race")
	}
	goCmd(t, dir, append(test, "./...")...)

	// Applying again changes nothing.
	patched := e2eSnapshot(t, dir)
	if code, out := e2eRun(t, "apply", "--runtime", runtimeDir, "-C", dir); code != 0 ||
		!strings.Contains(out, "patched 0 call sites in 0 files") {
		t.Errorf("second apply: exit %d\n%s", code, out)
	}
	compareTrees(t, "second apply", patched, e2eSnapshot(t, dir))

	code, out = e2eRun(t, "revert", "-C", dir)
	if code != 0 {
		t.Fatalf("revert: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "reverted 23 call sites in 8 files") {
		t.Errorf("revert output:\n%s", out)
	}
	compareTrees(t, "revert", before, e2eSnapshot(t, dir))
}

// compareTrees reports every file that differs between two snapshots.
func compareTrees(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inGot:
			t.Errorf("after %s, %s is missing", what, p)
		case !inWant:
			t.Errorf("after %s, %s is left behind", what, p)
		case w != g:
			t.Errorf("after %s, %s differs:\n--- want\n%s\n--- got\n%s", what, p, w, g)
		}
	}
}

// goCmd runs the go command in dir and fails the test if it fails.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// raceSupported reports whether go test -race works here: it needs cgo and a C
// compiler.
func raceSupported(t *testing.T) bool {
	out, err := exec.Command("go", "env", "CGO_ENABLED", "CC").Output()
	fields := strings.Fields(string(out))
	if err != nil || len(fields) < 2 || fields[0] != "1" {
		t.Log("cgo is off: running the tests without -race")
		return false
	}
	if _, err := exec.LookPath(fields[1]); err != nil {
		t.Logf("no C compiler (%s): running the tests without -race", fields[1])
		return false
	}
	return true
}
