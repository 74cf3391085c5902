package gopatchrt_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

// TestSimEnvHelper runs only in the child process of TestSimEnv, under
// GOPATCH_HUB=sim: no simtest.Run, so the test goroutine is tracked, not owned.
func TestSimEnvHelper(t *testing.T) {
	if os.Getenv("GOPATCH_SIM_ENV_CHILD") == "" {
		t.Skip("run by TestSimEnv")
	}
	if gopatchrt.Current() != "sim" {
		t.Fatalf("hub %s", gopatchrt.Current())
	}
	wall := time.Now()
	t0 := gp.At(61).Now()
	for i := 0; i < 60; i++ {
		gp.At(62).Sleep(time.Minute)
	}
	if d := gp.At(63).Since(t0); d != time.Hour+60*lag {
		t.Fatalf("virtual time %v", d)
	}
	t.Logf("an hour of virtual sleeps in %v of wall time", time.Since(wall))
}

func TestSimEnv(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSimEnvHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "GOPATCH_HUB=sim", "GOPATCH_SIM_ENV_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}
