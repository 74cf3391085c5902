package rewrite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"gopatch.dev/gopatch/rules"
)

// match is a call site of a rule, with what the editor needs to rewrite it.
type match struct {
	Site
	rule *rules.Rule
	file *file
	// ref is what a package function rule replaces: the qualified identifier
	// (time.Sleep) or, under a dot import, the bare identifier.
	ref ast.Expr
	// call is what a method rule replaces: the whole call x.M(args).
	call *ast.CallExpr
	// recv is the receiver expression x of a method call; path names the embedded
	// fields from x to the rule's receiver type, when the method is promoted.
	recv ast.Expr
	path []string
	// addr says the receiver must be passed as &x.
	addr bool
	// kind is the construct a construct rule's site is (go, send, recv, …), and
	// node the statement or expression its rewrite replaces.
	kind string
	// bind is the forwarder kind (bindN_M) that binds a method value's receiver;
	// a method value's or method expression's selector is in ref.
	bind string
	node ast.Node
	// sel is the plan of a select statement's rewrite (construct.go).
	sel *selectPlan
	// id is the site number the patch gives the site.
	id int
	// removes lists the uses of package names that the rewrite deletes.
	removes []*ast.Ident
}

// findSites returns every site of the selected rules in the unit's files.
func (p *program) findSites(u *unit) []*match {
	var out []*match
	for _, f := range u.files {
		out = append(out, p.findInFile(u, f)...)
	}
	return out
}

func (p *program) findInFile(u *unit, f *file) []*match {
	info := u.pkg.TypesInfo
	out := p.constructSites(u, f)
	calls := map[ast.Expr]*ast.CallExpr{} // call.Fun → call
	ast.Inspect(f.ast, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			calls[call.Fun] = call
		}
		return true
	})
	add := func(m *match, node ast.Node) {
		pos := p.fset.Position(node.Pos())
		m.file = f
		m.Site.File = f.name
		m.Site.Line = pos.Line
		m.Site.Column = pos.Column
		m.Site.Category = m.rule.Category
		m.Site.Call = m.rule.Target
		m.Site.Replacement = m.rule.Replacement
		if m.Site.Status == "" {
			m.Site.Status = Patchable
		}
		out = append(out, m)
	}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[n]; ok {
				fn, ok := sel.Obj().(*types.Func)
				if !ok {
					return true
				}
				for _, r := range p.match[fn.Origin().FullName()] {
					m := p.methodSite(r, n, sel, calls[n], info)
					if m != nil {
						add(m, n)
						break
					}
				}
				return true
			}
			// A qualified identifier, pkg.Name.
			if r := p.funcRule(info, n.Sel); r != nil {
				m := &match{rule: r, ref: n}
				if x, ok := n.X.(*ast.Ident); ok {
					m.removes = []*ast.Ident{x}
				}
				add(m, n)
				return false
			}
		case *ast.Ident:
			// A function reached through a dot import.
			if r := p.funcRule(info, n); r != nil {
				add(&match{rule: r, ref: n, removes: []*ast.Ident{n}}, n)
			}
		}
		return true
	})
	return out
}

// funcRule returns the package function rule that id refers to, if any.
func (p *program) funcRule(info *types.Info, id *ast.Ident) *rules.Rule {
	fn, ok := info.Uses[id].(*types.Func)
	if !ok || fn.Type().(*types.Signature).Recv() != nil {
		return nil
	}
	for _, r := range p.match[fn.Origin().FullName()] {
		if !r.IsMethod() {
			return r
		}
	}
	return nil
}

// methodSite checks whether the method selection sel reaches rule r's receiver
// type, and if so describes the site.
func (p *program) methodSite(r *rules.Rule, selExpr *ast.SelectorExpr, sel *types.Selection, call *ast.CallExpr, info *types.Info) *match {
	if !r.IsMethod() {
		return nil
	}
	m := &match{rule: r, call: call, recv: selExpr.X}
	// Walk the embedded fields from the receiver expression to the method, looking
	// for the rule's receiver type.
	t := sel.Recv()
	index := sel.Index()
	found := false
	for step := 0; step < len(index); step++ {
		if isNamed(t, r.PkgPath, r.Recv) {
			found = true
			break
		}
		if step == len(index)-1 {
			break
		}
		st, ok := deref(t).Underlying().(*types.Struct)
		if !ok {
			break
		}
		field := st.Field(index[step])
		m.path = append(m.path, field.Name())
		t = field.Type()
	}
	if !found {
		if types.IsInterface(sel.Recv()) && !r.Pointer {
			// An interface embedding the rule's interface: the value converts.
			t, m.path, found = sel.Recv(), nil, true
		} else {
			return nil
		}
	}
	switch {
	case sel.Kind() == types.MethodExpr:
		m.ref, m.recv = selExpr, nil
		if call != nil {
			m.Status, m.Reason = Unsupported, "called method expression; it would read back as a method call"
		} else if reason := p.methodExprUnsupported(r, selExpr, sel, info); reason != "" {
			m.Status, m.Reason = Unsupported, reason
		} else {
			m.removes = pkgIdents(selExpr.X, info)
		}
		return m
	case call == nil:
		m.ref = selExpr
		if reason := p.methodValueUnsupported(sel); reason != "" {
			m.Status, m.Reason = Unsupported, reason
			return m
		}
		sig := sel.Type().(*types.Signature)
		m.bind = fmt.Sprintf("bind%d_%d", sig.Params().Len(), sig.Results().Len())
	}
	_, isPtr := t.Underlying().(*types.Pointer)
	switch {
	case r.Pointer:
		m.addr = !isPtr
	case isPtr:
		m.Status, m.Reason = Unsupported, "value method called through a pointer"
	}
	if m.Status == "" && call != nil && call.Fun != ast.Expr(selExpr) {
		m.Status, m.Reason = Unsupported, "parenthesized method value"
	}
	return m
}

