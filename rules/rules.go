// Package rules holds gopatch's catalog of blocking APIs and the parser for rule files.
//
// A rule file is plain text, one declaration a line; '#' starts a comment line.
//
//	category NAME DESCRIPTION
//	TARGET REPLACEMENT DESCRIPTION
//
// A category line opens a category; every rule after it belongs to it. TARGET names
// the blocking API the way go/types prints it, with the full import path: pkg.Func,
// (*pkg.Type).Method for a pointer receiver, (pkg.Type).Method for a value receiver
// or an interface. REPLACEMENT names what stands in for TARGET at a patched call
// site: a method of the runtime's Call type (the catalog's rules), or, for a user's
// rule, a function path.Func of the user's own. Either takes the original
// arguments, with the receiver first for methods, and returns what the original
// returns.
//
// The built-in catalog is embedded from this directory's *.rules files. Users add
// rules of their own with Parse (the CLI's --rules flag); Validate checks every
// target against the type-checked package it names.
package rules

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"go/token"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.rules
var catalog embed.FS

// Rule is one blocking API and the runtime call that replaces it.
type Rule struct {
	Category    string // e.g. "time"
	Target      string // canonical spelling, e.g. "(*sync.Mutex).Lock"
	PkgPath     string // import path of the package declaring the function or type
	Recv        string // receiver type name, "" for package functions
	Pointer     bool   // receiver is a pointer (*T)
	Name        string // function or method name
	Replacement string // method of the runtime's Call type, or path.Func for a user rule
	ReplPkg     string // for a user rule, the import path of the replacement function
	ReplName    string // for a user rule, the replacement function's name
	Doc         string // one-line description
	Pos         string // file:line where the rule was declared
	// Construct, when set, names a language construct instead of a function:
	// go, send, recv, recv2, close, range or select.
	Construct string
}

// IsMethod reports whether the rule targets a method rather than a package function.
func (r *Rule) IsMethod() bool { return r.Recv != "" }

// Category is a named group of rules, like one of gevent's patch_* switches.
type Category struct {
	Name string
	Doc  string
	Pos  string
	// Optional categories are left out unless named: they rewrite language
	// constructs that only a scheduling hub needs.
	Optional bool
}

// Constructs are the language constructs a construct rule may name.
var Constructs = map[string]string{
	"go":     "go statement",
	"send":   "chan send",
	"recv":   "chan receive",
	"recv2":  "chan receive with ok",
	"close":  "close",
	"range":  "range over channel",
	"select": "select",
}

// Set is an ordered collection of categories and rules.
type Set struct {
	Categories []Category
	Rules      []*Rule
}

// Builtin returns the embedded catalog. It panics if the catalog does not parse,
// which the package's tests rule out.
func Builtin() *Set {
	names, err := fs.Glob(catalog, "*.rules")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	set := &Set{}
	for _, name := range names {
		data, err := catalog.ReadFile(name)
		if err != nil {
			panic(err)
		}
		if err := set.parse("rules/"+name, data); err != nil {
			panic(err)
		}
	}
	return set
}

// Parse reads a rule file and adds its categories and rules to s. A rule may name a
// category declared earlier in s. Errors carry file:line.
func (s *Set) Parse(filename string, data []byte) error {
	return s.parse(filename, data)
}

func (s *Set) parse(filename string, data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	current := ""
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		pos := fmt.Sprintf("%s:%d", filename, line)
		fields := strings.Fields(text)
		if fields[0] == "category" {
			if len(fields) < 2 {
				return fmt.Errorf("%s: category needs a name", pos)
			}
			name := fields[1]
			if !isIdent(name) {
				return fmt.Errorf("%s: category name %q is not a lower-case word", pos, name)
			}
			doc, optional := fields[2:], false
			if len(doc) > 0 && doc[0] == "optional" {
				doc, optional = doc[1:], true
			}
			if s.Category(name) == nil {
				s.Categories = append(s.Categories, Category{Name: name, Doc: strings.Join(doc, " "), Pos: pos, Optional: optional})
			}
			current = name
			continue
		}
		if current == "" {
			return fmt.Errorf("%s: rule before any category line", pos)
		}
		if fields[0] == "construct" {
			if len(fields) < 3 || Constructs[fields[1]] == "" || !isExported(fields[2]) {
				return fmt.Errorf("%s: want construct KIND REPLACEMENT DESCRIPTION, KIND one of go, send, recv, recv2, close, range, select", pos)
			}
			r := &Rule{Category: current, Construct: fields[1], Target: Constructs[fields[1]],
				Replacement: fields[2], Doc: strings.Join(fields[3:], " "), Pos: pos}
			if prev := s.Rule(r.Target); prev != nil {
				return fmt.Errorf("%s: %s is already declared at %s", pos, r.Target, prev.Pos)
			}
			s.Rules = append(s.Rules, r)
			continue
		}
		if len(fields) < 2 {
			return fmt.Errorf("%s: rule needs a target and a replacement: %q", pos, text)
		}
		r, err := ParseTarget(fields[0])
		if err != nil {
			return fmt.Errorf("%s: %v", pos, err)
		}
		repl := fields[1]
		if dot := strings.LastIndex(repl, "."); dot > 0 {
			// A function of the user's own: path.Func, taking the target's
			// arguments (receiver first) and returning its results.
			r.ReplPkg, r.ReplName = repl[:dot], repl[dot+1:]
			if !isExported(r.ReplName) {
				return fmt.Errorf("%s: replacement %q: %q is not an exported name", pos, repl, r.ReplName)
			}
		} else if !isExported(repl) {
			return fmt.Errorf("%s: replacement %q is not an exported Go identifier", pos, repl)
		}
		r.Category = current
		r.Replacement = repl
		r.Doc = strings.Join(fields[2:], " ")
		r.Pos = pos
		if prev := s.Rule(r.Target); prev != nil {
			return fmt.Errorf("%s: %s is already declared at %s", pos, r.Target, prev.Pos)
		}
		s.Rules = append(s.Rules, r)
	}
	return sc.Err()
}

