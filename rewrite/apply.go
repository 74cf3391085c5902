package rewrite

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"
)

// Scan loads the packages of opts and reports every site of its rules, with the
// status Apply would give it: a site reported patchable is one Apply patches.
func Scan(opts *Options) (*Result, error) {
	res, err := Apply(opts)
	if err != nil {
		return nil, err
	}
	res.Changes, res.ModNote = nil, ""
	return res, nil
}

// classify finds the sites of a unit and gives each its status, warning about
// directives that cover no site.
func (p *program) classify(u *unit, res *Result) []*match {
	var out []*match
	for _, f := range u.files {
		if isHelper(f.path) {
			continue
		}
		ds := parseDirectives(p.fset, f)
		for _, m := range p.findInFile(u, f) {
			if r := m.rule; r.ReplPkg != "" && (r.ReplPkg == u.pkg.PkgPath || r.PkgPath == u.pkg.PkgPath) {
				// Patching these would make the replacement import itself.
				m.Status, m.Reason = Ignored, "inside the package of the rule's target or replacement"
			} else if d := ds.ignores(m.start(), m.Line); d != nil {
				m.Status, m.Reason = Ignored, d.reason
			} else if m.Status == Patchable {
				switch {
				case f.generated && !f.explicit:
					m.Status, m.Reason = Generated, "generated file; name it explicitly to patch it"
				case f.cgo:
					m.Status, m.Reason = Unsupported, "cgo file"
				}
			}
			out = append(out, m)
		}
		for _, d := range ds.all {
			if !d.used {
				res.warnf("%s:%d: %s has no effect: no blocking call site here", f.name, d.pos.Line, Directive)
			}
		}
	}
	return out
}

func (p *program) addExcluded(u *unit, res *Result) {
	for _, name := range u.ignored {
		res.Sites = append(res.Sites, p.excludedSites(name)...)
	}
}

func isHelper(path string) bool {
	base := filepath.Base(path)
	return base == helperName || base == helperTestName
}

// Apply computes the patch of the packages of opts. It writes nothing: pass the
// result's Changes to Write.
func Apply(opts *Options) (*Result, error) {
	p, err := load(opts, false)
	if err != nil {
		return nil, err
	}
	res := &Result{Warnings: p.warnings}
	if p.unresolved {
		res.warnf("the module does not resolve %s (go.mod has no requirement or replace for it): calls whose types come from patched calls cannot be matched", RuntimePath)
	}
	// Units are independent: match them in parallel, then plan them in
	// parallel, then merge in order.
	parts := make([]*Result, len(p.units))
	matches := make([][]*match, len(p.units))
	parallel(len(p.units), func(i int) {
		u, part := p.units[i], &Result{}
		matches[i] = p.classify(u, part)
		p.addExcluded(u, part)
		parts[i] = part
	})
	p.dropMatchInfo()
	oks := make([]bool, len(p.units))
	errs := make([]error, len(p.units))
	parallel(len(p.units), func(i int) {
		oks[i], errs[i] = p.applyUnit(p.units[i], matches[i], parts[i])
		for _, m := range matches[i] {
			parts[i].Sites = append(parts[i].Sites, m.Site)
		}
	})
	patched := false
	for i, part := range parts {
		if errs[i] != nil {
			return nil, errs[i]
		}
		patched = patched || oks[i]
		res.Sites = append(res.Sites, part.Sites...)
		res.Changes = append(res.Changes, part.Changes...)
		res.Warnings = append(res.Warnings, part.Warnings...)
	}
	if patched && !opts.NoMod {
		if err := p.requireRuntime(res); err != nil {
			return nil, err
		}
	}
	res.sortSites()
	return res, nil
}

