package rewrite

import (
	"fmt"
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
// A select statement stays, with its case bodies, and each case's operands are
// wrapped in place (see selectPlan), one site for the whole statement:
//
//	case v := <-in:         case v := <-gopatch_selrecv(gopatch.At(6), 0, 2, false, in):
//	case out <- x:          case gopatch_selsend(gopatch.At(6), 1, 2, false, out) <- gopatch_selvalue(x):
//	select {}               panic(gopatch_selblock(gopatch.At(7)))

// constructSites finds the go statements and channel operations of a file.
func (p *program) constructSites(u *unit, f *file) []*match {
	if len(p.constructs) == 0 {
		return nil
	}
	info := u.pkg.TypesInfo
	var out []*match
	add := func(kind string, n ast.Node, status Status, reason string) *match {
		r := p.constructs[kind]
		if r == nil {
			return nil
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
		return m
	}
	skip := map[ast.Node]bool{} // receives handled as recv2, and select cases
	var visit func(ast.Node) bool
	visit = func(n ast.Node) bool {
		if skip[n] {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectStmt:
			if !p.selectPatched(u, n) {
				plan, reason := p.planSelect(u, n)
				switch {
				case reason != "":
					add("select", n, Unsupported, reason)
				case plan != nil:
					if m := add("select", n, "", ""); m != nil {
						m.sel = plan
					}
				}
			}
			// The operands of the cases are evaluated on entering the select, and
			// may hold channel operations of their own; the bodies are ordinary code.
			for _, clause := range n.Body.List {
				cc := clause.(*ast.CommClause)
				for _, x := range commOperands(cc.Comm) {
					ast.Inspect(x, visit)
				}
				for _, stmt := range cc.Body {
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
	if sel, ok := n.(*dst.SelectStmt); ok {
		return constructSelect(m, sel, names)
	}
	fw := dst.NewIdent(names.fw[m.kind])
	at := atCall(names.v, m.id)
	if m.kind == "range" {
		// The channel of a range statement, whatever its form: a call
		// (range f()) or a receive (range <-cc), perhaps rewritten already.
		x := n.(dst.Expr)
		call := &dst.CallExpr{Fun: fw, Args: []dst.Expr{at, x}}
		call.Decs.NodeDecs = *x.Decorations()
		*x.Decorations() = dst.NodeDecs{}
		return call
	}
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
		if id, ok := call.Fun.(*dst.Ident); ok && id.Name == "panic" && len(call.Args) == 1 {
			if inner, ok := call.Args[0].(*dst.CallExpr); ok && kindOf(inner.Fun) == "selblock" && len(inner.Args) == 1 {
				s := &dst.SelectStmt{Body: &dst.BlockStmt{}}
				s.Decs.NodeDecs = n.Decs.NodeDecs
				return s, "select"
			}
		}
		if inner, ok := call.Fun.(*dst.CallExpr); ok && kindOf(inner.Fun) == "send" && len(inner.Args) == 2 && len(call.Args) == 1 {
			s := &dst.SendStmt{Chan: inner.Args[1], Value: call.Args[0]}
			s.Decs.NodeDecs = n.Decs.NodeDecs
			return s, "send"
		}
	case *dst.CallExpr:
		switch kind := kindOf(n.Fun); kind {
		case "selrecv", "selsend", "selsendc", "selvalue":
			return revertSelect(n, kind)
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

// selectForwarders maps the runtime functions of a rewritten select to the kinds
// of their forwarders in the generated file.
var selectForwarders = map[string]string{
	"SelectRecv":      "selrecv",
	"SelectSend":      "selsend",
	"SelectSendConst": "selsendc",
	"SelectValue":     "selvalue",
	"SelectBlock":     "selblock",
}

// selectPlan is how a select statement is rewritten. Go evaluates the channel
// operands of the cases and the values of the sends once, in source order, on
// entering the select; the rewrite wraps each so that they still are, and the
// last one to run (the channel of a last receive case, the value of a last send
// case) knows the whole select:
//
//	case v := <-ch:       case v := <-gopatch_selrecv(gopatch.At(6), i, n, def, ch):
//	case v, ok = <-ch:    case v, ok = <-gopatch_selrecv(gopatch.At(6), i, n, def, ch):
//	case <-ch:            case <-gopatch_selrecv(gopatch.At(6), i, n, def, ch):
//	case out <- x:        case gopatch_selsend(gopatch.At(6), i, n, def, out) <- gopatch_selvalue(x):
//	case out <- nil:      case gopatch_selsendc(gopatch.At(6), i, n, def, out, nil) <- nil:
//	select {}             panic(gopatch_selblock(gopatch.At(6)))
//
// i is the case's number among the n communication cases, def whether the select
// has a default clause. A constant value is given to the channel's wrapper as well,
// typed by the channel (selvalue(1) would be an int where the channel wants a
// float64); the copy in the statement is never sent anywhere. The runtime's side is
// in runtime/chan_select.go. Only the case lines change, and the body of every
// clause stays as it was, break, continue and labels included.
type selectPlan struct {
	n      int
	def    bool
	block  bool   // select {}
	consts []bool // by case: a send of a constant
	kinds  []string
}

// forwarders returns the kinds of the forwarders a site's rewrite calls.
func (m *match) forwarders() []string {
	switch {
	case m.sel != nil:
		return m.sel.kinds
	case m.bind != "":
		return []string{m.bind}
	case m.kind == "select", m.kind == "":
		return nil
	}
	return []string{m.kind}
}

// markMatch records the lines a match's rewrite changes: those of the cases of a
// select (its bodies stay as they are), else those of the node.
func markMatch(fset *token.FileSet, m *match, n ast.Node, edited map[int]bool) {
	sel, ok := n.(*ast.SelectStmt)
	if !ok || m.sel == nil || m.sel.block {
		markLines(fset, n, edited)
		return
	}
	for _, clause := range sel.Body.List {
		if cc := clause.(*ast.CommClause); cc.Comm != nil {
			markLines(fset, cc.Comm, edited)
		}
	}
}

// commOperands returns the expressions of a select case besides its operation:
// the channel, the value sent, the left-hand side of a receive assignment.
func commOperands(comm ast.Stmt) []ast.Expr {
	switch c := comm.(type) {
	case *ast.SendStmt:
		return []ast.Expr{c.Chan, c.Value}
	case *ast.ExprStmt:
		if u, ok := ast.Unparen(c.X).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			return []ast.Expr{u.X}
		}
		return []ast.Expr{c.X}
	case *ast.AssignStmt:
		var out []ast.Expr
		if c.Tok != token.DEFINE {
			out = append(out, c.Lhs...)
		}
		for _, x := range c.Rhs {
			if u, ok := ast.Unparen(x).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
				out = append(out, u.X)
			} else {
				out = append(out, x)
			}
		}
		return out
	}
	return nil
}

// selectPatched reports whether the select's cases already call forwarders of the
// generated file (a second apply).
func (p *program) selectPatched(u *unit, n *ast.SelectStmt) bool {
	info := u.pkg.TypesInfo
	for _, clause := range n.Body.List {
		for _, x := range commOperands(clause.(*ast.CommClause).Comm) {
			call, ok := ast.Unparen(x).(*ast.CallExpr)
			if !ok {
				continue
			}
			id, ok := ast.Unparen(call.Fun).(*ast.Ident)
			if !ok {
				continue
			}
			if fn, ok := info.Uses[id].(*types.Func); ok && fn.Parent() == u.pkg.Types.Scope() && isHelper(p.fset.Position(fn.Pos()).Filename) {
				return true
			}
		}
	}
	return false
}

// planSelect decides how a select statement is rewritten; a reason says why it is
// not, and a nil plan without a reason means there is nothing to rewrite (a select
// with only a default clause never blocks).
func (p *program) planSelect(u *unit, n *ast.SelectStmt) (*selectPlan, string) {
	info := u.pkg.TypesInfo
	plan := &selectPlan{}
	for _, clause := range n.Body.List {
		if clause.(*ast.CommClause).Comm == nil {
			plan.def = true
		} else {
			plan.n++
		}
	}
	if shadowed := p.shadowedBuiltin(u, n.Pos(), "true", "false", "panic"); shadowed != "" {
		return nil, "a local " + shadowed + " shadows the builtin the rewrite uses"
	}
	if plan.n == 0 {
		if plan.def {
			return nil, ""
		}
		if p.fset.Position(n.Body.Lbrace).Line != p.fset.Position(n.Body.Rbrace).Line {
			return nil, "select {} over more than one line"
		}
		plan.block = true
		plan.kinds = []string{"selblock"}
		return plan, ""
	}
	kinds := map[string]bool{}
	i := 0
	for _, clause := range n.Body.List {
		comm := clause.(*ast.CommClause).Comm
		if comm == nil {
			continue
		}
		i++
		konst := false
		var ch ast.Expr
		switch c := comm.(type) {
		case *ast.SendStmt:
			ch = c.Chan
			tv := info.Types[c.Value]
			elem := chanElem(info.TypeOf(c.Chan))
			switch {
			case tv.Value != nil || tv.IsNil():
				konst = true
				kinds["selsendc"] = true
			case elem == nil:
			case untypedShift(info, c.Value):
				return nil, fmt.Sprintf("case %d of %d sends a shift of an untyped constant, which takes its type from the channel", i, plan.n)
			case untypedBool(info, c.Value) && !types.AssignableTo(types.Typ[types.Bool], elem):
				return nil, fmt.Sprintf("case %d of %d sends an untyped boolean on a channel of %s", i, plan.n, types.TypeString(elem, types.RelativeTo(u.pkg.Types)))
			default:
				kinds["selsend"], kinds["selvalue"] = true, true
			}
		case *ast.ExprStmt:
			if x, ok := ast.Unparen(c.X).(*ast.UnaryExpr); ok && x.Op == token.ARROW {
				ch = x.X
			}
			kinds["selrecv"] = true
		case *ast.AssignStmt:
			if len(c.Rhs) == 1 {
				if x, ok := ast.Unparen(c.Rhs[0]).(*ast.UnaryExpr); ok && x.Op == token.ARROW {
					ch = x.X
				}
			}
			kinds["selrecv"] = true
		}
		if ch == nil {
			return nil, fmt.Sprintf("case %d of %d is not a channel operation gopatch knows", i, plan.n)
		}
		if chanElem(info.TypeOf(ch)) == nil {
			return nil, fmt.Sprintf("case %d of %d: the channel's type is a type parameter", i, plan.n)
		}
		plan.consts = append(plan.consts, konst)
	}
	for _, k := range []string{"selrecv", "selsend", "selsendc", "selvalue"} {
		if kinds[k] {
			plan.kinds = append(plan.kinds, k)
		}
	}
	return plan, ""
}

// chanElem returns the element type of a channel type, nil for anything else (a
// type parameter's type included: the forwarders could not infer it).
func chanElem(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	if _, ok := t.(*types.TypeParam); ok {
		return nil
	}
	if c, ok := t.Underlying().(*types.Chan); ok {
		return c.Elem()
	}
	return nil
}

// untypedBool reports whether x, not a constant, is an untyped boolean: a
// comparison, or !, && and || of untyped booleans. Its type in the statement comes
// from the channel; given to selvalue on its own it is a bool.
func untypedBool(info *types.Info, x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.BinaryExpr:
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return true
		case token.LAND, token.LOR:
			return untypedBool(info, x.X) && untypedBool(info, x.Y)
		}
	case *ast.UnaryExpr:
		return x.Op == token.NOT && untypedBool(info, x.X)
	case *ast.Ident:
		c, ok := info.Uses[x].(*types.Const)
		return ok && isUntyped(c.Type())
	}
	return false
}

// untypedShift reports whether x holds a non-constant shift whose left operand is
// an untyped constant: its type comes from the context.
func untypedShift(info *types.Info, x ast.Expr) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryExpr)
		if !ok || (b.Op != token.SHL && b.Op != token.SHR) || info.Types[b].Value != nil {
			return !found
		}
		if tv := info.Types[b.Y]; tv.Value == nil && untypedConst(info, b.X) {
			found = true
		}
		return !found
	})
	return found
}

