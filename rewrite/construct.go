package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"
	"golang.org/x/mod/semver"
)

// Constructs are rewritten into calls of generic forwarders that the generated
// file declares, since the runtime's channel and goroutine functions are generic
// and a patched file imports nothing:
//
//	go f(x)                 gopatch_go(gopatch.At(0), f)(x)
//	ch <- v                 gopatch_send(gopatch.At(1), ch)(v)
//	<-ch                    gopatch_recv(gopatch.At(2), ch)
//	v, ok := <-ch           v, ok := gopatch_recv2(gopatch.At(3), ch)
//	close(ch)               gopatch_close(gopatch.At(4), ch)
//	for v := range ch {     for v := range gopatch_range(gopatch.At(5), ch) {
//
// The send is curried so that T comes from the channel alone and v need only be
// assignable to it, as in the statement: an *S sent on a chan any, say.
//
// select statements are reported unsupported and left alone, and so are the
// channel operations in their cases.

// constructSites finds the go statements and channel operations of a file.
func (p *program) constructSites(u *unit, f *file) []*match {
	if len(p.constructs) == 0 {
		return nil
	}
	info := u.pkg.TypesInfo
	var out []*match
	add := func(kind string, n ast.Node, status Status, reason string) {
		r := p.constructs[kind]
		if r == nil {
			return
		}
		if status == "" && !versionAtLeast(p.goVersion, "1.18") {
			status, reason = Unsupported, "the module's go.mod says go "+p.goVersion+"; the rewrite needs generics (go 1.18)"
		}
		pos := p.fset.Position(n.Pos())
		m := &match{rule: r, kind: kind, node: n, file: f}
		m.Site = Site{File: f.name, Line: pos.Line, Column: pos.Column, Category: r.Category,
			Call: r.Target, Replacement: r.Replacement, Status: status, Reason: reason}
		if m.Site.Status == "" {
			m.Site.Status = Patchable
		}
		out = append(out, m)
	}
	skip := map[ast.Node]bool{} // receives handled as recv2, and select cases
	var visit func(ast.Node) bool
	visit = func(n ast.Node) bool {
		if skip[n] {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectStmt:
			add("select", n, Unsupported, "select statements are not rewritten yet")
			for _, clause := range n.Body.List {
				for _, stmt := range clause.(*ast.CommClause).Body {
					ast.Inspect(stmt, visit)
				}
			}
			return false
		case *ast.GoStmt:
			fun := info.Types[n.Call.Fun]
			if fun.IsBuiltin() || fun.IsType() {
				add("go", n, Unsupported, "go statement of a builtin or a conversion")
			} else {
				add("go", n, "", "")
			}
		case *ast.SendStmt:
			add("send", n, "", "")
		case *ast.AssignStmt:
			if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
				if u, ok := n.Rhs[0].(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					add("recv2", u, "", "")
					skip[u] = true
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == 2 && len(n.Values) == 1 {
				if u, ok := n.Values[0].(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					add("recv2", u, "", "")
					skip[u] = true
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				add("recv", n, "", "")
			}
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && n.Fun == ast.Expr(id) {
				if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "close" {
					add("close", n, "", "")
				}
			}
		case *ast.RangeStmt:
			if t := info.TypeOf(n.X); t != nil {
				if _, ok := t.Underlying().(*types.Chan); ok {
					if versionAtLeast(p.goVersion, "1.23") {
						add("range", n.X, "", "")
					} else {
						add("range", n.X, Unsupported, "ranging over a function needs go 1.23 in go.mod")
					}
				}
			}
		}
		return true
	}
	ast.Inspect(f.ast, visit)
	return out
}

func versionAtLeast(v, min string) bool {
	if v == "" {
		return false
	}
	return semver.Compare("v"+v, "v"+min) >= 0
}

// atCall builds NAME.At(ID).
func atCall(name string, id int) *dst.CallExpr {
	return &dst.CallExpr{
		Fun:  &dst.SelectorExpr{X: dst.NewIdent(name), Sel: dst.NewIdent("At")},
		Args: []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(id)}},
	}
}

