package rewrite

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"

	"gopatch.dev/gopatch/rules"
)

// program is a loaded module: its packages, type-checked, and the rule index.
type program struct {
	opts    *Options
	dir     string // absolute Options.Dir
	modRoot string // directory of go.mod
	fset    *token.FileSet
	units   []*unit
	match   map[string][]*rules.Rule // callee FullName → rules that may match it
	byRepl  map[string]*rules.Rule   // replacement → rule, over all rules
	pkgName map[string]string        // import path → package name, for rule packages
	files   map[string]bool          // files named explicitly, absolute
	// unresolved is set when the runtime import could not be resolved.
	unresolved bool
	// constructs are the selected construct rules by kind; fwKind maps the
	// runtime function a forwarder calls to the forwarder's kind: construct rules'
	// (over all rules) and method-value binders'.
	constructs map[string]*rules.Rule
	fwKind     map[string]string
	// goVersion is the go directive of the module's go.mod.
	goVersion string
	// warnings found while loading, such as cgo files left alone.
	warnings []string
}

// unit is one package to process: a package, or its test variant (which holds the
// package's own files and its internal tests), or an external test package.
type unit struct {
	pkg     *packages.Package
	files   []*file
	ignored []string // files the build constraints exclude, absolute
}

// file is one Go file of a unit.
type file struct {
	path      string // absolute
	name      string // relative to Options.Dir
	ast       *ast.File
	src       []byte
	mode      os.FileMode
	generated bool
	cgo       bool
	explicit  bool // named on the command line
	// reproduced is set once dst is known to reproduce src byte for byte.
	reproduced bool
}

// load type-checks the packages of opts. With tolerant set, type errors do not stop
// it (revert works on code whose runtime import cannot be resolved); syntax errors
// always do.
func load(opts *Options, tolerant bool) (*program, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	modRoot, err := findModule(dir)
	if err != nil {
		return nil, err
	}
	p := &program{opts: opts, dir: dir, modRoot: modRoot, fset: token.NewFileSet(), files: map[string]bool{}}
	if data, err := os.ReadFile(filepath.Join(modRoot, "go.mod")); err == nil {
		p.goVersion = goDirective(data)
	}

	patterns := opts.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	var query []string
	for _, pat := range patterns {
		if strings.HasSuffix(pat, ".go") {
			abs := pat
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(dir, pat)
			}
			if _, err := os.Stat(abs); err != nil {
				return nil, fmt.Errorf("%s: %v", pat, errors.Unwrap(err))
			}
			p.files[abs] = true
			query = append(query, "file="+abs)
			continue
		}
		query = append(query, pat)
	}

	all := opts.All
	if all == nil {
		all = opts.Rules
	}
	// Resolve the rules while the packages load: both ask the go command.
	type resolved struct {
		objs map[*rules.Rule]*types.Func
		err  error
	}
	ruleCh := make(chan resolved, 1)
	go func() {
		objs, err := all.Validate(dir, buildFlags(opts))
		ruleCh <- resolved{objs, err}
	}()

	start := time.Now()
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
			packages.NeedImports | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:        dir,
		Fset:       p.fset,
		Tests:      opts.Tests,
		BuildFlags: buildFlags(opts),
		ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
			return parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
		},
	}
	pkgs, err := packages.Load(cfg, query...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %v", err)
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "gopatch: loaded %d packages in %v\n", len(pkgs), time.Since(start).Round(time.Millisecond))
	}
	r := <-ruleCh
	if r.err != nil {
		return nil, r.err
	}
	p.index(all, r.objs)

	if err := p.collect(pkgs, tolerant); err != nil {
		return nil, err
	}
	return p, nil
}

func buildFlags(opts *Options) []string {
	if len(opts.Tags) == 0 {
		return nil
	}
	return []string{"-tags=" + strings.Join(opts.Tags, ",")}
}

// findModule returns the directory of the go.mod governing dir.
func findModule(dir string) (string, error) {
	if fi, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("%s: no such directory", dir)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("%s: not a directory", dir)
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%s: no go.mod here or in any parent directory; gopatch works on Go modules", dir)
		}
		d = parent
	}
}

// index builds the lookup tables from the resolved rules.
func (p *program) index(all *rules.Set, objs map[*rules.Rule]*types.Func) {
	p.match = map[string][]*rules.Rule{}
	p.byRepl = map[string]*rules.Rule{}
	p.pkgName = map[string]string{}
	selected := map[*rules.Rule]bool{}
	for _, r := range p.opts.Rules.Rules {
		selected[r] = true
	}
	p.constructs = map[string]*rules.Rule{}
	p.fwKind = map[string]string{}
	for in := 0; in <= maxBindParams; in++ {
		for out := 0; out <= maxBindResults; out++ {
			p.fwKind[fmt.Sprintf("Bind%d_%d", in, out)] = fmt.Sprintf("bind%d_%d", in, out)
		}
	}
	for _, r := range all.Rules {
		if r.Construct != "" {
			p.fwKind[r.Replacement] = r.Construct
			if r.Construct == "select" {
				for fn, kind := range selectForwarders {
					p.fwKind[fn] = kind
				}
			}
			p.byRepl[r.Replacement] = r
			if selected[r] {
				p.constructs[r.Construct] = r
			}
			continue
		}
		p.byRepl[r.Replacement] = r
		fn := objs[r]
		if fn == nil {
			continue
		}
		p.pkgName[r.PkgPath] = fn.Pkg().Name()
		if r.IsMethod() {
			// The package of the receiver type, which may differ from the method's
			// own package only for promoted methods of unexported embedded types.
			p.pkgName[r.PkgPath] = pkgNameOf(fn, r)
		}
		if selected[r] {
			key := fn.Origin().FullName()
			p.match[key] = append(p.match[key], r)
		}
	}
}

