package rewrite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"gopatch.dev/gopatch/rules"
)

// reverted is one shim call turned back into the original.
type reverted struct {
	id   int
	rule *rules.Rule
	line int
}

// revertFile turns the shim calls of a file back into the calls they replaced and
// restores the imports the patch had blanked. An identifier spelled as one of names
// is taken for the package-level variable only if pkgLevel says it refers to one.
func (p *program) revertFile(fset *token.FileSet, f *ast.File, src []byte, names *shimNames, pkgLevel func(*ast.Ident) bool) ([]byte, []reverted, error) {
	d, err := decorateMode(fset, f, src, false)
	if err != nil {
		return nil, nil, err
	}
	out, done, _, err := p.revertDecorated(fset, d, src, names, pkgLevel)
	return out, done, err
}

// revertDecorated is revertFile on a file already decorated. exact reports
// whether dst printed every line the revert did not touch as src has it.
func (p *program) revertDecorated(fset *token.FileSet, d *decorated, src []byte, names *shimNames, pkgLevel func(*ast.Ident) bool) (out []byte, done []reverted, exact bool, err error) {
	isDstVar := func(id *dst.Ident) bool {
		a, ok := d.dec.Ast.Nodes[id].(*ast.Ident)
		return ok && a.Name == names.v && pkgLevel(a)
	}
	// extRule returns the user rule whose replacement variable n refers to.
	extRule := func(n dst.Node) *rules.Rule {
		id, ok := n.(*dst.Ident)
		if !ok {
			return nil
		}
		repl := names.extRepl(id.Name)
		if a, ok := d.dec.Ast.Nodes[id].(*ast.Ident); repl == "" || !ok || !pkgLevel(a) {
			return nil
		}
		return p.byRepl[repl]
	}
	imports := importsOf(d.dst)
	edited := map[int]bool{}
	var failure error
	mark := func(n dst.Node) {
		if a := d.dec.Ast.Nodes[n]; a != nil {
			markLines(fset, a, edited)
		}
	}
	kindOf := func(e dst.Expr) string {
		id, ok := e.(*dst.Ident)
		if !ok {
			return ""
		}
		for kind, name := range names.fw {
			if name == id.Name {
				if a, ok := d.dec.Ast.Nodes[id].(*ast.Ident); ok && pkgLevel(a) {
					return kind
				}
			}
		}
		return ""
	}
	// methodShim returns the method rule whose shim e is (a user rule's variable
	// or NAME.At(ID).REPL) with the site number, or nil.
	methodShim := func(e dst.Expr) (int, *rules.Rule) {
		if r := extRule(e); r != nil {
			return 0, r
		}
		id, repl, ok := parseShimRef(e, isDstVar)
		if !ok {
			return 0, nil
		}
		return id, p.byRepl[repl]
	}
	// receiver restores the receiver of the method rule r from the shim's first
	// argument, recording the site n as reverted.
	receiver := func(n dst.Node, arg dst.Expr, id int, r *rules.Rule) dst.Expr {
		recv := originalReceiver(arg, r.Pointer)
		// As the first argument the receiver may carry the line break that
		// preceded the second; as a receiver it must not.
		recv.Decorations().Before, recv.Decorations().After = dst.None, dst.None
		mark(n)
		done = append(done, reverted{id, r, lineOf(fset, d, n)})
		return recv
	}
	// methodCall reverts a shim call of a method rule, or returns nil.
	methodCall := func(n *dst.CallExpr) *dst.CallExpr {
		id, r := methodShim(n.Fun)
		if r == nil || !r.IsMethod() {
			return nil
		}
		if len(n.Args) == 0 {
			failure = fmt.Errorf("%s: %s without a receiver", posOf(fset, d, n), r.Replacement)
			return nil
		}
		return &dst.CallExpr{
			Fun:      &dst.SelectorExpr{X: receiver(n, n.Args[0], id, r), Sel: dst.NewIdent(r.Name)},
			Args:     n.Args[1:],
			Ellipsis: n.Ellipsis,
			Decs:     n.Decs,
		}
	}
	// methodValue reverts a bound method value, gopatch_bindN_M(SHIM)(x), or
	// returns nil.
	methodValue := func(n *dst.CallExpr) dst.Expr {
		inner, ok := n.Fun.(*dst.CallExpr)
		if !ok || !strings.HasPrefix(kindOf(inner.Fun), "bind") || len(inner.Args) != 1 || len(n.Args) != 1 {
			return nil
		}
		id, r := methodShim(inner.Args[0])
		if r == nil || !r.IsMethod() {
			return nil
		}
		sel := &dst.SelectorExpr{X: receiver(n, n.Args[0], id, r), Sel: dst.NewIdent(r.Name)}
		sel.Decs.NodeDecs = n.Decs.NodeDecs
		return sel
	}
	dstutil.Apply(d.dst, nil, func(c *dstutil.Cursor) bool {
		if failure != nil {
			return false
		}
		if orig, kind := revertConstruct(c.Node(), kindOf); orig != nil {
			mark(c.Node())
			for _, r := range p.byRepl {
				if r.Construct == kind {
					done = append(done, reverted{0, r, lineOf(fset, d, c.Node())})
				}
			}
			if g, ok := orig.(*dst.GoStmt); ok {
				// go gopatch.At(1).MutexLock(&mu): the method call is only
				// whole again now.
				if call := methodCall(g.Call); call != nil {
					g.Call = call
				}
			}
			c.Replace(orig)
			return true
		}
		var (
			r  *rules.Rule
			id int
		)
		switch n := c.Node().(type) {
		case *dst.Ident, *dst.SelectorExpr:
			if r = extRule(n); r == nil {
				sid, repl, ok := parseShimRef(n, isDstVar)
				if !ok {
					return true
				}
				id = sid
				if r = p.byRepl[repl]; r == nil {
					failure = fmt.Errorf("%s: no rule has the replacement %s", posOf(fset, d, n), repl)
					return false
				}
			}
			if r.IsMethod() && shimOperand(c, func(e dst.Expr) bool { k := kindOf(e); return k == "go" || strings.HasPrefix(k, "bind") }) {
				return true // reverted with its call or binder
			}
			q, err := imports.qualifier(r.PkgPath, p.pkgName[r.PkgPath])
			if err != nil {
				failure = fmt.Errorf("%s: %v", posOf(fset, d, n), err)
				return false
			}
			var orig dst.Expr = dst.NewIdent(r.Name)
			if r.IsMethod() {
				orig = &dst.SelectorExpr{X: methodExprRecv(r, q), Sel: dst.NewIdent(r.Name)}
			} else if q != "" {
				orig = &dst.SelectorExpr{X: dst.NewIdent(q), Sel: dst.NewIdent(r.Name)}
			}
			*orig.Decorations() = *n.Decorations()
			mark(n)
			done = append(done, reverted{id, r, lineOf(fset, d, n)})
			c.Replace(orig)
		case *dst.CallExpr:
			if orig := methodCall(n); orig != nil {
				c.Replace(orig)
			} else if orig := methodValue(n); orig != nil {
				c.Replace(orig)
			}
		}
		return true
	})
	if failure != nil {
		return nil, nil, false, failure
	}
	for _, spec := range imports.restore() {
		mark(spec)
	}
	out, exact, err = d.print(src, edited)
	if err != nil {
		return nil, nil, false, err
	}
	return out, done, exact, nil
}

