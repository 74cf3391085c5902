package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
)

// unusedMarker marks an import that a patch left unused: its name is replaced by _
// and the marker, followed by the original name if it had one, keeps what revert
// needs to restore it.
const unusedMarker = "gopatch:unused"

// refusedError says dst cannot be trusted with a file: it is skipped whole.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

// decorated is a file decorated with dst, checked to restore byte for byte.
type decorated struct {
	dec *decorator.Decorator
	dst *dst.File
	// nodes is the number of ast nodes of the file, to size the maps of a restore.
	nodes int
}

// decorate decorates f and checks that dst reproduces src exactly. Files it does
// not (not gofmt-formatted, or syntax dst cannot print) are refused.
func decorate(fset *token.FileSet, f *ast.File, src []byte) (*decorated, error) {
	return decorateMode(fset, f, src, true)
}

// decorateMode decorates f; unless strict, it accepts a file that dst reproduces
// up to white space within lines (a patched line may be aligned differently from
// what gofmt would print).
func decorateMode(fset *token.FileSet, f *ast.File, src []byte, strict bool) (*decorated, error) {
	d, err := decorateOnly(fset, f)
	if err != nil {
		return nil, err
	}
	out, err := d.restore()
	if err != nil {
		return nil, &refusedError{fmt.Sprintf("dst cannot print the file: %v", err)}
	}
	if !bytes.Equal(out, src) && (strict || !sameLinesButSpace(out, src)) {
		line := firstDifferentLine(out, src)
		return nil, &refusedError{fmt.Sprintf("dst does not reproduce the file byte for byte (first at line %d; is it gofmt-formatted?)", line)}
	}
	return d, nil
}

// decorateOnly decorates f without checking what dst makes of it.
func decorateOnly(fset *token.FileSet, f *ast.File) (*decorated, error) {
	n := 0
	ast.Inspect(f, func(x ast.Node) bool {
		if x != nil {
			n++
		}
		return true
	})
	dec := decorator.NewDecorator(fset)
	// Sized up front: growing the maps node by node was a fifth of the time
	// spent in dst.
	dec.Map = sizedMap(n)
	df, err := dec.DecorateFile(f)
	if err != nil {
		return nil, &refusedError{fmt.Sprintf("dst cannot decorate the file: %v", err)}
	}
	return &decorated{dec: dec, dst: df, nodes: n}, nil
}

func sizedMap(n int) decorator.Map {
	return decorator.Map{
		Ast: decorator.AstMap{
			Nodes:   make(map[dst.Node]ast.Node, n),
			Scopes:  map[*dst.Scope]*ast.Scope{},
			Objects: map[*dst.Object]*ast.Object{},
		},
		Dst: decorator.DstMap{
			Nodes:   make(map[ast.Node]dst.Node, n),
			Scopes:  map[*ast.Scope]*dst.Scope{},
			Objects: map[*ast.Object]*dst.Object{},
		},
	}
}

// restore prints the file as dst restores it.
func (d *decorated) restore() ([]byte, error) {
	r := decorator.NewRestorer()
	r.Map = sizedMap(d.nodes)
	var buf bytes.Buffer
	if err := r.Fprint(&buf, d.dst); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// print restores the edited file and splices it into src: lines listed in edited
// come from the restored file, every other line from src, so that lines no edit
// touched stay byte-identical even where the formatter would re-align them.
// exact reports whether dst printed every line outside edited as src has it.
func (d *decorated) print(src []byte, edited map[int]bool) (out []byte, exact bool, err error) {
	restored, err := d.restore()
	if err != nil {
		return nil, false, fmt.Errorf("printing the patched file: %v", err)
	}
	return splice(src, restored, edited)
}

func splice(src, out []byte, edited map[int]bool) ([]byte, bool, error) {
	old, neu := lines(src), lines(out)
	if len(old) != len(neu) {
		return nil, false, fmt.Errorf("the rewrite would change the number of lines (%d to %d)", len(old), len(neu))
	}
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/8)
	exact := true
	for i := range old {
		switch {
		case edited[i+1]:
			buf.Write(neu[i])
		case bytes.Equal(old[i], neu[i]):
			buf.Write(old[i])
		case sameButSpace(old[i], neu[i]):
			buf.Write(old[i])
			exact = false
		default:
			return nil, false, fmt.Errorf("line %d would change although no edit touches it", i+1)
		}
	}
	return buf.Bytes(), exact, nil
}

// lines splits src after each newline.
func lines(src []byte) [][]byte {
	var out [][]byte
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			out = append(out, src)
			break
		}
		out = append(out, src[:i+1])
		src = src[i+1:]
	}
	return out
}

func sameLinesButSpace(a, b []byte) bool {
	la, lb := lines(a), lines(b)
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		if !sameButSpace(la[i], lb[i]) {
			return false
		}
	}
	return true
}

