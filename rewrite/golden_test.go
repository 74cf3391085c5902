package rewrite_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"gopatch.dev/gopatch/rewrite"
	"gopatch.dev/gopatch/rules"
)

var update = flag.Bool("update", false, "rewrite the want/ files of the golden cases from the actual output")

// A golden case is a txtar archive in testdata/golden: a module's files, and under
// want/ the files as apply must leave them (want/scan holds the expected scan
// output, want/warnings the expected warnings). Files without a want/ entry must be
// left alone. The archive's comment may hold a line "flags: ..." with --only,
// --skip, --tests=false or --tags. Every case is also applied twice (the second
// time changes nothing) and reverted (every file byte for byte as it was).
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("../testdata/golden/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, path := range cases {
		path := path
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, path)
		})
	}
}

type goldenCase struct {
	archive *txtar.Archive
	input   map[string][]byte
	want    map[string][]byte
	opts    *rewrite.Options
	dir     string
}

func loadGolden(t *testing.T, path string) *goldenCase {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gc := &goldenCase{archive: ar, input: map[string][]byte{}, want: map[string][]byte{}, dir: t.TempDir()}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
			gc.want[name] = f.Data
			continue
		}
		gc.input[f.Name] = f.Data
	}
	if gc.input["go.mod"] == nil {
		gc.input["go.mod"] = []byte("module example.com/m\n\ngo 1.22\n")
	}
	for name, data := range gc.input {
		full := filepath.Join(gc.dir, name)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all := rules.Builtin()
	only, skip := []string{}, []string{}
	gc.opts = &rewrite.Options{Dir: gc.dir, All: all, Tests: true, NoMod: true}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		flags, ok := strings.CutPrefix(line, "flags:")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(flags) {
			switch {
			case strings.HasPrefix(f, "--only="):
				only = strings.Split(strings.TrimPrefix(f, "--only="), ",")
			case strings.HasPrefix(f, "--skip="):
				skip = strings.Split(strings.TrimPrefix(f, "--skip="), ",")
			case f == "--tests=false":
				gc.opts.Tests = false
			case strings.HasPrefix(f, "--tags="):
				gc.opts.Tags = strings.Split(strings.TrimPrefix(f, "--tags="), ",")
			case strings.HasPrefix(f, "--rules="):
				name := strings.TrimPrefix(f, "--rules=")
				if err := all.Parse(name, gc.input[name]); err != nil {
					t.Fatal(err)
				}
			case strings.HasSuffix(f, ".go"):
				gc.opts.Patterns = append(gc.opts.Patterns, f)
			default:
				t.Fatalf("%s: unknown flag %q", path, f)
			}
		}
	}
	sel, err := all.Select(only, skip)
	if err != nil {
		t.Fatal(err)
	}
	gc.opts.Rules = sel
	return gc
}

func runGolden(t *testing.T, path string) {
	gc := loadGolden(t, path)
	got := map[string][]byte{}

	scan, err := rewrite.Scan(gc.opts)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	var scanText bytes.Buffer
	for _, s := range scan.Sites {
		scanText.WriteString(s.String() + "\n")
	}
	got["scan"] = scanText.Bytes()

	res, err := rewrite.Apply(gc.opts)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if len(res.Warnings) > 0 {
		got["warnings"] = []byte(strings.Join(res.Warnings, "\n") + "\n")
	}
	for _, c := range res.Changes {
		rel, _ := filepath.Rel(gc.dir, c.Path)
		if c.New == nil {
			t.Errorf("apply deletes %s", rel)
			continue
		}
		got[filepath.ToSlash(rel)] = c.New
	}
	if *update {
		writeGolden(t, path, gc, got)
		return
	}
	for name, want := range gc.want {
		if name == "scan" && got[name] == nil {
			got[name] = []byte{}
		}
		if !bytes.Equal(got[name], want) {
			t.Errorf("%s differs from want/%s:\n--- got\n%s\n--- want\n%s", name, name, got[name], want)
		}
	}
	for name := range got {
		if _, ok := gc.want[name]; !ok {
			t.Errorf("apply changes %s, which has no want/%s", name, name)
		}
	}

	if err := rewrite.Write(res.Changes); err != nil {
		t.Fatal(err)
	}
	again, err := rewrite.Apply(gc.opts)
	if err != nil {
		t.Fatalf("second apply: %v", err)
	}
	for _, c := range again.Changes {
		t.Errorf("second apply changes %s:\n%s", c.Name, rewrite.Diff([]rewrite.Change{c}))
	}

	rev, err := rewrite.Revert(gc.opts)
	if err != nil {
		t.Fatalf("revert: %v", err)
	}
	if err := rewrite.Write(rev.Changes); err != nil {
		t.Fatal(err)
	}
	checkTree(t, gc.dir, gc.input)
}

// checkTree checks that dir holds exactly the files of want, byte for byte.
func checkTree(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	seen := map[string]bool{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		data, _ := os.ReadFile(path)
		w, ok := want[rel]
		switch {
		case !ok:
			t.Errorf("after revert: %s should not exist", rel)
		case !bytes.Equal(data, w):
			t.Errorf("after revert: %s differs from the original:\n%s", rel, data)
		}
		return nil
	})
	for name := range want {
		if !seen[name] {
			t.Errorf("after revert: %s is missing", name)
		}
	}
}

func writeGolden(t *testing.T, path string, gc *goldenCase, got map[string][]byte) {
	ar := &txtar.Archive{Comment: gc.archive.Comment}
	for _, f := range gc.archive.Files {
		if !strings.HasPrefix(f.Name, "want/") {
			ar.Files = append(ar.Files, f)
		}
	}
	var names []string
	for name := range got {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ar.Files = append(ar.Files, txtar.File{Name: "want/" + name, Data: got[name]})
	}
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenBuilds patches every golden case, points it at the runtime in this
// repository and runs go vet on it: patched code must build and vet.
func TestGoldenBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every case")
	}
	runtimeDir, _ := filepath.Abs("../runtime")
	cases, _ := filepath.Glob("../testdata/golden/*.txtar")
	for _, path := range cases {
		path := path
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			t.Parallel()
			gc := loadGolden(t, path)
			gc.opts.NoMod = false
			gc.opts.Runtime = runtimeDir
			res, err := rewrite.Apply(gc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := rewrite.Write(res.Changes); err != nil {
				t.Fatal(err)
			}
			args := []string{"vet"}
			if len(gc.opts.Tags) > 0 {
				args = append(args, "-tags="+strings.Join(gc.opts.Tags, ","))
			}
			cmd := exec.Command("go", append(args, "./...")...)
			cmd.Dir = gc.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go vet of the patched case: %v\n%s", err, out)
			}
		})
	}
}

// TestGoldenCoversEveryRule checks that each rule of the catalog has a golden case
// that patches it.
func TestGoldenCoversEveryRule(t *testing.T) {
	cases, _ := filepath.Glob("../testdata/golden/*.txtar")
	covered := map[string]bool{}
	for _, path := range cases {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name != "want/scan" {
				continue
			}
			for _, line := range strings.Split(string(f.Data), "\n") {
				// file:line:col: category call -> replacement [status]
				_, rest, ok := strings.Cut(line, ": ")
				if !ok {
					continue
				}
				_, rest, _ = strings.Cut(rest, " ")
				call, after, ok := strings.Cut(rest, " -> ")
				if ok && !strings.Contains(after, "[") {
					covered[call] = true
				}
			}
		}
	}
	for _, r := range rules.Builtin().Rules {
		if !covered[r.Target] {
			t.Errorf("%s: %s has no golden case that patches it", r.Pos, r.Target)
		}
	}
}
