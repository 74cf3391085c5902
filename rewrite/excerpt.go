package rewrite

import (
	"bytes"
	"go/ast"
	"go/token"
	"sort"
)

// An excerpt of a file is what the revert check of a patch reads instead of the
// whole patched file: the lines from the top of the file through its imports, and
// each top-level declaration (with its doc comment) that the patch changed, joined
// by single blank lines. The patched declarations of a large file are usually a
// small part of it (a third of the lines on golang.org/x/tools), and parsing,
// decorating and restoring the rest again only to find it unchanged was half the
// cost of a patch.
//
// An excerpt stands for its file only where dst cannot tell the difference: each
// span is set off from the rest of the file by blank lines (so gofmt aligns
// nothing across its edges) and no comment crosses its edges. The file must not
// hold patched sites already, whose revert would change lines outside the spans.
// Where any of this fails, or the check of the excerpt does, the whole file is
// checked as before, so the excerpt decides only when it passes. The proof that
// dst reproduces the file (patchVerified) carries over: the lines outside the
// excerpt are lines the patch did not touch, which its restore of the whole file
// printed as they stand or the proof fails.

// span is a range of lines of a file, 1-based and inclusive.
type span struct{ from, to int }

// excerptSpans returns the spans of the excerpt of f for a patch whose result is
// neu (f.src and neu split into lines), or false when an excerpt cannot stand
// for the file.
func (p *program) excerptSpans(f *file, old, neu [][]byte) ([]span, bool) {
	tf := p.fset.File(f.ast.Pos())
	if len(old) != len(neu) || tf == nil {
		return nil, false
	}
	// Lines as they are in the file, whatever //line directives say.
	line := func(pos token.Pos) int { return tf.PositionFor(pos, false).Line }
	// The head: the package clause and the imports, with the comments among them.
	head := span{1, line(f.ast.Name.End())}
	var decls []span // in order
	for _, d := range f.ast.Decls {
		s := span{line(d.Pos()), line(d.End())}
		var doc *ast.CommentGroup
		switch d := d.(type) {
		case *ast.GenDecl:
			doc = d.Doc
			if d.Tok == token.IMPORT {
				head.to = max(head.to, s.to)
				continue
			}
		case *ast.FuncDecl:
			doc = d.Doc
		}
		if doc != nil {
			s.from = line(doc.Pos())
		}
		decls = append(decls, s)
	}
	// declAt returns the declaration that line l is part of.
	declAt := func(l int) (span, bool) {
		i := sort.Search(len(decls), func(i int) bool { return decls[i].to >= l })
		if i < len(decls) && decls[i].from <= l {
			return decls[i], true
		}
		return span{}, false
	}
	spans := []span{head}
	for i := range old {
		if l := i + 1; l > head.to && !bytes.Equal(old[i], neu[i]) {
			d, ok := declAt(l)
			if !ok {
				return nil, false // a changed line outside every declaration
			}
			if spans[len(spans)-1] != d {
				spans = append(spans, d)
			}
		}
	}
	if len(spans) == 1 {
		return nil, false
	}
	// Set each span off by blank lines, taking in what touches it a whole
	// declaration (or a line outside them) at a time.
	blank := func(l int) bool { return bytes.Equal(old[l-1], []byte("\n")) }
	for i := range spans {
		s := &spans[i]
		for s.from > 1 && !blank(s.from-1) {
			s.from--
			if d, ok := declAt(s.from); ok {
				s.from = d.from
			}
		}
		for s.to < len(old) && !blank(s.to+1) {
			s.to++
			if d, ok := declAt(s.to); ok {
				s.to = d.to
			}
		}
	}
	spans = mergeSpans(spans, old)
	// No comment may begin in one span and end outside it (a block comment
	// after a declaration's last token).
	in := func(l int) int {
		i := sort.Search(len(spans), func(i int) bool { return spans[i].to >= l })
		if i < len(spans) && spans[i].from <= l {
			return i
		}
		return -1
	}
	for _, g := range f.ast.Comments {
		for _, c := range g.List {
			if from, to := line(c.Pos()), line(c.End()); from != to && in(from) != in(to) {
				return nil, false
			}
		}
	}
	return spans, true
}

// mergeSpans joins spans (in order of their starts) that overlap or lie apart by
// blank lines only, so that every gap left holds something.
func mergeSpans(spans []span, lines [][]byte) []span {
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		gap := true
		for l := last.to + 1; l < s.from && gap; l++ {
			gap = bytes.Equal(lines[l-1], []byte("\n"))
		}
		if gap {
			last.to = max(last.to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// cut returns the lines of the spans, joined by single blank lines.
func cut(lines [][]byte, spans []span) []byte {
	var b bytes.Buffer
	for i, s := range spans {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, l := range lines[s.from-1 : s.to] {
			b.Write(l)
		}
	}
	return b.Bytes()
}
