package realmod

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// Categories are the default categories of gopatch's catalog; the pinned list
// must cover each of them.
var Categories = []string{"time", "net", "dns", "http", "tls", "os", "exec", "sync"}

// Module is one line of modules.txt:
//
//	module@version  categories  [ci] [large] [short] [skip=REGEXP] [timeout=DURATION]  [# comment]
//
// categories is a comma list of the categories the module exercises (the
// harness checks that the scan finds sites in each). ci puts the module in the
// CI subset; large means apply, build, revert and compare only (no vet, no
// tests); short runs its tests with -short; skip is passed to go test -skip
// (for tests that need the internet, named with the reason in a comment);
// timeout is go test's -timeout for one run of the module's tests (default 5m).
type Module struct {
	Path, Version string
	Categories    []string
	CI, Large     bool
	Short         bool
	Skip          string
	Timeout       time.Duration
	Line          int
}

func (m Module) String() string { return m.Path + "@" + m.Version }

// KnownFailure is one line of known-failures.txt:
//
//	module  test  why
//
// test is a test name as go test -json reports it (subtests with their
// slashes), matched in any package of the module, or one of the steps scan,
// apply, build, vet, revert.
type KnownFailure struct {
	Module, Test, Why string
	Line              int
}

func stripComment(line string) string {
	if i := strings.Index(line, "#"); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

// ParseModules reads modules.txt.
func ParseModules(data []byte) ([]Module, error) {
	var mods []Module
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := stripComment(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return nil, fmt.Errorf("modules.txt:%d: want module@version categories [flags]", n)
		}
		path, version, ok := strings.Cut(f[0], "@")
		if !ok || path == "" || !strings.HasPrefix(version, "v") {
			return nil, fmt.Errorf("modules.txt:%d: %q is not module@version", n, f[0])
		}
		if seen[path] {
			return nil, fmt.Errorf("modules.txt:%d: %s listed twice", n, path)
		}
		seen[path] = true
		m := Module{Path: path, Version: version, Timeout: 5 * time.Minute, Line: n}
		for _, c := range strings.Split(f[1], ",") {
			if !known(c) {
				return nil, fmt.Errorf("modules.txt:%d: unknown category %q", n, c)
			}
			m.Categories = append(m.Categories, c)
		}
		for _, flag := range f[2:] {
			k, v, _ := strings.Cut(flag, "=")
			switch k {
			case "ci":
				m.CI = true
			case "large":
				m.Large = true
			case "short":
				m.Short = true
			case "skip":
				if _, err := regexp.Compile(v); err != nil || v == "" {
					return nil, fmt.Errorf("modules.txt:%d: bad skip %q", n, v)
				}
				m.Skip = v
			case "timeout":
				d, err := time.ParseDuration(v)
				if err != nil || d <= 0 {
					return nil, fmt.Errorf("modules.txt:%d: bad timeout %q", n, v)
				}
				m.Timeout = d
			default:
				return nil, fmt.Errorf("modules.txt:%d: unknown flag %q", n, flag)
			}
		}
		if m.CI && m.Large {
			return nil, fmt.Errorf("modules.txt:%d: a large module cannot be in the CI subset", n)
		}
		mods = append(mods, m)
	}
	return mods, sc.Err()
}

func known(c string) bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// ParseKnownFailures reads known-failures.txt. Every entry needs a reason.
func ParseKnownFailures(data []byte) ([]KnownFailure, error) {
	var out []KnownFailure
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("known-failures.txt:%d: want module test why", n)
		}
		why := afterFields(line, 2)
		out = append(out, KnownFailure{Module: f[0], Test: f[1], Why: why, Line: n})
	}
	return out, sc.Err()
}

// afterFields is what follows the first n fields of line, trimmed.
func afterFields(line string, n int) string {
	for i := 0; i < n; i++ {
		line = strings.TrimLeft(line, " \t")
		if j := strings.IndexAny(line, " \t"); j >= 0 {
			line = line[j:]
		} else {
			return ""
		}
	}
	return strings.TrimSpace(line)
}

// ReadLists reads both lists from dir (testdata/realmod).
func ReadLists(dir string) ([]Module, []KnownFailure, error) {
	data, err := os.ReadFile(dir + "/modules.txt")
	if err != nil {
		return nil, nil, err
	}
	mods, err := ParseModules(data)
	if err != nil {
		return nil, nil, err
	}
	data, err = os.ReadFile(dir + "/known-failures.txt")
	if err != nil {
		return nil, nil, err
	}
	kf, err := ParseKnownFailures(data)
	if err != nil {
		return nil, nil, err
	}
	paths := map[string]bool{}
	for _, m := range mods {
		paths[m.Path] = true
	}
	for _, k := range kf {
		if !paths[k.Module] {
			return nil, nil, fmt.Errorf("known-failures.txt:%d: %s is not in modules.txt", k.Line, k.Module)
		}
	}
	return mods, kf, nil
}
