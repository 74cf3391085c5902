//go:build unix

package gopatchrt_test

import (
	"bufio"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestObserveSignal asks for the profile on SIGUSR1, with the periodic write off,
// and finds it written on the signal.
func TestObserveSignal(t *testing.T) {
	dir := t.TempDir()
	cmd := helper(t, "wait", "GOPATCH_PROFILE="+filepath.Join(dir, "sig.pprof"),
		"GOPATCH_PROFILE_INTERVAL=off", "GOPATCH_PROFILE_SIGNAL=USR1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	if n := readCount(t, filepath.Join(dir, "sig.json")); n != -1 {
		t.Fatalf("profile written before the signal (%d calls)", n)
	}
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := readCount(t, filepath.Join(dir, "sig.json"))
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no profile of 3 calls after the signal (%d)", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
