//go:build realmod && unix

package realmod

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"
)

var (
	flagAll     = flag.Bool("realmod.all", false, "run every module of modules.txt, the large ones too (default: the ci subset)")
	flagOnly    = flag.String("realmod.only", "", "run the modules whose path matches `REGEXP`, ci or not")
	flagProfile = flag.String("realmod.profile", "", "gopatch --profile for apply (sim adds go statements and channel operations)")
	flagKeep    = flag.Bool("realmod.keep", false, "keep the scratch copies and print where they are")
	flagOut     = flag.String("realmod.out", "", "also write the table to `FILE`")
	flagGopatch = flag.String("realmod.gopatch", "", "use this gopatch binary instead of building ./cmd/gopatch")
)

// repoRoot is the gopatch checkout: go test runs in realmod/.
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "runtime", "go.mod")); err != nil {
		t.Fatalf("no runtime module under %s: %v", root, err)
	}
	return root
}

// env is the environment of every command: no workspace, this toolchain.
func env() []string {
	return append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
}

// run runs name args in dir with a deadline, killing the whole process group
// (go test's test binaries included) when it passes. It returns stdout and
// stderr and an error that carries the tail of stderr.
func run(dir string, timeout time.Duration, name string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s %s: timed out after %v", name, strings.Join(args, " "), timeout)
	} else if err != nil {
		err = fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(e.String()+o.String(), 40))
	}
	return o.Bytes(), e.Bytes(), err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// testRun is one go test -json run: the final action of every test and of
// every package.
type testRun struct {
	Tests map[string]string // "pkg TestName" -> pass, fail, skip
	Pkgs  map[string]string // pkg -> pass, fail, skip
	Err   error             // go test's own failure (nil when everything passed)
	Out   map[string]*strings.Builder
	Dur   time.Duration
}

func (r *testRun) count(action string) int {
	n := 0
	for _, a := range r.Tests {
		if a == action {
			n++
		}
	}
	return n
}

type testEvent struct {
	Action, Package, Test, Output, ImportPath string
}

func parseTestJSON(out []byte) *testRun {
	r := &testRun{Tests: map[string]string{}, Pkgs: map[string]string{}, Out: map[string]*strings.Builder{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var ev testEvent
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		switch ev.Action {
		case "output", "build-output":
			key := ev.Package
			if key == "" {
				key = ev.ImportPath
			}
			if ev.Test != "" {
				key += " " + ev.Test
			}
			b := r.Out[key]
			if b == nil {
				b = &strings.Builder{}
				r.Out[key] = b
			}
			if b.Len() < 64<<10 {
				b.WriteString(ev.Output)
			}
		case "pass", "fail", "skip":
			if ev.Test == "" {
				r.Pkgs[ev.Package] = ev.Action
			} else {
				r.Tests[ev.Package+" "+ev.Test] = ev.Action
			}
		}
	}
	return r
}

func goTest(dir string, m Module, extra ...string) *testRun {
	args := []string{"test", "-json", "-count=1", "-timeout", m.Timeout.String()}
	if m.Short {
		args = append(args, "-short")
	}
	if m.Skip != "" {
		args = append(args, "-skip", m.Skip)
	}
	args = append(args, extra...)
	if len(extra) == 0 {
		args = append(args, "./...")
	}
	start := time.Now()
	// The deadline covers compiling as well as go test's -timeout per package.
	out, _, err := run(dir, 3*m.Timeout+5*time.Minute, "go", args...)
	r := parseTestJSON(out)
	r.Err, r.Dur = err, time.Since(start)
	return r
}

// site is one entry of gopatch scan --format json.
type site struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Category string `json:"category"`
	Call     string `json:"call"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
}

func scan(gopatch, dir string, profile []string) ([]site, error) {
	out, _, err := run(dir, 15*time.Minute, gopatch, append(append([]string{"scan", "--format", "json"}, profile...), "./...")...)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Sites []site `json:"sites"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("scan json: %v", err)
	}
	return doc.Sites, nil
}

// result is one row of the table.
type result struct {
	mod         Module
	found       map[string]int // category -> sites found
	statuses    map[string]int // status -> sites found
	patched     int            // apply's count
	left        int            // patchable sites scan still finds after apply
	baseBuild   error
	patchBuild  error
	baseVet     error
	patchVet    error
	base, patch *testRun
	regressions []string // "pkg Test" that passed in the baseline and not when patched
	known       []string // regressions that known-failures.txt names
	flaky       []string // regressions that passed when run again
	revert      string   // "identical" or what differs
	dur         time.Duration
	applied     bool  // apply succeeded
	err         error // the harness could not finish this module
}