// untypedConst reports whether x is an untyped constant expression.
func untypedConst(info *types.Info, x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		c, ok := info.Uses[x].(*types.Const)
		return ok && isUntyped(c.Type())
	case *ast.UnaryExpr:
		return untypedConst(info, x.X)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.SHL, token.SHR:
			return untypedConst(info, x.X)
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return info.Types[x].Value != nil
		}
		return untypedConst(info, x.X) && untypedConst(info, x.Y)
	}
	return false
}

func isUntyped(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Info()&types.IsUntyped != 0
}

// shadowedBuiltin returns the first of names that a declaration of the package
// shadows at pos, or "".
func (p *program) shadowedBuiltin(u *unit, pos token.Pos, names ...string) string {
	inner := u.pkg.Types.Scope().Innermost(pos)
	if inner == nil {
		inner = u.pkg.Types.Scope()
	}
	for _, name := range names {
		if _, obj := inner.LookupParent(name, pos); obj != nil && obj.Parent() != types.Universe {
			return name
		}
	}
	return ""
}

// constructSelect rewrites a select statement in place by its plan.
func constructSelect(m *match, n *dst.SelectStmt, names *shimNames) dst.Node {
	plan := m.sel
	fw := func(kind string) *dst.Ident { return dst.NewIdent(names.fw[kind]) }
	if plan.block {
		stmt := &dst.ExprStmt{X: &dst.CallExpr{
			Fun:  dst.NewIdent("panic"),
			Args: []dst.Expr{&dst.CallExpr{Fun: fw("selblock"), Args: []dst.Expr{atCall(names.v, m.id)}}},
		}}
		stmt.Decs.NodeDecs = n.Decs.NodeDecs
		return stmt
	}
	def := "false"
	if plan.def {
		def = "true"
	}
	i := 0
	// wrap returns KIND(at, i, n, def, x, extra...) with x's decorations.
	wrap := func(kind string, x dst.Expr, extra ...dst.Expr) dst.Expr {
		call := &dst.CallExpr{Fun: fw(kind), Args: append([]dst.Expr{
			atCall(names.v, m.id),
			&dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(i)},
			&dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(plan.n)},
			dst.NewIdent(def),
			x,
		}, extra...)}
		call.Decs.NodeDecs = *x.Decorations()
		*x.Decorations() = dst.NodeDecs{}
		return call
	}
	recv := func(x dst.Expr) {
		for {
			p, ok := x.(*dst.ParenExpr)
			if !ok {
				break
			}
			x = p.X
		}
		if u, ok := x.(*dst.UnaryExpr); ok && u.Op == token.ARROW {
			u.X = wrap("selrecv", u.X)
		}
	}
	for _, clause := range n.Body.List {
		cc := clause.(*dst.CommClause)
		switch c := cc.Comm.(type) {
		case nil:
			continue
		case *dst.ExprStmt:
			recv(c.X)
		case *dst.AssignStmt:
			recv(c.Rhs[0])
		case *dst.SendStmt:
			if plan.consts[i] {
				v := dst.Clone(c.Value).(dst.Expr)
				*v.Decorations() = dst.NodeDecs{}
				c.Chan = wrap("selsendc", c.Chan, v)
			} else {
				c.Chan = wrap("selsend", c.Chan)
				val := &dst.CallExpr{Fun: fw("selvalue"), Args: []dst.Expr{c.Value}}
				val.Decs.NodeDecs = *c.Value.Decorations()
				*c.Value.Decorations() = dst.NodeDecs{}
				c.Value = val
			}
		}
		i++
	}
	return n
}

// revertSelect turns a select forwarder call back into its operand; the first
// case's channel stands for the whole select (kind "select"), the others are
// "selcase", which no rule has.
func revertSelect(n *dst.CallExpr, kind string) (dst.Node, string) {
	var x dst.Expr
	switch {
	case (kind == "selrecv" || kind == "selsend") && len(n.Args) == 5,
		kind == "selsendc" && len(n.Args) == 6:
		x = n.Args[4]
		if lit, ok := n.Args[1].(*dst.BasicLit); ok && lit.Value == "0" {
			*x.Decorations() = n.Decs.NodeDecs
			return x, "select"
		}
	case kind == "selvalue" && len(n.Args) == 1:
		x = n.Args[0]
	default:
		return nil, ""
	}
	*x.Decorations() = n.Decs.NodeDecs
	return x, "selcase"
}
