package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

const reportProfile = `{"hub": "observe", "start": "2025-01-02T03:04:05Z", "duration_ns": 2000000000, "sites": [
 {"category": "time", "call": "time.Sleep", "file": "/src/app/main.go", "line": 12, "function": "main.main",
  "package": "example.com/app", "index": 0, "count": 10, "total_ns": 1000000000, "min_ns": 100000000,
  "max_ns": 100000000, "p50_ns": 100000000, "p90_ns": 100000000, "p99_ns": 100000000, "errors": 0},
 {"category": "os", "call": "os.ReadFile", "file": "/src/app/main.go", "line": 20, "function": "main.load",
  "package": "example.com/app", "index": 1, "count": 4, "total_ns": 4000000, "min_ns": 1000000,
  "max_ns": 1000000, "p50_ns": 1000000, "p90_ns": 1000000, "p99_ns": 1000000, "errors": 1}]}`

// runReport runs `gopatch report args...` with the report command alone.
func runReport(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	app := &cli.App{
		Name:           "gopatch",
		Writer:         &out,
		ErrWriter:      &out,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands:       []*cli.Command{reportCommand()},
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	err := app.Run(append([]string{"gopatch", "report"}, args...))
	return out.String(), err
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gopatch.json"), []byte(reportProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOPATCH_PROFILE", "")

	// No FILE: gopatch.pprof, whose JSON is gopatch.json.
	out, err := runReport(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1.00s blocked in 14 calls at 2 sites", "1 calls returned an error",
		"2 sites by blocked time:", "time.Sleep   app/main.go:12 (main.main)", "os.ReadFile  app/main.go:20 (main.load)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, err = runReport(t, dir, "--top", "1", "--sort", "errors", "gopatch.json")
	if err != nil || !strings.Contains(out, "top 1 of 2 sites by errors:") || strings.Contains(out, "time.Sleep ") {
		t.Errorf("--top 1 --sort errors: %v\n%s", err, out)
	}

	out, err = runReport(t, dir, "--category", "time")
	if err != nil || strings.Contains(out, "os.ReadFile") || !strings.Contains(out, "1 sites by blocked time:") {
		t.Errorf("--category time: %v\n%s", err, out)
	}

	t.Setenv("GOPATCH_PROFILE", filepath.Join(dir, "gopatch.pprof"))
	if _, err := runReport(t, t.TempDir()); err != nil {
		t.Errorf("GOPATCH_PROFILE: %v", err)
	}

	for _, args := range [][]string{{"missing.json"}, {"--sort", "name"}, {"a", "b"}} {
		if _, err := runReport(t, dir, args...); err == nil {
			t.Errorf("report %v succeeded", args)
		} else if coder, ok := err.(cli.ExitCoder); !ok || coder.ExitCode() != 1 {
			t.Errorf("report %v: %v, want exit status 1", args, err)
		}
	}
}