// parallel calls f(0) to f(n-1), as many at a time as there are processors.
func parallel(n int, f func(i int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
}

// dropMatchInfo lets go what matching needed and planning does not, a third of
// what the load left live (on x/tools, 210 MB of which 70 MB go): every map of
// the units' types.Info but Uses (blankUnused reads it), and the type-checked
// syntax of the variants that are not units. Otherwise each collection during
// the plan marks it again, and the heap grows past the load's to make room for
// the plan's garbage.
func (p *program) dropMatchInfo() {
	var roots []*packages.Package
	units := map[*packages.Package]bool{}
	for _, u := range p.units {
		roots = append(roots, u.pkg)
		units[u.pkg] = true
	}
	packages.Visit(roots, nil, func(pkg *packages.Package) {
		if !units[pkg] {
			pkg.Syntax, pkg.TypesInfo = nil, nil
		} else if info := pkg.TypesInfo; info != nil {
			pkg.TypesInfo = &types.Info{Uses: info.Uses}
		}
	})
	// The heap's goal was set from the load's live heap, about twice what is
	// left; collect now, beside the plan, rather than when the heap reaches it.
	go runtime.GC()
}

// applyUnit patches the patchable sites of one unit and regenerates its helper.
// It reports whether the unit has patched sites afterwards.
func (p *program) applyUnit(u *unit, ms []*match, res *Result) (bool, error) {
	var todo []*match
	for _, m := range ms {
		if m.Status == Patchable {
			todo = append(todo, m)
		}
	}
	h, err := p.helperFor(u)
	if err != nil {
		return false, err
	}
	if len(todo) == 0 {
		return h.src != nil, nil
	}
	var positions []token.Pos
	for _, m := range todo {
		positions = append(positions, m.start())
	}
	if h.varName == "" {
		if h.varName, err = p.chooseName(u, positions, "gopatch"); err != nil {
			return false, err
		}
	}
	for _, m := range todo {
		if r := m.rule; r.ReplPkg != "" && h.ext[r.Replacement] == "" {
			name, err := p.chooseName(u, positions, h.varName+"_"+r.ReplName, h.allNames()...)
			if err != nil {
				return false, err
			}
			h.ext[r.Replacement] = name
		}
	}
	added := map[string]bool{} // forwarders named for this apply's sites
	for _, m := range todo {
		for _, kind := range m.forwarders() {
			if h.fw[kind] == "" {
				name, err := p.chooseName(u, positions, h.varName+"_"+kind, h.allNames()...)
				if err != nil {
					return false, err
				}
				h.fw[kind] = name
				added[kind] = true
			}
		}
	}
	names := &shimNames{v: h.varName, ext: h.ext, fw: h.fw}
	// An existing variable may be shadowed where a new site sits.
	for _, m := range todo {
		if inner := u.pkg.Types.Scope().Innermost(m.start()); inner != nil {
			if _, obj := inner.LookupParent(h.varName, m.start()); obj != nil && obj.Parent() != u.pkg.Types.Scope() {
				m.Status, m.Reason = Unsupported, fmt.Sprintf("a local %s shadows the gopatch variable here", h.varName)
			}
		}
	}
	next := existingMaxID(u, h.varName) + 1
	if next < h.count {
		next = h.count
	}
	byFile := map[*file][]*match{}
	var files []*file
	for _, m := range todo {
		if m.Status != Patchable {
			continue
		}
		if byFile[m.file] == nil {
			files = append(files, m.file)
		}
		byFile[m.file] = append(byFile[m.file], m)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	newSites := false
	for _, f := range files {
		fms := byFile[f]
		for _, m := range fms {
			if m.rule.ReplPkg == "" {
				m.id = next
				next++
			}
		}
		out, good, err := p.patchChecked(f, fms, names, u.pkg.TypesInfo)
		if err != nil {
			res.warnf("%s: skipped, %d call sites left alone: %v", f.name, len(fms), err)
		}
		if len(good) == 0 {
			continue
		}
		newSites = true
		for _, m := range good {
			h.addCategory(m.rule.Category)
			for _, kind := range m.forwarders() {
				delete(added, kind)
			}
		}
		res.Changes = append(res.Changes, Change{Path: f.path, Name: f.name, Old: f.src, New: out, Mode: f.mode})
	}
	if !newSites {
		return h.src != nil, nil
	}
	if next > h.count {
		h.count = next
	}
	// A forwarder named for sites that were all left alone is not generated.
	for kind := range added {
		delete(h.fw, kind)
	}
	src := h.render(u.pkg.Name, u.pkg.PkgPath, runtimeName(u), p.pkgName)
	if !bytes.Equal(src, h.src) {
		res.Changes = append(res.Changes, Change{Path: h.path, Name: p.rel(h.path), Old: h.src, New: src, Mode: h.mode})
	}
	return true, nil
}

// start returns the position of the site's expression.
func (m *match) start() token.Pos {
	switch {
	case m.node != nil:
		return m.node.Pos()
	case m.call != nil:
		return m.call.Pos()
	case m.ref != nil:
		return m.ref.Pos()
	}
	return m.recv.Pos()
}

// patchChecked patches a file and checks the result: it must parse and revert to
// what the original reverts to. When the sites together fail, each is tried alone
// and the failures are marked unsupported with the reason. A file that dst cannot
// reproduce is refused whole, with the error.
func (p *program) patchChecked(f *file, ms []*match, names *shimNames, info *types.Info) ([]byte, []*match, error) {
	out, err := p.patchVerified(f, ms, names, info)
	if err == nil {
		return out, ms, nil
	}
	var refused *refusedError
	if errors.As(err, &refused) {
		for _, m := range ms {
			m.Status, m.Reason = Unsupported, "file skipped: "+err.Error()
		}
		return nil, nil, err
	}
	if len(ms) == 1 {
		ms[0].Status, ms[0].Reason = Unsupported, err.Error()
		return nil, nil, nil
	}
	var good []*match
	for _, m := range ms {
		if _, err := p.patchVerified(f, []*match{m}, names, info); err != nil {
			m.Status, m.Reason = Unsupported, err.Error()
			continue
		}
		good = append(good, m)
	}
	if len(good) == 0 {
		return nil, nil, nil
	}
	out, err = p.patchVerified(f, good, names, info)
	if err != nil {
		for _, m := range good {
			m.Status, m.Reason = Unsupported, "the site patches alone but not with the others of its file: "+err.Error()
		}
		return nil, nil, nil
	}
	return out, good, nil
}

// patchVerified patches a file and checks the result: it must parse and revert to
// what the original reverts to. It also proves, once per file, that dst
// reproduces the original byte for byte (else the file is refused whole). The
// proof is usually free: when dst printed every line that neither the patch nor
// its revert touched exactly as it stands, and the revert gave back the original
// byte for byte, dst has reproduced every line of the file. Otherwise the file
// gets a decorate and restore of its own, checked against the original, and only
// if that passes does the outcome of the patch stand.
func (p *program) patchVerified(f *file, ms []*match, names *shimNames, info *types.Info) ([]byte, error) {
	out, proved, err := p.patchUnproved(f, ms, names, info)
	if !f.reproduced {
		if !proved {
			if _, err := decorate(p.fset, f.ast, f.src); err != nil {
				return nil, err
			}
		}
		f.reproduced = true
	}
	return out, err
}

// patchUnproved is patchVerified short of the proof that dst reproduces the file;
// proved says whether the patch and its revert make that proof.
func (p *program) patchUnproved(f *file, ms []*match, names *shimNames, info *types.Info) ([]byte, bool, error) {
	out, exact, err := p.patchFile(f, ms, names, info)
	if err != nil {
		return nil, false, err
	}
	if !names.patched(f.src) {
		// The revert check on the excerpt of the patched declarations (excerpt.go).
		old, neu := lines(f.src), lines(out)
		if spans, ok := p.excerptSpans(f, old, neu); ok {
			got, revertExact, err := p.revertSourceUnchecked(f.path, cut(neu, spans), names)
			if err == nil && bytes.Equal(got, cut(old, spans)) {
				return out, exact && revertExact, nil
			}
		}
	}
	want, err := p.revertSource(f.path, f.src, names)
	if err != nil {
		return nil, false, fmt.Errorf("the file's existing patch does not revert: %v", err)
	}
	got, revertExact, err := p.revertSourceUnchecked(f.path, out, names)
	if err == nil && bytes.Equal(got, want) {
		return out, exact && revertExact && bytes.Equal(want, f.src), nil
	}
	// The check failed: again with revert's own check of dst, for its message.
	got, err = p.revertSource(f.path, out, names)
	if err != nil {
		return nil, false, fmt.Errorf("the patched file does not revert: %v", err)
	}
	if !bytes.Equal(got, want) {
		return nil, false, fmt.Errorf("the rewrite would not revert exactly (line %d)", firstDifferentLine(got, want))
	}
	return out, false, nil
}

// Revert computes the changes that turn the patched sites of opts back into the
// original calls, delete the generated files no longer needed and, when no patched
// package remains, take the runtime requirement out of go.mod.
func Revert(opts *Options) (*Result, error) {
	p, err := load(opts, true)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	// First every file's revert, then which helpers are still used: a file of
	// one unit (lib_test.go) may use the helper of another (lib's).
	after := map[string][]byte{}
	type pending struct {
		u     *unit
		h     *helper
		names *shimNames
	}
	var unused []pending
	for _, u := range p.units {
		h, err := p.helperFor(u)
		if err != nil {
			return nil, err
		}
		if h.src == nil {
			continue
		}
		names := &shimNames{v: h.varName, ext: h.ext, fw: h.fw}
		scope := u.pkg.Types.Scope()
		pkgLevel := func(id *ast.Ident) bool {
			if obj := u.pkg.TypesInfo.Uses[id]; obj != nil {
				return obj.Parent() == scope
			}
			return scope.Lookup(id.Name) != nil
		}
		remaining := false
		for _, f := range u.files {
			if isHelper(f.path) {
				continue
			}
			if !names.patched(f.src) {
				continue
			}
			out, done, err := p.revertFile(p.fset, f.ast, f.src, names, pkgLevel)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", f.name, err)
			}
			for _, r := range done {
				res.Sites = append(res.Sites, Site{File: f.name, Line: r.line, Category: r.rule.Category,
					Call: r.rule.Target, Replacement: r.rule.Replacement, Status: Patchable})
			}
			if !bytes.Equal(out, f.src) {
				res.Changes = append(res.Changes, Change{Path: f.path, Name: f.name, Old: f.src, New: out, Mode: f.mode})
				after[f.path] = out
			}
			if names.mentioned(out) {
				remaining = true
			}
		}
		if !remaining {
			unused = append(unused, pending{u, h, names})
		}
	}
	deleted := map[string]bool{}
	for _, x := range unused {
		if !p.othersPatched(x.u, x.h, x.names, after) {
			deleted[x.h.path] = true
			res.Changes = append(res.Changes, Change{Path: x.h.path, Name: p.rel(x.h.path), Old: x.h.src, Mode: x.h.mode})
		}
	}
	if !opts.NoMod {
		if err := p.unrequireRuntime(res, deleted); err != nil {
			return nil, err
		}
	}
	res.sortSites()
	return res, nil
}

// othersPatched reports whether files of the unit's package outside the unit
// still call the runtime after this run: files excluded by build constraints,
// test files when tests are not loaded, and files of the package's other units.
// It reads every .go file of the helper's directory in the helper's package
// (after holds this run's reverts), since deleting a helper that one of them
// uses breaks the package.
func (p *program) othersPatched(u *unit, h *helper, names *shimNames, after map[string][]byte) bool {
	covered := map[string]bool{}
	for _, f := range u.files {
		covered[f.path] = true
	}
	dir := filepath.Dir(h.path)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return true // keep the helper rather than guess
	}
	want := packageName(h.src)
	for _, e := range ents {
		name := filepath.Join(dir, e.Name())
		if e.IsDir() || !strings.HasSuffix(name, ".go") || covered[name] || isHelper(name) {
			continue
		}
		src, ok := after[name]
		if !ok {
			if src, err = readFile(name); err != nil {
				return true
			}
		}
		if names.mentioned(src) && packageName(src) == want {
			return true
		}
	}
	return false
}

// packageName is the name in the package clause of src, or "" if it has none.
func packageName(src []byte) string {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.PackageClauseOnly)
	if err != nil {
		return ""
	}
	return f.Name.Name
}
