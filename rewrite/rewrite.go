// Package rewrite finds the blocking calls of a Go module and rewrites them into
// calls of the gopatch runtime, and back.
//
// The path is straight: Load type-checks the packages, the matcher finds the call
// sites of the rules by their type-checked objects, the editor rewrites each file
// with dst and checks the result, and Write commits every change of a run at once.
// Scan, Apply and Revert are the entry points; none of them touches the disk until
// Write is called with the changes they return.
package rewrite

import (
	"fmt"
	"io"
	"os"
	"sort"

	"gopatch.dev/gopatch/rules"
)

// RuntimePath is the import path of the runtime that patched code calls.
const RuntimePath = "gopatch.dev/gopatch/runtime"

// RuntimeVersion is the version of the runtime that Apply requires in go.mod.
const RuntimeVersion = "v0.1.0"

// Options says what to load and which rules to use.
type Options struct {
	// Dir is the directory to work in; file paths in results are relative to it.
	Dir string
	// Patterns are package patterns (default ./...) or .go files named explicitly.
	Patterns []string
	// Rules are the rules to patch with. Revert and the recognition of patched
	// sites use All.
	Rules *rules.Set
	// All is every rule known, the catalog and any user rules; nil means Rules.
	All *rules.Set
	// Tags are extra build tags.
	Tags []string
	// Tests includes _test.go files, of internal and external test packages.
	Tests bool
	// Runtime, when set, is a directory holding the runtime module; Apply adds a
	// replace directive pointing at it.
	Runtime string
	// NoMod leaves go.mod alone.
	NoMod bool
	// Progress, when set, receives one line per loading phase.
	Progress io.Writer
}

// Status says what gopatch does with a call site.
type Status string

// The statuses of a site.
const (
	Patchable   Status = "patchable"   // will be (or was) rewritten
	Ignored     Status = "ignored"     // a //gopatch:ignore directive opts it out
	Generated   Status = "generated"   // in a generated file not named explicitly
	Excluded    Status = "excluded"    // in a file the build constraints leave out
	Unsupported Status = "unsupported" // cannot be rewritten safely; left as it is
)

// Site is one blocking call site.
type Site struct {
	File        string `json:"file"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Category    string `json:"category"`
	Call        string `json:"call"`
	Replacement string `json:"replacement"`
	Status      Status `json:"status"`
	Reason      string `json:"reason,omitempty"`
}

// String formats the site the way `gopatch scan` prints it.
func (s Site) String() string {
	out := fmt.Sprintf("%s:%d:%d: %s %s -> %s", s.File, s.Line, s.Column, s.Category, s.Call, s.Replacement)
	if s.Status != Patchable {
		out += " [" + string(s.Status)
		if s.Reason != "" {
			out += ": " + s.Reason
		}
		out += "]"
	}
	return out
}

// Change is the new content of one file. Old is nil for a file to create and New
// is nil for a file to delete.
type Change struct {
	Path string // as given to the file system
	Name string // relative to Options.Dir, for display
	Old  []byte
	New  []byte
	Mode os.FileMode
}

// Result is what a run found and would change.
type Result struct {
	Sites    []Site
	Changes  []Change
	Warnings []string
	// ModNote describes the go.mod requirement the run adds or removes, if any.
	ModNote string
}

// Count returns the number of sites with the status.
func (r *Result) Count(s Status) int {
	n := 0
	for _, site := range r.Sites {
		if site.Status == s {
			n++
		}
	}
	return n
}

func (r *Result) sortSites() {
	sort.SliceStable(r.Sites, func(i, j int) bool {
		a, b := r.Sites[i], r.Sites[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

func (r *Result) warnf(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}
