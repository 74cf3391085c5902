package rewrite

import (
	"bytes"
	"go/parser"
	"go/token"
	"reflect"
	"testing"
)

// TestExcerptSpans checks which lines the revert check of a patch reads: the head
// and the changed declarations, set off by blank lines, or the whole file when a
// comment crosses an edge.
func TestExcerptSpans(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		changed []int // lines the patch changes
		want    []span
	}{{
		name: "declaration with its doc comment",
		src: `package m

import "time"

func a() {}

// b sleeps.
func b() {
	time.Sleep(1)
}

func c() {}
`,
		changed: []int{9},
		want:    []span{{1, 3}, {7, 10}},
	}, {
		name: "neighbours with no blank line between",
		src: `package m

import "time"

func a() {}

func b() { time.Sleep(1) } // aligned
func c() {}                // with c's comment

var d = 1
`,
		changed: []int{7},
		want:    []span{{1, 3}, {7, 8}},
	}, {
		name: "blank lines only between the spans",
		src: `package m

import "time"

func b() { time.Sleep(1) }

func c() {}
`,
		changed: []int{3, 5},
		want:    []span{{1, 5}},
	}, {
		name: "a //line directive does not move the lines",
		src: `package m

import "time"

//line other.go:100
func a() {}

func b() {
	time.Sleep(1)
}
`,
		changed: []int{9},
		want:    []span{{1, 3}, {8, 10}},
	}, {
		name: "a block comment leaving the declaration",
		src: `package m

import "time"

func b() {
	time.Sleep(1)
} /* runs on

past the end */

func c() {}
`,
		changed: []int{6},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &program{fset: token.NewFileSet()}
			src := []byte(c.src)
			f, err := parser.ParseFile(p.fset, "x.go", src, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			old := lines(src)
			neu := lines(src)
			for _, l := range c.changed {
				neu[l-1] = append([]byte("\t// changed"), neu[l-1]...)
			}
			got, ok := p.excerptSpans(&file{ast: f, src: src}, old, neu)
			if ok != (c.want != nil) || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("spans %v (%v), want %v", got, ok, c.want)
			}
			if ok {
				if _, err := parser.ParseFile(token.NewFileSet(), "", cut(old, got), parser.ParseComments); err != nil {
					t.Errorf("the excerpt does not parse: %v\n%s", err, cut(old, got))
				}
				if n := bytes.Count(cut(old, got), []byte("\n")); n < len(got) {
					t.Errorf("excerpt of %d lines for %d spans", n, len(got))
				}
			}
		})
	}
}
