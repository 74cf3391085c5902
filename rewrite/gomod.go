package rewrite

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// modMarker ends every go.mod line that Apply adds, so that Revert removes exactly
// those lines.
const modMarker = "// added by gopatch"

// requireRuntime adds the runtime requirement (and, with Options.Runtime, a replace
// directive) to go.mod, as lines appended at its end.
func (p *program) requireRuntime(res *Result) error {
	path := filepath.Join(p.modRoot, "go.mod")
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	mf, err := modfile.Parse(path, src, nil)
	if err != nil {
		return err
	}
	var add []string
	required := false
	for _, r := range mf.Require {
		if r.Mod.Path == RuntimePath {
			required = true
		}
	}
	if !required {
		add = append(add, fmt.Sprintf("require %s %s %s", RuntimePath, RuntimeVersion, modMarker))
	}
	if p.opts.Runtime != "" {
		replaced := false
		for _, r := range mf.Replace {
			if r.Old.Path == RuntimePath {
				replaced = true
			}
		}
		if !replaced {
			dir, err := p.runtimeDir()
			if err != nil {
				return err
			}
			add = append(add, fmt.Sprintf("replace %s => %s %s", RuntimePath, dir, modMarker))
		}
	}
	if len(add) == 0 {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	out := append([]byte{}, src...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		return fmt.Errorf("%s: does not end with a newline; gopatch appends to it and would not revert it exactly", p.rel(path))
	}
	out = append(out, '\n')
	for _, line := range add {
		out = append(out, line...)
		out = append(out, '\n')
	}
	res.Changes = append(res.Changes, Change{Path: path, Name: p.rel(path), Old: src, New: out, Mode: fi.Mode().Perm()})
	res.ModNote = "go.mod: " + strings.Join(strings.Fields(strings.Join(add, "; ")), " ")
	if p.opts.Runtime == "" && !required {
		res.ModNote += fmt.Sprintf(" (the runtime is not published: run apply with --runtime DIR to point at a checkout, or add a replace for %s)", RuntimePath)
	}
	return nil
}

// runtimeDir returns the replace target for Options.Runtime, relative to the
// module root when it can be.
func (p *program) runtimeDir() (string, error) {
	abs, err := filepath.Abs(p.opts.Runtime)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(abs, "go.mod")); err != nil {
		return "", fmt.Errorf("--runtime %s: no go.mod there; want the directory of the gopatch runtime module", p.opts.Runtime)
	}
	rel, err := filepath.Rel(p.modRoot, abs)
	if err != nil {
		return abs, nil
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel, nil
}

// unrequireRuntime removes the lines Apply added to go.mod, once no generated
// file of gopatch remains in the module (counting those the run deletes as gone).
func (p *program) unrequireRuntime(res *Result, deleted map[string]bool) error {
	remaining := false
	err := filepath.WalkDir(p.modRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != p.modRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if path != p.modRoot {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if isHelper(path) && !deleted[path] {
			if src, err := readFile(path); err == nil && bytes.HasPrefix(src, []byte(helperHeader)) {
				remaining = true
			}
		}
		return nil
	})
	if err != nil || remaining {
		return err
	}
	path := filepath.Join(p.modRoot, "go.mod")
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, removed := removeMarked(src)
	if removed == 0 {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	res.Changes = append(res.Changes, Change{Path: path, Name: p.rel(path), Old: src, New: out, Mode: fi.Mode().Perm()})
	res.ModNote = fmt.Sprintf("go.mod: removed the %d line(s) gopatch had added", removed)
	return nil
}

// removeMarked drops the lines ending in modMarker, and the empty line Apply put
// before the first of them.
func removeMarked(src []byte) ([]byte, int) {
	ls := lines(src)
	var out [][]byte
	removed := 0
	for i, l := range ls {
		if bytes.HasSuffix(bytes.TrimRight(l, "\r\n"), []byte(modMarker)) {
			if removed == 0 && len(out) > 0 && len(bytes.TrimSpace(out[len(out)-1])) == 0 && i > 0 {
				out = out[:len(out)-1]
			}
			removed++
			continue
		}
		out = append(out, l)
	}
	return bytes.Join(out, nil), removed
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
