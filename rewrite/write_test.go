package rewrite

import (
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeFixture(t *testing.T) (dir string, changes []Change) {
	dir = t.TempDir()
	for _, name := range []string{"a.go", "b.go", "c.go"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("package m // "+name+"\n"), 0o640); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, Change{Path: path, Name: name, Old: []byte("package m // " + name + "\n"),
			New: []byte("package m // patched " + name + "\n"), Mode: 0o640})
	}
	changes = append(changes, Change{Path: filepath.Join(dir, "new.go"), Name: "new.go", New: []byte("package m\n"), Mode: 0o644})
	return dir, changes
}

func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(data)
	}
	return out
}

func TestWriteCommitsEverythingWithModes(t *testing.T) {
	dir, changes := writeFixture(t)
	if err := Write(changes); err != nil {
		t.Fatal(err)
	}
	got := contents(t, dir)
	if len(got) != 4 || got["b.go"] != "package m // patched b.go\n" || got["new.go"] != "package m\n" {
		t.Fatalf("after Write: %v", got)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "a.go")); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode of a.go = %v, want 0640", fi.Mode().Perm())
	}
}

// An interrupt after the temporary files are written and before they are renamed
// leaves every file as it was and no temporary file behind.
func TestWriteInterruptedWritesNothing(t *testing.T) {
	dir, changes := writeFixture(t)
	before := contents(t, dir)
	afterStaging = func() {
		// The signal goes to every channel registered for it: once this test's
		// has it, the one Write holds has been sent it too (give it a moment).
		mine := make(chan os.Signal, 1)
		signal.Notify(mine, syscall.SIGINT)
		defer signal.Stop(mine)
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		<-mine
		time.Sleep(50 * time.Millisecond)
	}
	defer func() { afterStaging = nil }()
	err := Write(changes)
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("Write = %v, want an interruption", err)
	}
	got := contents(t, dir)
	if len(got) != len(before) {
		t.Fatalf("files after an interrupted Write: %v", got)
	}
	for name, data := range before {
		if got[name] != data {
			t.Errorf("%s changed: %q", name, got[name])
		}
	}
}

// A read-only file stops the run before anything is written, even for root.
func TestWriteRefusesReadOnlyFile(t *testing.T) {
	dir, changes := writeFixture(t)
	before := contents(t, dir)
	if err := os.Chmod(filepath.Join(dir, "c.go"), 0o444); err != nil {
		t.Fatal(err)
	}
	err := Write(changes)
	if err == nil || !strings.Contains(err.Error(), "c.go:1: file is read-only") {
		t.Fatalf("Write = %v, want a read-only error naming c.go", err)
	}
	got := contents(t, dir)
	for name, data := range before {
		if got[name] != data {
			t.Errorf("%s changed although the run failed", name)
		}
	}
	if len(got) != len(before) {
		t.Errorf("files after the failed run: %v", got)
	}
}