func sameButSpace(a, b []byte) bool {
	return bytes.Equal(bytes.Join(bytes.Fields(a), nil), bytes.Join(bytes.Fields(b), nil))
}

func firstDifferentLine(a, b []byte) int {
	la, lb := lines(a), lines(b)
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	if len(la) < len(lb) {
		return len(la) + 1
	}
	return len(lb) + 1
}

// markLines records the lines an ast node spans.
func markLines(fset *token.FileSet, n ast.Node, edited map[int]bool) {
	from, to := fset.Position(n.Pos()).Line, fset.Position(n.End()).Line
	for l := from; l <= to; l++ {
		edited[l] = true
	}
}

// shimNames are the package-level names a unit's patched sites use: the gopatch
// variable, and one variable per user-rule replacement (keyed by the rule's
// Replacement, path.Func).
type shimNames struct {
	v   string
	ext map[string]string
	fw  map[string]string // construct kind → forwarder in the generated file
}

// extRepl returns the Replacement whose variable is name, or "".
func (n *shimNames) extRepl(name string) string {
	for repl, v := range n.ext {
		if v == name {
			return repl
		}
	}
	return ""
}

// patched reports whether src may hold anything a patch wrote: a use of the
// names, or a blank assignment marked unused. A file without either reverts to
// itself.
func (n *shimNames) patched(src []byte) bool {
	return n.mentioned(src) || bytes.Contains(src, []byte(unusedMarker))
}

// mentioned reports whether src may use any of the names.
func (n *shimNames) mentioned(src []byte) bool {
	if bytes.Contains(src, []byte(n.v+".At(")) {
		return true
	}
	for _, v := range n.ext {
		if bytes.Contains(src, []byte(v)) {
			return true
		}
	}
	for _, v := range n.fw {
		if bytes.Contains(src, []byte(v+"(")) {
			return true
		}
	}
	return false
}

// shimRef builds NAME.At(ID).REPL.
func shimRef(name string, id int, repl string) *dst.SelectorExpr {
	return &dst.SelectorExpr{
		X: &dst.CallExpr{
			Fun:  &dst.SelectorExpr{X: dst.NewIdent(name), Sel: dst.NewIdent("At")},
			Args: []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(id)}},
		},
		Sel: dst.NewIdent(repl),
	}
}

// parseShimRef recognises NAME.At(ID).REPL, returning ID and REPL.
func parseShimRef(n dst.Node, isVar func(*dst.Ident) bool) (id int, repl string, ok bool) {
	sel, ok := n.(*dst.SelectorExpr)
	if !ok {
		return 0, "", false
	}
	call, ok := sel.X.(*dst.CallExpr)
	if !ok || len(call.Args) != 1 || call.Ellipsis {
		return 0, "", false
	}
	at, ok := call.Fun.(*dst.SelectorExpr)
	if !ok || at.Sel.Name != "At" {
		return 0, "", false
	}
	x, ok := at.X.(*dst.Ident)
	if !ok || !isVar(x) {
		return 0, "", false
	}
	lit, ok := call.Args[0].(*dst.BasicLit)
	if !ok || lit.Kind != token.INT {
		return 0, "", false
	}
	id, err := strconv.Atoi(lit.Value)
	if err != nil {
		return 0, "", false
	}
	return id, sel.Sel.Name, true
}

// patchFile rewrites the matches of one file, returning the new source and
// whether dst printed every line that no edit touched byte for byte. It does not
// check that dst reproduces the unedited file: patchVerified proves that.
func (p *program) patchFile(f *file, ms []*match, names *shimNames, info *types.Info) ([]byte, bool, error) {
	d, err := decorateOnly(p.fset, f.ast)
	if err != nil {
		return nil, false, err
	}
	edited := map[int]bool{}
	// A node may be the site of two matches: the channel of a range statement
	// that is a patched call or receive (range time.Tick(d), range <-cc). The
	// inner one is rewritten first, and the range wraps what it became.
	byNode := map[dst.Node][]*match{}
	removed := map[*ast.Ident]bool{}
	for _, m := range ms {
		var n ast.Node = m.ref
		if m.kind != "" {
			n = m.node
		} else if m.call != nil || m.bind != "" {
			sel := m.ref
			if m.call != nil {
				n, sel = m.call, m.call.Fun
			}
			ds := d.dec.Dst.Nodes[sel].(*dst.SelectorExpr)
			if !emptyDecs(ds.Decs.NodeDecs) && m.call != nil || len(ds.Decs.X) > 0 {
				return nil, false, fmt.Errorf("%s:%d: a comment or line break inside the selector", f.name, m.Line)
			}
		}
		dn := d.dec.Dst.Nodes[n]
		if m.kind == "range" {
			byNode[dn] = append(byNode[dn], m)
		} else {
			byNode[dn] = append([]*match{m}, byNode[dn]...)
		}
		markMatch(p.fset, m, n, edited)
		for _, id := range m.removes {
			removed[id] = true
		}
	}
	dstutil.Apply(d.dst, nil, func(c *dstutil.Cursor) bool {
		ms := byNode[c.Node()]
		if len(ms) == 0 {
			return true
		}
		n := c.Node()
		for _, m := range ms {
			n = rewriteSite(m, n, names)
		}
		c.Replace(n)
		return true
	})
	p.blankUnused(d, f, info, removed, edited)
	return d.print(f.src, edited)
}