func pkgNameOf(fn *types.Func, r *rules.Rule) string {
	if fn.Pkg() != nil && fn.Pkg().Path() == r.PkgPath {
		return fn.Pkg().Name()
	}
	for _, imp := range fn.Pkg().Imports() {
		if imp.Path() == r.PkgPath {
			return imp.Name()
		}
	}
	return filepath.Base(r.PkgPath)
}

// collect picks one variant of each package, reads its files and reports errors.
func (p *program) collect(pkgs []*packages.Package, tolerant bool) error {
	best := map[string]*packages.Package{}
	var order []string
	var errs []string
	seenErr := map[string]bool{}
	for _, pkg := range pkgs {
		if strings.HasSuffix(pkg.ID, ".test") || pkg.Name == "" && len(pkg.GoFiles) == 0 && len(pkg.Errors) == 0 {
			continue // the synthesized test main, or nothing
		}
		runtimeMissing, typeErrors, parseErrors := false, false, false
		for _, e := range pkg.Errors {
			runtimeMissing = runtimeMissing || strings.Contains(e.Msg, RuntimePath)
			typeErrors = typeErrors || e.Kind == packages.TypeError
			parseErrors = parseErrors || e.Kind == packages.ParseError
		}
		for _, e := range pkg.Errors {
			if strings.Contains(e.Msg, RuntimePath) {
				// A patched package whose go.mod does not (yet) resolve the
				// runtime: the patched calls are known by syntax, and the rest
				// of the package still type-checks.
				p.unresolved = true
				continue
			}
			if (tolerant || runtimeMissing || parseErrors) && e.Kind == packages.TypeError {
				// Knock-on errors. Without the runtime, a patched call has
				// no type, nor has what uses its results (handle(l.Accept()),
				// patched, is "not enough arguments in call to handle"); a
				// syntax error leaves a partial tree.
				continue
			}
			if (tolerant || typeErrors || parseErrors) && e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ") {
				// The go command's compile of the package for export data:
				// the same errors again, as one "-: # path" message.
				continue
			}
			if runtimeMissing && strings.Contains(e.Msg, `could not import C `) {
				continue // cgo does not run when go list cannot resolve an import
			}
			msg := e.Error()
			if !seenErr[msg] {
				seenErr[msg] = true
				errs = append(errs, p.relPos(msg))
			}
		}
		prev, ok := best[pkg.PkgPath]
		if !ok {
			order = append(order, pkg.PkgPath)
		}
		if !ok || len(pkg.CompiledGoFiles) > len(prev.CompiledGoFiles) {
			best[pkg.PkgPath] = pkg
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	sort.Strings(order)
	for _, path := range order {
		pkg := best[path]
		if pkg.TypesInfo == nil {
			continue
		}
		u := &unit{pkg: pkg}
		compiled := map[string]bool{}
		for _, name := range pkg.CompiledGoFiles {
			compiled[name] = true
		}
		for _, name := range pkg.GoFiles {
			// cgo rewrites these files; the type-checked syntax is cgo's output.
			if !compiled[name] && p.inModule(name) && (len(p.files) == 0 || p.files[name]) {
				p.warnings = append(p.warnings, fmt.Sprintf("%s: uses cgo; left alone", p.rel(name)))
			}
		}
		for _, f := range pkg.Syntax {
			name := p.fset.File(f.Pos()).Name()
			if !p.inModule(name) {
				continue
			}
			if len(p.files) > 0 && !p.files[name] {
				continue
			}
			fi, err := os.Stat(name)
			if err != nil {
				return err
			}
			src, err := os.ReadFile(name)
			if err != nil {
				return fmt.Errorf("%s: %v", p.rel(name), errors.Unwrap(err))
			}
			u.files = append(u.files, &file{
				path:      name,
				name:      p.rel(name),
				ast:       f,
				src:       src,
				mode:      fi.Mode().Perm(),
				generated: ast.IsGenerated(f),
				cgo:       importsC(f),
				explicit:  p.files[name],
			})
		}
		for _, name := range pkg.IgnoredFiles {
			if p.inModule(name) && (len(p.files) == 0 || p.files[name]) {
				u.ignored = append(u.ignored, name)
			}
		}
		if len(u.files) > 0 || len(u.ignored) > 0 {
			p.units = append(p.units, u)
		}
	}
	return nil
}

// inModule reports whether a file belongs to the module being patched and not to
// its vendor or testdata trees.
func (p *program) inModule(name string) bool {
	rel, err := filepath.Rel(p.modRoot, name)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part == "vendor" || part == "testdata" {
			return false
		}
	}
	return true
}

// rel returns name relative to the working directory, for messages.
func (p *program) rel(name string) string {
	if r, err := filepath.Rel(p.dir, name); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return name
}

// relPos shortens an absolute path at the start of a message.
func (p *program) relPos(msg string) string {
	if strings.HasPrefix(msg, p.dir+string(filepath.Separator)) {
		return msg[len(p.dir)+1:]
	}
	return msg
}

func importsC(f *ast.File) bool {
	for _, imp := range f.Imports {
		if imp.Path.Value == `"C"` {
			return true
		}
	}
	return false
}

// goDirective returns the version of a go.mod's go line, or "".
func goDirective(data []byte) string {
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil || f.Go == nil {
		return ""
	}
	return f.Go.Version
}