// Binders exist for methods of up to maxBindParams parameters and maxBindResults
// results (the runtime's bind.go).
const (
	maxBindParams  = 4
	maxBindResults = 3
)

// methodValueUnsupported says why the method value sel cannot be bound, or "".
func (p *program) methodValueUnsupported(sel *types.Selection) string {
	sig := sel.Type().(*types.Signature)
	switch {
	case !versionAtLeast(p.goVersion, "1.18"):
		return "method value; the module's go.mod says go " + p.goVersion + " and binding it needs generics (go 1.18)"
	case sig.Variadic():
		return "method value of a variadic method"
	case sig.Params().Len() > maxBindParams || sig.Results().Len() > maxBindResults:
		return fmt.Sprintf("method value with %d parameters and %d results; binders go up to %d and %d",
			sig.Params().Len(), sig.Results().Len(), maxBindParams, maxBindResults)
	}
	return ""
}

// methodExprUnsupported says why the method expression sel cannot become the
// shim itself, or "". Its type must be the shim's, so the receiver type must be
// the rule's own; and since revert spells it again from the rule, the source must
// spell it canonically: (*q.T).M, q.T.M, or without q under a dot import.
func (p *program) methodExprUnsupported(r *rules.Rule, selExpr *ast.SelectorExpr, sel *types.Selection, info *types.Info) string {
	x := selExpr.X
	if r.Pointer {
		par, ok := x.(*ast.ParenExpr)
		if !ok {
			return "method expression not spelled (*T).M"
		}
		star, ok := par.X.(*ast.StarExpr)
		if !ok {
			return "method expression not spelled (*T).M"
		}
		x = star.X
	}
	var name *ast.Ident
	switch e := x.(type) {
	case *ast.Ident:
		name = e
	case *ast.SelectorExpr:
		if _, ok := e.X.(*ast.Ident); ok {
			name = e.Sel
		}
	}
	if name == nil {
		return "method expression of a receiver type spelled other than T or pkg.T"
	}
	tn, ok := info.Uses[name].(*types.TypeName)
	if !ok || tn.IsAlias() || tn.Pkg() == nil || tn.Pkg().Path() != r.PkgPath || tn.Name() != r.Recv {
		return "method expression of another receiver type than " + r.Recv + " (an alias, or a type that embeds it)"
	}
	if _, isPtr := sel.Recv().(*types.Pointer); isPtr != r.Pointer {
		return "method expression whose receiver differs from the shim's"
	}
	return ""
}

// pkgIdents returns the package names used in e.
func pkgIdents(e ast.Expr, info *types.Info) []*ast.Ident {
	var out []*ast.Ident
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if _, ok := info.Uses[id].(*types.PkgName); ok {
				out = append(out, id)
			}
		}
		return true
	})
	return out
}

func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

func isNamed(t types.Type, path, name string) bool {
	n, ok := types.Unalias(deref(types.Unalias(t))).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	return n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}

// excludedSites finds, by syntax alone, the package function calls of a file that
// the build constraints exclude. Methods cannot be found without types.
func (p *program) excludedSites(name string) []Site {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	imports := map[string]string{} // local name → path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		local := p.pkgName[path]
		if local == "" {
			local = path[strings.LastIndex(path, "/")+1:]
		}
		if imp.Name != nil {
			local = imp.Name.Name
		}
		imports[local] = path
	}
	var out []Site
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok || imports[x.Name] == "" {
			return true
		}
		r := p.opts.Rules.Rule(imports[x.Name] + "." + sel.Sel.Name)
		if r == nil {
			return true
		}
		pos := fset.Position(sel.Pos())
		out = append(out, Site{
			File: p.rel(name), Line: pos.Line, Column: pos.Column,
			Category: r.Category, Call: r.Target, Replacement: r.Replacement,
			Status: Excluded, Reason: "file excluded by build constraints; use --tags or GOOS/GOARCH to patch it",
		})
		return true
	})
	return out
}