// rewriteSite returns the rewrite of the site m, whose node is n.
func rewriteSite(m *match, n dst.Node, names *shimNames) dst.Node {
	if m.kind != "" {
		return constructNode(m, n, names)
	}
	var ref dst.Expr
	if m.rule.ReplPkg != "" {
		ref = dst.NewIdent(names.ext[m.rule.Replacement])
	} else {
		ref = shimRef(names.v, m.id, m.rule.Replacement)
	}
	if m.bind != "" {
		// x.M → gopatch_bindN_M(gopatch.At(ID).Shim)(x)
		sel := n.(*dst.SelectorExpr)
		bound := &dst.CallExpr{
			Fun:  &dst.CallExpr{Fun: dst.NewIdent(names.fw[m.bind]), Args: []dst.Expr{ref}},
			Args: []dst.Expr{m.shimReceiver(sel.X)},
		}
		bound.Decs.NodeDecs = sel.Decs.NodeDecs
		return bound
	}
	if m.call == nil {
		*ref.Decorations() = *n.Decorations()
		return ref
	}
	old := n.(*dst.CallExpr)
	recv := m.shimReceiver(old.Fun.(*dst.SelectorExpr).X)
	return &dst.CallExpr{
		Fun:      ref,
		Args:     append([]dst.Expr{recv}, old.Args...),
		Ellipsis: old.Ellipsis,
		Decs:     old.Decs,
	}
}

// shimReceiver turns the receiver expression x of a method call or value into the
// shim's first argument: the promoted method's implicit path spelled out, and &
// when the method wants a pointer.
func (m *match) shimReceiver(x dst.Expr) dst.Expr {
	recv := x
	if len(m.path) > 0 {
		recv = &dst.ParenExpr{X: recv}
		for _, field := range m.path {
			recv = &dst.SelectorExpr{X: recv, Sel: dst.NewIdent(field)}
		}
	}
	if m.addr {
		recv = &dst.UnaryExpr{Op: token.AND, X: recv}
	}
	return recv
}

func emptyDecs(d dst.NodeDecs) bool {
	return len(d.Start) == 0 && len(d.End) == 0 &&
		(d.Before == dst.None || d.Before == dst.NewLine) && (d.After == dst.None || d.After == dst.NewLine)
}

// blankUnused turns the imports that the removed identifiers were the last uses of
// into marked blank imports, on the same line.
func (p *program) blankUnused(d *decorated, f *file, info *types.Info, removed map[*ast.Ident]bool, edited map[int]bool) {
	if len(removed) == 0 {
		return
	}
	// Count the uses of each imported package that remain.
	sels := map[*ast.Ident]bool{}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			sels[s.Sel] = true
		}
		return true
	})
	uses := map[string]int{}    // import path → remaining uses through its name
	dotUses := map[string]int{} // import path → remaining uses through a dot import
	ast.Inspect(f.ast, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || removed[id] {
			return true
		}
		switch obj := info.Uses[id].(type) {
		case nil:
		case *types.PkgName:
			uses[obj.Imported().Path()]++
		default:
			if obj.Pkg() != nil && !sels[id] && obj.Parent() == obj.Pkg().Scope() {
				dotUses[obj.Pkg().Path()]++
			}
		}
		return true
	})
	for _, spec := range f.ast.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		name := ""
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name == "_" || !p.importRemoved(spec, path, info, removed) {
			continue
		}
		if name == "." && dotUses[path] > 0 || name != "." && uses[path] > 0 {
			continue
		}
		ds := d.dec.Dst.Nodes[spec].(*dst.ImportSpec)
		marker := "/* " + unusedMarker + " */"
		if name != "" {
			marker = "/* " + unusedMarker + " " + name + " */"
		}
		ds.Name = dst.NewIdent("_")
		ds.Decs.End = append([]string{marker}, ds.Decs.End...)
		markLines(p.fset, spec, edited)
	}
}

// importRemoved reports whether some removed identifier used the import spec.
func (p *program) importRemoved(spec *ast.ImportSpec, path string, info *types.Info, removed map[*ast.Ident]bool) bool {
	for id := range removed {
		switch obj := info.Uses[id].(type) {
		case *types.PkgName:
			if obj.Imported().Path() == path && (spec.Name == nil || spec.Name.Name == id.Name) {
				return true
			}
		case nil:
		default:
			if spec.Name != nil && spec.Name.Name == "." && obj.Pkg() != nil && obj.Pkg().Path() == path {
				return true
			}
		}
	}
	return false
}
