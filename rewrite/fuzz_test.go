package rewrite

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"

	"gopatch.dev/gopatch/rules"
)

// fuzzEnv is what every fuzz input shares: the resolved catalog and an importer
// of the standard library.
var fuzzEnv struct {
	once sync.Once
	objs map[*rules.Rule]*types.Func
	set  *rules.Set
	imp  types.Importer
	fset *token.FileSet
	err  error
}

func setupFuzz(t testing.TB) {
	fuzzEnv.once.Do(func() {
		fuzzEnv.set = rules.Builtin()
		fuzzEnv.objs, fuzzEnv.err = fuzzEnv.set.Validate(".", nil)
		fuzzEnv.fset = token.NewFileSet()
		fuzzEnv.imp = importer.ForCompiler(fuzzEnv.fset, "gc", nil)
	})
	if fuzzEnv.err != nil {
		t.Fatal(fuzzEnv.err)
	}
}

// patchSource runs the apply pipeline on one file of a package of its own,
// type-checked in memory. It returns the patched source, or nil when the source
// is not a package gopatch can load (it does not parse, type-check, or import
// only the standard library) or has nothing to patch.
func patchSource(t testing.TB, src []byte) (out []byte, sites []*match) {
	setupFuzz(t)
	fset := fuzzEnv.fset
	name := filepath.Join(t.TempDir(), "x.go")
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Implicits: map[ast.Node]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{}, Scopes: map[ast.Node]*types.Scope{},
	}
	conf := types.Config{Importer: fuzzEnv.imp, Error: func(error) {}}
	pkg, err := conf.Check("example.com/fuzz", fset, []*ast.File{f}, info)
	if err != nil {
		return nil, nil
	}
	p := &program{opts: &Options{Rules: fuzzEnv.set, All: fuzzEnv.set}, fset: fset, files: map[string]bool{}}
	p.index(fuzzEnv.set, fuzzEnv.objs)
	u := &unit{pkg: &packages.Package{Name: pkg.Name(), PkgPath: pkg.Path(), Types: pkg, TypesInfo: info,
		Syntax: []*ast.File{f}, CompiledGoFiles: []string{name}}}
	fl := &file{path: name, name: "x.go", ast: f, src: src}
	u.files = []*file{fl}
	res := &Result{}
	var todo []*match
	for _, m := range p.classify(u, res) {
		if m.Status == Patchable {
			todo = append(todo, m)
		}
	}
	if len(todo) == 0 {
		return nil, nil
	}
	var positions []token.Pos
	for i, m := range todo {
		m.id = i
		positions = append(positions, m.start())
	}
	varName, err := p.chooseName(u, positions, "gopatch")
	if err != nil {
		return nil, nil
	}
	names := &shimNames{v: varName, ext: map[string]string{}, fw: map[string]string{}}
	out, good, _ := p.patchChecked(fl, todo, names, info)
	if len(good) == 0 {
		return nil, nil
	}
	// The invariants every patch must keep.
	if _, err := parser.ParseFile(token.NewFileSet(), name, out, parser.ParseComments); err != nil {
		t.Fatalf("patched source does not parse: %v\n--- input\n%s\n--- output\n%s", err, src, out)
	}
	if got, want := bytes.Count(out, []byte("\n")), bytes.Count(src, []byte("\n")); got != want {
		t.Fatalf("patch moved lines: %d lines, want %d\n--- output\n%s", got, want, out)
	}
	back, err := p.revertSource(name, out, names)
	if err != nil {
		t.Fatalf("patched source does not revert: %v\n--- output\n%s", err, out)
	}
	if !bytes.Equal(back, src) {
		t.Fatalf("revert(apply(x)) != x\n--- input\n%s\n--- reverted\n%s", src, back)
	}
	ol, nl := lines(src), lines(out)
	touched := map[int]bool{}
	for _, m := range good {
		from, to := fset.Position(m.start()).Line, fset.Position(m.end()).Line
		for l := from; l <= to; l++ {
			touched[l] = true
		}
	}
	for i := range ol {
		if !bytes.Equal(ol[i], nl[i]) && !touched[i+1] && !bytes.Contains(ol[i], []byte("import")) && !isImportLine(ol[i]) {
			t.Fatalf("line %d changed although no site is on it:\n%s\n%s", i+1, ol[i], nl[i])
		}
	}
	return out, good
}

func isImportLine(l []byte) bool {
	s := strings.TrimSpace(string(l))
	return strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "_ ") || strings.HasPrefix(s, ". ") ||
		len(strings.Fields(s)) == 2 && strings.HasPrefix(strings.Fields(s)[1], `"`)
}

// end returns the end of a site's expression.
func (m *match) end() token.Pos {
	switch {
	case m.node != nil:
		return m.node.End()
	case m.call != nil:
		return m.call.End()
	case m.ref != nil:
		return m.ref.End()
	}
	return m.recv.End()
}

// seeds returns the Go files of the golden cases and the demo module.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	cases, _ := filepath.Glob("../testdata/golden/*.txtar")
	for _, path := range cases {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, ".go") && !strings.HasPrefix(f.Name, "want/") && !strings.HasSuffix(f.Name, "_test.go") {
				out = append(out, f.Data)
			}
		}
	}
	filepath.WalkDir("../testdata/demo", func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			data, _ := os.ReadFile(path)
			out = append(out, data)
		}
		return nil
	})
	return out
}

// TestPatchSeeds checks the invariants on every seed: the patched source parses,
// keeps its line count, changes only the lines of its sites and imports, and
// reverts to the input byte for byte.
func TestPatchSeeds(t *testing.T) {
	patched := 0
	for _, src := range seeds(t) {
		if out, _ := patchSource(t, src); out != nil {
			patched++
		}
	}
	if patched < 10 {
		t.Fatalf("only %d seeds were patched; the harness is not exercising the rewriter", patched)
	}
}

// FuzzPatch mutates the seeds; the invariants of TestPatchSeeds must hold for
// every input that type-checks. Inputs are gofmt-formatted first, since gopatch
// refuses files that are not.
func FuzzPatch(f *testing.F) {
	for _, src := range seeds(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		formatted, err := format.Source(src)
		if err != nil {
			return
		}
		patchSource(t, formatted)
	})
}
