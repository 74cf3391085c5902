package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the cmp files of testdata/script from the actual output")

// TestMain makes the test binary the gopatch command too: testscript copies it
// into a directory on the PATH of every script under the name gopatch, so that
// scripts run `gopatch ...` (and programs they start, such as go generate, find it).
func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{
		"gopatch": func() int { return run(os.Args, os.Stdout, os.Stderr) },
	}))
}

// TestScript runs the command-line scripts of testdata/script. Each script is a
// small module of its own in a fresh directory; $RUNTIME is this repository's
// runtime module and $GOPATCH_REPO the repository itself.
func TestScript(t *testing.T) {
	env, err := goEnv()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       *update,
		RequireExplicitExec: false,
		Setup: func(e *testscript.Env) error {
			e.Setenv("RUNTIME", filepath.Join(repo, "runtime"))
			e.Setenv("GOPATCH_REPO", repo)
			for k, v := range env {
				e.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
		},
	})
}

// goEnv is the environment that lets the go command work inside a script as it
// does for the test: the real module and build caches rather than ones under
// testscript's fake HOME, and the proxy, flags and toolchain settings.
func goEnv() (map[string]string, error) {
	names := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GONOSUMDB",
		"GOPRIVATE", "GONOPROXY", "GOSUMDB", "GOTOOLCHAIN", "GOROOT"}
	out, err := exec.Command("go", append([]string{"env"}, names...)...).Output()
	if err != nil {
		return nil, err
	}
	vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	env := map[string]string{}
	for i, name := range names {
		if i < len(vals) && vals[i] != "" {
			env[name] = vals[i]
		}
	}
	if home := os.Getenv("HOME"); home != "" {
		env["HOME"] = home
	}
	// A go.work above the script's directory must not take the module over, and
	// scripts never download a toolchain.
	env["GOWORK"] = "off"
	if env["GOTOOLCHAIN"] == "" || env["GOTOOLCHAIN"] == "auto" {
		env["GOTOOLCHAIN"] = "local"
	}
	return env, nil
}

// cmdExitcode runs a program, like exec, and requires its exact exit status:
//
//	exitcode 3 gopatch check
//
// testscript's `! exec` accepts any non-zero status.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode STATUS program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s: exit status %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}