func TestRealModules(t *testing.T) {
	root := repoRoot(t)
	mods, kfs, err := ReadLists(filepath.Join(root, "testdata", "realmod"))
	if err != nil {
		t.Fatal(err)
	}
	var only *regexp.Regexp
	if *flagOnly != "" {
		only = regexp.MustCompile(*flagOnly)
	}
	var selected []Module
	for _, m := range mods {
		switch {
		case only != nil:
			if only.MatchString(m.Path) {
				selected = append(selected, m)
			}
		case *flagAll || m.CI:
			selected = append(selected, m)
		}
	}
	if len(selected) == 0 {
		t.Fatal("no module selected")
	}

	gopatch := gopatchBinary(t, root)
	runtimeDir := filepath.Join(root, "runtime")

	var results []*result
	for _, m := range selected {
		r := &result{mod: m}
		results = append(results, r)
		t.Run(m.Path, func(t *testing.T) {
			start := time.Now()
			defer func() { r.dur = time.Since(start) }()
			work := t.TempDir()
			if *flagKeep {
				if work, err = os.MkdirTemp("", "realmod-"); err != nil {
					t.Fatal(err)
				}
				t.Logf("scratch copy: %s", work)
			}
			r.err = checkModule(t, r, gopatch, runtimeDir, filepath.Join(work, "mod"), kfs)
			if r.err != nil {
				t.Error(r.err)
			}
		})
	}

	var buf bytes.Buffer
	writeTable(&buf, results, *flagProfile)
	fmt.Print("\n" + buf.String())
	if *flagOut != "" {
		if err := os.WriteFile(*flagOut, buf.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// checkModule runs every step for one module; failures of gopatch are
// reported with t.Errorf, failures of the harness are returned.
func checkModule(t *testing.T, r *result, gopatch, runtimeDir, dir string, kfs []KnownFailure) error {
	m := r.mod
	knownStep := func(step string) string {
		for _, k := range kfs {
			if k.Module == m.Path && k.Test == step {
				return k.Why
			}
		}
		return ""
	}
	fail := func(step, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if why := knownStep(step); why != "" {
			t.Logf("known failure (%s): %s\n%s", why, step, msg)
			return
		}
		t.Errorf("%s: %s", step, msg)
	}

	if err := fetch(m, dir); err != nil {
		return err
	}
	if _, _, err := run(dir, 10*time.Minute, "go", "list", "-test", "-deps", "./..."); err != nil {
		if _, _, err := run(dir, 10*time.Minute, "go", "get", "-t", "./..."); err != nil {
			return err
		}
	}
	pristine, err := snapshot(dir)
	if err != nil {
		return err
	}

	// Baseline.
	_, _, r.baseBuild = run(dir, 20*time.Minute, "go", "build", "./...")
	if !m.Large {
		_, _, r.baseVet = run(dir, 20*time.Minute, "go", "vet", "./...")
		r.base = goTest(dir, m)
		t.Logf("baseline: %d passed, %d failed, %d skipped in %v", r.base.count("pass"), r.base.count("fail"), r.base.count("skip"), r.base.Dur.Round(time.Second))
	}

	// Scan, apply.
	var profile []string
	if *flagProfile != "" {
		profile = []string{"--profile", *flagProfile}
	}
	sites, err := scan(gopatch, dir, profile)
	if err != nil {
		r.revert = "not patched"
		fail("scan", "%v", err)
		return nil
	}
	r.found, r.statuses = map[string]int{}, map[string]int{}
	for _, s := range sites {
		r.found[s.Category]++
		r.statuses[s.Status]++
		if s.Status == "unsupported" {
			t.Logf("unsupported: %s:%d:%d %s: %s", s.File, s.Line, s.Column, s.Call, s.Reason)
		}
	}
	for _, c := range m.Categories {
		if r.found[c] == 0 {
			t.Errorf("modules.txt:%d lists category %s but the scan finds no %s site", m.Line, c, c)
		}
	}
	args := append(append([]string{"apply", "--runtime", runtimeDir}, profile...), "./...")
	applyOut, _, err := run(dir, 15*time.Minute, gopatch, args...)
	if err != nil {
		fail("apply", "%v", err)
		return nil
	}
	if mm := regexp.MustCompile(`patched (\d+) call sites?`).FindSubmatch(applyOut); mm != nil {
		r.patched, _ = strconv.Atoi(string(mm[1]))
	}
	r.applied = true
	if after, err := scan(gopatch, dir, profile); err != nil {
		fail("apply", "scan after apply: %v", err)
	} else {
		for _, s := range after {
			if s.Status == "patchable" {
				r.left++
				t.Errorf("apply: still patchable after apply: %s:%d:%d %s", s.File, s.Line, s.Column, s.Call)
			}
		}
	}

	// Patched: build, vet, test, compared with the baseline.
	_, _, r.patchBuild = run(dir, 20*time.Minute, "go", "build", "./...")
	if r.patchBuild != nil && r.baseBuild == nil {
		fail("build", "%v", r.patchBuild)
	}
	if !m.Large {
		_, _, r.patchVet = run(dir, 20*time.Minute, "go", "vet", "./...")
		if r.patchVet != nil && r.baseVet == nil {
			fail("vet", "%v", r.patchVet)
		}
		r.patch = goTest(dir, m)
		t.Logf("patched: %d passed, %d failed, %d skipped in %v", r.patch.count("pass"), r.patch.count("fail"), r.patch.count("skip"), r.patch.Dur.Round(time.Second))
		compareTests(t, r, dir, kfs)
	}

	// Revert and compare.
	if _, _, err := run(dir, 15*time.Minute, gopatch, "revert", "./..."); err != nil {
		r.revert = "error"
		fail("revert", "%v", err)
		return nil
	}
	after, err := snapshot(dir)
	if err != nil {
		return err
	}
	if diffs := compareSnapshots(pristine, after); len(diffs) > 0 {
		r.revert = fmt.Sprintf("%d files differ", len(diffs))
		fail("revert", "not byte-identical after revert:\n%s", strings.Join(diffs, "\n"))
	} else {
		r.revert = fmt.Sprintf("identical (%d files)", len(pristine))
	}
	return nil
}

// compareTests finds the tests that passed in the baseline and not when
// patched, runs each once more to tell flaky ones, and reports the rest unless
// known-failures.txt names them.
func compareTests(t *testing.T, r *result, dir string, kfs []KnownFailure) {
	var keys []string
	ran := map[string]bool{} // packages with any test event when patched
	for k := range r.patch.Tests {
		pkg, _, _ := strings.Cut(k, " ")
		ran[pkg] = true
	}
	for k, a := range r.base.Tests {
		pkg, _, _ := strings.Cut(k, " ")
		if a == "pass" && r.patch.Tests[k] != "pass" && ran[pkg] {
			keys = append(keys, k)
		}
	}
	for pkg, a := range r.base.Pkgs {
		if a == "pass" && r.patch.Pkgs[pkg] != "pass" && !ran[pkg] {
			keys = append(keys, pkg+" (package)")
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		pkg, test, _ := strings.Cut(k, " ")
		if test != "(package)" && r.patch.Tests[k] == "fail" {
			// Once more, alone: a test that passes now is flaky, not broken.
			top, _, _ := strings.Cut(test, "/")
			again := goTest(dir, r.mod, "-run", "^"+regexp.QuoteMeta(top)+"$", pkg)
			if again.Tests[k] == "pass" {
				r.flaky = append(r.flaky, k)
				t.Logf("flaky: %s failed patched, passed when run again", k)
				continue
			}
		}
		r.regressions = append(r.regressions, k)
		why := ""
		for _, kf := range kfs {
			if kf.Module == r.mod.Path && kf.Test == test {
				why = kf.Why
			}
		}
		out := ""
		if b := r.patch.Out[k]; b != nil {
			out = tail(b.String(), 30)
		} else if b := r.patch.Out[pkg]; b != nil {
			out = tail(b.String(), 30)
		}
		state := r.patch.Tests[k]
		if state == "" {
			state = "did not run"
		}
		if why != "" {
			r.known = append(r.known, k)
			t.Logf("known failure: %s (%s): %s", k, state, why)
			continue
		}
		t.Errorf("regression: %s passed in the baseline, %s when patched\n%s", k, state, out)
	}
	for _, kf := range kfs {
		if kf.Module != r.mod.Path || kf.Test == "scan" || kf.Test == "apply" || kf.Test == "build" || kf.Test == "vet" || kf.Test == "revert" {
			continue
		}
		hit := false
		for _, k := range r.known {
			if strings.HasSuffix(k, " "+kf.Test) {
				hit = true
			}
		}
		if !hit {
			t.Logf("known-failures.txt:%d: %s %s did not fail: remove the entry", kf.Line, kf.Module, kf.Test)
		}
	}
}

// copyTree copies the read-only module cache directory src to dst, writable.
// Module zips keep no file modes, so files that start with #! get their
// execute bit back: a module's test scripts need it.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if bytes.HasPrefix(data, []byte("#!")) {
			mode = 0o755
		}
		return os.WriteFile(target, data, mode)
	})
}

