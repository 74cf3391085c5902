package gopatchrt

import (
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Package is the runtime's record of one patched package. gopatch declares one in a
// generated file of each package it patches:
//
//	var gopatch = gopatchrt.NewPackage("example.com/app/server", 12, "net,sync,time")
type Package struct {
	Path       string   // import path of the patched package
	Categories []string // rule categories patched in it
	sites      []Site
}

// Site is one patched call site. Its position is found the first time a hub asks
// for it, so a site costs nothing under passthrough.
type Site struct {
	Pkg   *Package
	Index int // the number gopatch gave the site within its package

	once sync.Once
	file string
	line int
	fn   string
	pc   uintptr

	stats atomicPointer[siteStats] // the observe hub's record of the site (observe.go)
}

var (
	packagesMu sync.Mutex
	packages   []*Package
)

// NewPackage registers a patched package with sites call sites numbered from 0 and
// the comma-separated rule categories patched in it. It is called from the
// initialization of generated code.
func NewPackage(path string, sites int, categories string) *Package {
	p := &Package{Path: path, sites: make([]Site, sites)}
	if categories != "" {
		p.Categories = strings.Split(categories, ",")
	}
	for i := range p.sites {
		p.sites[i] = Site{Pkg: p, Index: i}
	}
	packagesMu.Lock()
	packages = append(packages, p)
	packagesMu.Unlock()
	start()
	return p
}

// overflow serves a site number beyond the generated count (a stale generated file);
// it keeps the program running, with the site's position still found at run time.
var overflow = &Package{Path: "gopatch.overflow"}

// At returns the patched call at site number i of the package.
func (p *Package) At(i int) Call {
	if uint(i) < uint(len(p.sites)) {
		return Call{site: &p.sites[i]}
	}
	return Call{site: &Site{Pkg: overflow, Index: i}}
}

// Sites returns the package's call sites.
func (p *Package) Sites() []*Site {
	out := make([]*Site, len(p.sites))
	for i := range p.sites {
		out[i] = &p.sites[i]
	}
	return out
}

// Packages returns the patched packages registered so far, in registration order.
func Packages() []*Package {
	packagesMu.Lock()
	defer packagesMu.Unlock()
	return append([]*Package(nil), packages...)
}

// Patched reports whether any package of the program has patched calls of the
// category, such as "time" or "sync".
func Patched(category string) bool {
	for _, p := range Packages() {
		for _, c := range p.Categories {
			if c == category {
				return true
			}
		}
	}
	return false
}

// PatchedCategories lists, sorted, every category patched somewhere in the program.
func PatchedCategories() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range Packages() {
		for _, c := range p.Categories {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Position returns the file, line and function of the site. The shim records the
// caller's program counter the first time a hub sees the site; a site no hub has
// seen reports an empty position.
func (s *Site) Position() (file string, line int, function string) {
	return s.file, s.line, s.fn
}

// PC returns the program counter of the call, once a hub has seen the site.
func (s *Site) PC() uintptr { return s.pc }

// locate records, once, the position of the patched call: the first frame on the
// stack outside this package and outside the generated file, whose forwarders (of
// channel operations, go statements and selects) call the runtime for the patched
// code. Walking the frames rather than skipping a fixed count keeps it right
// whatever the compiler inlines.
func (s *Site) locate() {
	s.once.Do(func() {
		var pcs [16]uintptr
		n := runtime.Callers(2, pcs[:])
		frames := runtime.CallersFrames(pcs[:n])
		inSelf := false // the first frames are sync.Once's
		for {
			frame, more := frames.Next()
			if strings.HasPrefix(frame.Function, selfPrefix) {
				inSelf = true
			} else if inSelf && !generatedFile(frame.File) {
				s.pc, s.file, s.line, s.fn = frame.PC, frame.File, frame.Line, frame.Function
				return
			}
			if !more {
				return
			}
		}
	})
}

// generatedFile reports whether a frame's file is gopatch's generated file.
func generatedFile(file string) bool {
	return strings.HasSuffix(file, "/gopatch_gen.go") || strings.HasSuffix(file, "/gopatch_gen_test.go")
}

// selfPrefix begins the name of every function of this package.
const selfPrefix = "gopatch.dev/gopatch/runtime."

// Call is a patched call site. Its methods stand in for the blocking calls gopatch
// patches; each has the same parameters as the original, with the receiver first
// for methods, and the same results.
type Call struct {
	site *Site
}

// Site returns the call's site.
func (c Call) Site() *Site { return c.site }
