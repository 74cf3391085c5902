package gopatchrt_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

// processPkg is registered during initialization, as generated code is, so that
// GOPATCH_HUB takes effect in the helper processes below.
var processPkg = gopatchrt.NewPackage("example.com/observe/process", 1, "time")

const helperEnv = "GOPATCH_TEST_OBSERVE_HELPER"

// TestObserveHelperProcess is the program the process tests run: it makes three
// observed sleeps and then behaves as the mode asks.
func TestObserveHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	if got := gopatchrt.Current(); got != "observe" {
		fmt.Println("hub in force:", got)
		os.Exit(2)
	}
	for i := 0; i < 3; i++ {
		processPkg.At(0).Sleep(time.Millisecond)
	}
	switch mode {
	case "exit": // exit without writing: the periodic write must have happened
		time.Sleep(400 * time.Millisecond)
	case "wait": // wait to be signalled and killed
		fmt.Println("ready")
		time.Sleep(time.Minute)
	}
	os.Exit(0)
}

// helper returns the command that runs the helper process in mode.
func helper(t *testing.T, mode string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestObserveHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "GOPATCH_HUB=observe")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// readCount reads the JSON profile and returns the number of calls of the helper's
// sleep site, or -1 if the file is not there.
func readCount(t *testing.T, path string) int64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Hub   string
		Sites []struct {
			Package string
			Call    string
			Count   int64
		}
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, s := range p.Sites {
		if s.Package == "example.com/observe/process" && s.Call == "time.Sleep" {
			return s.Count
		}
	}
	return 0
}

// TestObservePeriodicWrite runs a program under GOPATCH_HUB=observe that exits
// without writing its profile and finds the profile of the periodic write.
func TestObservePeriodicWrite(t *testing.T) {
	dir := t.TempDir()
	cmd := helper(t, "exit", "GOPATCH_PROFILE="+filepath.Join(dir, "run.pprof"), "GOPATCH_PROFILE_INTERVAL=50ms")
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if n := readCount(t, filepath.Join(dir, "run.json")); n != 3 {
		t.Errorf("profile records %d calls, want 3", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "run.pprof")); err != nil {
		t.Error(err)
	}
}

// TestObserveDefaultProfile checks the default file name, in the working directory,
// and that GOPATCH_PROFILE_INTERVAL=0 turns the periodic write off.
func TestObserveDefaultProfile(t *testing.T) {
	for _, c := range []struct {
		interval string
		want     int64
	}{{"20ms", 3}, {"0", -1}} {
		dir := t.TempDir()
		cmd := helper(t, "exit", "GOPATCH_PROFILE=", "GOPATCH_PROFILE_INTERVAL="+c.interval)
		cmd.Dir = dir
		if out, err := cmd.Output(); err != nil {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		if n := readCount(t, filepath.Join(dir, "gopatch.json")); n != c.want {
			t.Errorf("interval %s: gopatch.json records %d calls, want %d", c.interval, n, c.want)
		}
	}
}