// shimOperand reports whether the cursor's node, a method rule's shim, is the
// function of a call or an operand of a forwarder (a binder's, or a go
// statement's), which revert with their parent; otherwise it is a method
// expression.
func shimOperand(c *dstutil.Cursor, isForwarder func(dst.Expr) bool) bool {
	call, ok := c.Parent().(*dst.CallExpr)
	if !ok {
		return false
	}
	return c.Name() == "Fun" || c.Name() == "Args" && isForwarder(call.Fun)
}

// methodExprRecv spells the receiver type of a method rule's method expression:
// (*q.T), q.T, or T under a dot import (q == "").
func methodExprRecv(r *rules.Rule, q string) dst.Expr {
	var t dst.Expr = dst.NewIdent(r.Recv)
	if q != "" {
		t = &dst.SelectorExpr{X: dst.NewIdent(q), Sel: dst.NewIdent(r.Recv)}
	}
	if r.Pointer {
		t = &dst.ParenExpr{X: &dst.StarExpr{X: t}}
	}
	return t
}

// originalReceiver undoes what the patch did to a receiver: &x becomes x, and
// &(x).F.G, the spelling of a promoted method's implicit path, becomes x.
func originalReceiver(arg dst.Expr, pointer bool) dst.Expr {
	e := arg
	if u, ok := e.(*dst.UnaryExpr); ok && u.Op == token.AND && pointer {
		e = u.X
	}
	base, steps := e, 0
	for {
		s, ok := base.(*dst.SelectorExpr)
		if !ok {
			break
		}
		base, steps = s.X, steps+1
	}
	if par, ok := base.(*dst.ParenExpr); ok && steps > 0 {
		return par.X
	}
	return e
}