// snapshot holds every .go file of dir, go.mod and go.sum, by relative path.
func snapshot(dir string) (map[string][]byte, error) {
	snap := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || !(strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		snap[rel] = data
		return nil
	})
	return snap, err
}

func compareSnapshots(before, after map[string][]byte) []string {
	var diffs []string
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			diffs = append(diffs, "missing: "+p)
		case !bytes.Equal(a, b):
			diffs = append(diffs, "changed: "+p+"\n"+firstDiff(b, a))
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			diffs = append(diffs, "added: "+p)
		}
	}
	sort.Strings(diffs)
	return diffs
}

// firstDiff shows the first line that differs.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("  line %d: want %q\n  line %d: got  %q", i+1, wl, i+1, gl)
		}
	}
	return "  (same lines, different bytes)"
}

func okOr(err error) string {
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "FAIL"
		}
		return "FAIL"
	}
	return "ok"
}

func testCell(r *testRun) string {
	if r == nil {
		return "-"
	}
	pass, total := r.count("pass"), len(r.Tests)
	s := fmt.Sprintf("%d/%d", pass, total)
	for _, a := range r.Pkgs {
		if a == "fail" && r.count("fail") == 0 {
			s += "+pkgfail"
			break
		}
	}
	return s
}

func writeTable(w *bytes.Buffer, results []*result, profile string) {
	if profile == "" {
		profile = "default"
	}
	fmt.Fprintf(w, "gopatch on real modules (profile %s; tests: passed/run, baseline -> patched)\n\n", profile)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "module\tsites found per category\tpatched\tunsupported\tother\tbuild\tvet\ttests\tregressions\trevert\ttime\t")
	for _, r := range results {
		var cats []string
		for _, c := range append(append([]string{}, Categories...), "go", "chan") {
			if n := r.found[c]; n > 0 {
				cats = append(cats, fmt.Sprintf("%s %d", c, n))
			}
		}
		var other []string
		for _, s := range []string{"generated", "excluded", "ignored"} {
			if n := r.statuses[s]; n > 0 {
				other = append(other, fmt.Sprintf("%s %d", s, n))
			}
		}
		vet, tests := "-", "-"
		if !r.mod.Large && r.base != nil {
			vet = okOr(r.baseVet) + " -> " + okOr(r.patchVet)
		}
		if r.base != nil && r.patch != nil {
			tests = testCell(r.base) + " -> " + testCell(r.patch)
		}
		regr := fmt.Sprintf("%d", len(r.regressions)-len(r.known))
		if len(r.known) > 0 {
			regr += fmt.Sprintf(" (+%d known)", len(r.known))
		}
		if len(r.flaky) > 0 {
			regr += fmt.Sprintf(" (%d flaky)", len(r.flaky))
		}
		build := okOr(r.baseBuild) + " -> " + okOr(r.patchBuild)
		revert := r.revert
		if r.err != nil {
			revert = "harness error"
		}
		if !r.applied {
			build, regr = okOr(r.baseBuild)+" -> -", "-"
			if vet != "-" {
				vet = okOr(r.baseVet) + " -> -"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			r.mod, strings.Join(cats, ", "), r.patched, r.statuses["unsupported"], orDash(strings.Join(other, ", ")),
			build, vet, tests, regr, orDash(revert), r.dur.Round(time.Second))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fetch copies module m from the module cache (downloading it) into dir, a
// writable scratch copy, and downloads what its tests need.
func fetch(m Module, dir string) error {
	out, _, err := run(".", 10*time.Minute, "go", "mod", "download", "-json", m.String())
	if err != nil {
		return err
	}
	var dl struct{ Dir, Error string }
	if err := json.Unmarshal(out, &dl); err != nil || dl.Dir == "" {
		return fmt.Errorf("go mod download %s: %v %s", m, err, dl.Error)
	}
	if err := copyTree(dl.Dir, dir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return fmt.Errorf("%s has no go.mod", m)
	}
	// The test dependencies' go.sum lines: most modules have them; fetch what is
	// missing without tidying.
	_, _, err = run(dir, 10*time.Minute, "go", "mod", "download")
	return err
}

// gopatchBinary returns the gopatch binary the harness runs: -realmod.gopatch's,
// or one built from the checkout at root into a directory of t's.
func gopatchBinary(t *testing.T, root string) string {
	t.Helper()
	if *flagGopatch != "" {
		return *flagGopatch
	}
	gopatch := filepath.Join(t.TempDir(), "gopatch")
	if _, _, err := run(root, 10*time.Minute, "go", "build", "-o", gopatch, "./cmd/gopatch"); err != nil {
		t.Fatal(err)
	}
	return gopatch
}