// constructNode builds the rewrite of a construct site from its dst node.
func constructNode(m *match, n dst.Node, names *shimNames) dst.Node {
	fw := dst.NewIdent(names.fw[m.kind])
	at := atCall(names.v, m.id)
	switch n := n.(type) {
	case *dst.GoStmt:
		call := &dst.CallExpr{
			Fun:      &dst.CallExpr{Fun: fw, Args: []dst.Expr{at, n.Call.Fun}},
			Args:     n.Call.Args,
			Ellipsis: n.Call.Ellipsis,
		}
		call.Decs.Lparen = n.Call.Decs.Lparen
		stmt := &dst.ExprStmt{X: call}
		stmt.Decs.NodeDecs = n.Decs.NodeDecs
		return stmt
	case *dst.SendStmt:
		stmt := &dst.ExprStmt{X: &dst.CallExpr{
			Fun:  &dst.CallExpr{Fun: fw, Args: []dst.Expr{at, n.Chan}},
			Args: []dst.Expr{n.Value},
		}}
		stmt.Decs.NodeDecs = n.Decs.NodeDecs
		return stmt
	case *dst.UnaryExpr:
		call := &dst.CallExpr{Fun: fw, Args: []dst.Expr{at, n.X}}
		call.Decs.NodeDecs = n.Decs.NodeDecs
		return call
	case *dst.CallExpr: // close(ch)
		call := &dst.CallExpr{Fun: fw, Args: append([]dst.Expr{at}, n.Args...), Ellipsis: n.Ellipsis}
		call.Decs.NodeDecs = n.Decs.NodeDecs
		return call
	case dst.Expr: // the channel of a range statement
		call := &dst.CallExpr{Fun: fw, Args: []dst.Expr{at, n}}
		call.Decs.NodeDecs = *n.Decorations()
		*n.Decorations() = dst.NodeDecs{}
		return call
	}
	panic("gopatch: unexpected construct node")
}

// revertConstruct turns a forwarder call back into the construct, or returns nil;
// it also returns the construct's kind.
func revertConstruct(n dst.Node, kindOf func(dst.Expr) string) (dst.Node, string) {
	switch n := n.(type) {
	case *dst.ExprStmt:
		call, ok := n.X.(*dst.CallExpr)
		if !ok {
			return nil, ""
		}
		if inner, ok := call.Fun.(*dst.CallExpr); ok && kindOf(inner.Fun) == "go" && len(inner.Args) == 2 {
			g := &dst.GoStmt{Call: &dst.CallExpr{Fun: inner.Args[1], Args: call.Args, Ellipsis: call.Ellipsis}}
			g.Call.Decs.Lparen = call.Decs.Lparen
			g.Decs.NodeDecs = n.Decs.NodeDecs
			return g, "go"
		}
		if inner, ok := call.Fun.(*dst.CallExpr); ok && kindOf(inner.Fun) == "send" && len(inner.Args) == 2 && len(call.Args) == 1 {
			s := &dst.SendStmt{Chan: inner.Args[1], Value: call.Args[0]}
			s.Decs.NodeDecs = n.Decs.NodeDecs
			return s, "send"
		}
	case *dst.CallExpr:
		switch kindOf(n.Fun) {
		case "recv", "recv2":
			if len(n.Args) == 2 {
				u := &dst.UnaryExpr{Op: token.ARROW, X: n.Args[1]}
				u.Decs.NodeDecs = n.Decs.NodeDecs
				return u, kindOf(n.Fun)
			}
		case "close":
			c := &dst.CallExpr{Fun: dst.NewIdent("close"), Args: n.Args[1:], Ellipsis: n.Ellipsis}
			c.Decs.NodeDecs = n.Decs.NodeDecs
			return c, "close"
		case "range":
			if len(n.Args) == 2 {
				x := n.Args[1]
				*x.Decorations() = n.Decs.NodeDecs
				return x, "range"
			}
		}
	}
	return nil, ""
}