func lineOf(fset *token.FileSet, d *decorated, n dst.Node) int {
	if a := d.dec.Ast.Nodes[n]; a != nil {
		return fset.Position(a.Pos()).Line
	}
	return 0
}

func posOf(fset *token.FileSet, d *decorated, n dst.Node) string {
	if a := d.dec.Ast.Nodes[n]; a != nil {
		return fset.Position(a.Pos()).String()
	}
	return "?"
}

// fileImports are the import specs of a file being reverted.
type fileImports struct {
	specs    []*dst.ImportSpec
	restored map[*dst.ImportSpec]string // blanked specs to restore, with their name
}

func importsOf(f *dst.File) *fileImports {
	fi := &fileImports{restored: map[*dst.ImportSpec]string{}}
	dst.Inspect(f, func(n dst.Node) bool {
		if spec, ok := n.(*dst.ImportSpec); ok {
			fi.specs = append(fi.specs, spec)
		}
		return true
	})
	return fi
}

// blankedName returns the original name recorded on a blanked import, and whether
// the spec is one.
func blankedName(spec *dst.ImportSpec) (string, bool) {
	if spec.Name == nil || spec.Name.Name != "_" || len(spec.Decs.End) == 0 {
		return "", false
	}
	text := spec.Decs.End[0]
	if !strings.HasPrefix(text, "/* "+unusedMarker) || !strings.HasSuffix(text, " */") {
		return "", false
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(text, "/* "+unusedMarker), " */")), true
}

// qualifier returns the name by which the file refers to the package at path: ""
// for a dot import. A blanked import is restored for it.
func (fi *fileImports) qualifier(path, pkgName string) (string, error) {
	var blanked *dst.ImportSpec
	for _, spec := range fi.specs {
		p, _ := strconv.Unquote(spec.Path.Value)
		if p != path {
			continue
		}
		if spec.Name == nil {
			return pkgName, nil
		}
		if name, ok := blankedName(spec); ok {
			if _, again := fi.restored[spec]; again {
				return qualName(name, pkgName), nil
			}
			blanked = spec
			continue
		}
		switch spec.Name.Name {
		case "_":
			continue
		case ".":
			return "", nil
		default:
			return spec.Name.Name, nil
		}
	}
	if blanked == nil {
		return "", fmt.Errorf("the file does not import %q, so the call cannot be restored", path)
	}
	name, _ := blankedName(blanked)
	fi.restored[blanked] = name
	return qualName(name, pkgName), nil
}

func qualName(name, pkgName string) string {
	switch name {
	case "":
		return pkgName
	case ".":
		return ""
	}
	return name
}

// restore un-blanks the imports that the revert uses again, returning them.
func (fi *fileImports) restore() []*dst.ImportSpec {
	var out []*dst.ImportSpec
	for spec, name := range fi.restored {
		if name == "" {
			spec.Name = nil
		} else {
			spec.Name = dst.NewIdent(name)
		}
		spec.Decs.End = spec.Decs.End[1:]
		out = append(out, spec)
	}
	return out
}

// revertSource reverts a file's source by syntax alone: every names.v.At(N).R is a
// shim call, every use of a user rule's variable a replaced call. Apply uses it to
// check its own output.
func (p *program) revertSource(filename string, src []byte, names *shimNames) ([]byte, error) {
	if !names.patched(src) {
		return src, nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	out, _, err := p.revertFile(fset, f, src, names, func(*ast.Ident) bool { return true })
	return out, err
}

// revertSourceUnchecked is revertSource without the check that dst reproduces src
// up to white space, for a caller that compares the result with what it must be
// byte for byte: a result that passes that comparison is right however it came
// about. exact reports whether dst printed every line the revert did not touch
// as src has it.
func (p *program) revertSourceUnchecked(filename string, src []byte, names *shimNames) (out []byte, exact bool, err error) {
	if !names.patched(src) {
		return src, true, nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, false, err
	}
	d, err := decorateOnly(fset, f)
	if err != nil {
		return nil, false, err
	}
	out, _, exact, err = p.revertDecorated(fset, d, src, names, func(*ast.Ident) bool { return true })
	return out, exact, err
}
