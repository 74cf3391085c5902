package rewrite

import (
	"go/ast"
	"go/token"
	"strings"
)

// Directive is the comment that opts call sites out of patching:
//
//	//gopatch:ignore [reason]
//
// At the end of a line it covers that line; alone on a line, the line after it; in
// a function's doc comment, the whole function; above the package clause, the file.
const Directive = "//gopatch:ignore"

type directive struct {
	pos    token.Position
	reason string
	used   bool
}

type funcScope struct {
	from, to token.Pos
	d        *directive
}

// directives are the //gopatch:ignore comments of one file.
type directives struct {
	file  *directive
	funcs []funcScope
	lines map[int]*directive
	all   []*directive
}

func parseDirectives(fset *token.FileSet, f *file) *directives {
	ds := &directives{lines: map[int]*directive{}}
	docs := map[*ast.CommentGroup]*ast.FuncDecl{}
	for _, decl := range f.ast.Decls {
		if fd, ok := decl.(*ast.FuncDecl); ok && fd.Doc != nil {
			docs[fd.Doc] = fd
		}
	}
	for _, group := range f.ast.Comments {
		for _, c := range group.List {
			if c.Text != Directive && !strings.HasPrefix(c.Text, Directive+" ") {
				continue
			}
			pos := fset.Position(c.Pos())
			d := &directive{pos: pos, reason: strings.TrimSpace(strings.TrimPrefix(c.Text, Directive))}
			ds.all = append(ds.all, d)
			switch {
			case c.Pos() < f.ast.Package:
				ds.file = d
			case docs[group] != nil:
				fd := docs[group]
				ds.funcs = append(ds.funcs, funcScope{fd.Pos(), fd.End(), d})
			case aloneOnLine(f.src, pos.Offset):
				ds.lines[fset.Position(group.End()).Line+1] = d
			default:
				ds.lines[pos.Line] = d
			}
		}
	}
	return ds
}

// aloneOnLine reports whether only white space precedes offset on its line.
func aloneOnLine(src []byte, offset int) bool {
	for i := offset - 1; i >= 0 && src[i] != '\n'; i-- {
		if src[i] != ' ' && src[i] != '\t' {
			return false
		}
	}
	return true
}

// ignores returns the directive that covers a site at pos, marking it used.
func (ds *directives) ignores(pos token.Pos, line int) *directive {
	var d *directive
	switch {
	case ds.lines[line] != nil:
		d = ds.lines[line]
	case ds.file != nil:
		d = ds.file
	default:
		for _, fs := range ds.funcs {
			if fs.from <= pos && pos < fs.to {
				d = fs.d
			}
		}
	}
	if d != nil {
		d.used = true
	}
	return d
}
