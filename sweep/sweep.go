// Package sweep runs a module's tests under the sim hub once per seed and reports
// the seeds that fail, each with the command that replays it.
//
// Each package's test binary is built once (go test -c) and then run once per
// seed with GOPATCH_HUB=sim and GOPATCH_SEED set, in the package's directory, as
// go test would run it.
package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Options says what to sweep.
type Options struct {
	Dir      string   // module directory to run in
	Packages []string // package patterns; default ./...
	Seeds    int      // how many seeds
	Start    int      // first seed; default 1
	Args     []string // flags for the test binaries, e.g. -test.run=TestX
	Progress io.Writer
}

// Failure is one failing run.
type Failure struct {
	Package string
	Seed    int
	Output  string // the last lines the test printed
	Replay  string // the command that replays it
}

// Result is what a sweep found.
type Result struct {
	Runs     int
	Failures []Failure
}

type testPkg struct {
	importPath, dir, binary string
}

// Run sweeps the seeds.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Seeds <= 0 {
		return nil, fmt.Errorf("--seeds must be positive")
	}
	if opts.Start == 0 {
		opts.Start = 1
	}
	patterns := opts.Packages
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	pkgs, err := listTestPackages(ctx, opts.Dir, patterns)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "gopatch-sweep-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for i := range pkgs {
		pkgs[i].binary = filepath.Join(tmp, strconv.Itoa(i)+".test")
		build := exec.CommandContext(ctx, "go", "test", "-c", "-o", pkgs[i].binary, pkgs[i].importPath)
		build.Dir = opts.Dir
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building the tests of %s: %v\n%s", pkgs[i].importPath, err, out)
		}
	}
	res := &Result{}
	for seed := opts.Start; seed < opts.Start+opts.Seeds; seed++ {
		for _, p := range pkgs {
			args := append([]string{"-test.count=1"}, opts.Args...)
			cmd := exec.CommandContext(ctx, p.binary, args...)
			cmd.Dir = p.dir
			cmd.Env = append(os.Environ(), "GOPATCH_HUB=sim", "GOPATCH_SEED="+strconv.Itoa(seed))
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			res.Runs++
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			if err == nil {
				continue
			}
			res.Failures = append(res.Failures, Failure{
				Package: p.importPath,
				Seed:    seed,
				Output:  tail(out.String(), 15),
				Replay:  replay(seed, p.importPath, opts.Args),
			})
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "gopatch: seed %d: %d failures so far\n", seed, len(res.Failures))
		}
	}
	return res, nil
}

// replay is the go test command that runs one seed again.
func replay(seed int, pkg string, args []string) string {
	cmd := fmt.Sprintf("GOPATCH_HUB=sim GOPATCH_SEED=%d go test -count=1", seed)
	for _, a := range args {
		cmd += " " + strings.Replace(a, "-test.", "-", 1)
	}
	return cmd + " " + pkg
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// listTestPackages lists the packages matching patterns that have tests.
func listTestPackages(ctx context.Context, dir string, patterns []string) ([]testPkg, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"list", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles"}, patterns...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []testPkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath, Dir           string
			TestGoFiles, XTestGoFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		if len(p.TestGoFiles)+len(p.XTestGoFiles) > 0 {
			pkgs = append(pkgs, testPkg{importPath: p.ImportPath, dir: p.Dir})
		}
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no package matching %s has tests", strings.Join(patterns, " "))
	}
	return pkgs, nil
}