// ParseTarget parses a canonical target spelling into a Rule with PkgPath, Recv,
// Pointer, Name and Target set.
func ParseTarget(target string) (*Rule, error) {
	r := &Rule{Target: target}
	rest := target
	if strings.HasPrefix(rest, "(") {
		end := strings.Index(rest, ").")
		if end < 0 {
			return nil, fmt.Errorf("target %q: want (*pkg.Type).Method or (pkg.Type).Method", target)
		}
		recv := rest[1:end]
		r.Name = rest[end+2:]
		if strings.HasPrefix(recv, "*") {
			r.Pointer = true
			recv = recv[1:]
		}
		dot := strings.LastIndex(recv, ".")
		if dot <= 0 {
			return nil, fmt.Errorf("target %q: receiver needs a package path", target)
		}
		r.PkgPath, r.Recv = recv[:dot], recv[dot+1:]
		if !isExported(r.Recv) {
			return nil, fmt.Errorf("target %q: receiver type %q is not exported", target, r.Recv)
		}
	} else {
		dot := strings.LastIndex(rest, ".")
		if dot <= 0 || strings.Contains(rest[dot:], "/") {
			return nil, fmt.Errorf("target %q: want pkg.Func, (*pkg.Type).Method or (pkg.Type).Method", target)
		}
		r.PkgPath, r.Name = rest[:dot], rest[dot+1:]
	}
	if !isExported(r.Name) {
		return nil, fmt.Errorf("target %q: %q is not an exported name", target, r.Name)
	}
	return r, nil
}

// Category returns the category named name, or nil.
func (s *Set) Category(name string) *Category {
	for i := range s.Categories {
		if s.Categories[i].Name == name {
			return &s.Categories[i]
		}
	}
	return nil
}

// Rule returns the rule for a canonical target, or nil.
func (s *Set) Rule(target string) *Rule {
	for _, r := range s.Rules {
		if r.Target == target {
			return r
		}
	}
	return nil
}

// Select returns the rules whose category is in only (when only is empty: every
// category that is not optional) and not in skip. Unknown category names are an
// error.
func (s *Set) Select(only, skip []string) (*Set, error) {
	for _, name := range append(append([]string{}, only...), skip...) {
		if s.Category(name) == nil {
			return nil, fmt.Errorf("unknown category %q (have %s)", name, strings.Join(s.CategoryNames(), ", "))
		}
	}
	in := func(list []string, name string) bool {
		for _, x := range list {
			if x == name {
				return true
			}
		}
		return false
	}
	out := &Set{}
	for _, c := range s.Categories {
		if (len(only) == 0 && !c.Optional || in(only, c.Name)) && !in(skip, c.Name) {
			out.Categories = append(out.Categories, c)
		}
	}
	for _, r := range s.Rules {
		if out.Category(r.Category) != nil {
			out.Rules = append(out.Rules, r)
		}
	}
	return out, nil
}

// CategoryNames lists the category names in order.
func (s *Set) CategoryNames() []string {
	var names []string
	for _, c := range s.Categories {
		names = append(names, c.Name)
	}
	return names
}

// PkgPaths lists, sorted and without repeats, the import paths the rules name,
// those of user rules' replacements included.
func (s *Set) PkgPaths() []string {
	seen := map[string]bool{}
	var paths []string
	for _, r := range s.Rules {
		for _, path := range []string{r.PkgPath, r.ReplPkg} { // constructs have neither
			if path != "" && !seen[path] {
				seen[path] = true
				paths = append(paths, path)
			}
		}
	}
	sort.Strings(paths)
	return paths
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isExported(s string) bool { return token.IsExported(s) && token.IsIdentifier(s) }

// Profiles name sets of categories for --profile.
var Profiles = map[string]string{
	"default": "every category that is not optional",
	"sim":     "every category, go and chan included: what the sim hub needs",
}

// Profile returns the categories a profile selects.
func (s *Set) Profile(name string) ([]string, error) {
	switch name {
	case "", "default":
		return nil, nil
	case "sim":
		return s.CategoryNames(), nil
	}
	return nil, fmt.Errorf("unknown profile %q (have default, sim)", name)
}
