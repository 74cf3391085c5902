package rules

import (
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const runtimePath = "gopatch.dev/gopatch/runtime"

// TestRuntimeShims checks that the runtime's Call has, for every rule, a method
// named after the rule's replacement with the target's signature (receiver first),
// and no exported method that no rule names.
//
// The runtime and the packages that the rules name are loaded together, from the
// runtime's module, so that types.Identical compares types of one universe: types
// loaded by separate calls of packages.Load are never identical.
func TestRuntimeShims(t *testing.T) {
	set := Builtin()
	readSources(t, "../runtime")
	cfg := &packages.Config{Dir: "../runtime", Mode: packages.NeedTypes | packages.NeedName}
	loaded, err := packages.Load(cfg, append([]string{runtimePath}, set.PkgPaths()...)...)
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]*types.Package{}
	for _, p := range loaded {
		for _, e := range p.Errors {
			t.Errorf("loading %s: %v", p.PkgPath, e)
		}
		pkgs[p.PkgPath] = p.Types
	}
	if t.Failed() {
		t.FailNow()
	}
	targets, err := set.Resolve(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	call, ok := pkgs[runtimePath].Scope().Lookup("Call").(*types.TypeName)
	if !ok {
		t.Fatalf("package %s has no type Call", runtimePath)
	}

	shims := map[string]*types.Func{}
	mset := types.NewMethodSet(call.Type())
	for i := 0; i < mset.Len(); i++ {
		if fn := mset.At(i).Obj().(*types.Func); fn.Exported() {
			shims[fn.Name()] = fn
		}
	}

	checked := 0
	for _, r := range set.Rules {
		if r.Construct != "" {
			// A generic function of the runtime, reached through a forwarder.
			if _, ok := pkgs[runtimePath].Scope().Lookup(r.Replacement).(*types.Func); !ok {
				t.Errorf("%s: %s: runtime has no function %s", r.Pos, r.Target, r.Replacement)
				continue
			}
			checked++
			continue
		}
		target := targets[r]
		shim := shims[r.Replacement]
		if shim == nil {
			t.Errorf("%s: %s: runtime Call has no method %s", r.Pos, r.Target, r.Replacement)
			continue
		}
		delete(shims, r.Replacement)
		if msg := compare(r, pkgs[r.PkgPath], target, shim); msg != "" {
			t.Errorf("%s: %s: Call.%s %s", r.Pos, r.Target, r.Replacement, msg)
			continue
		}
		checked++
	}
	delete(shims, "Site")
	var extra []string
	for name := range shims {
		extra = append(extra, name)
	}
	sort.Strings(extra)
	for _, name := range extra {
		t.Errorf("runtime Call.%s stands in for no rule: add one to rules/*.rules or remove it", name)
	}
	if checked != len(set.Rules) {
		t.Errorf("%d of %d shims match their targets", checked, len(set.Rules))
	}
}

// readSources reads the Go files of dir. go test caches a result by the files the
// test opens, and the runtime is another module, loaded by a subprocess: without
// this, a change to a shim would not invalidate a cached pass.
func readSources(t *testing.T, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") || e.Name() == "go.mod" {
			if _, err := os.ReadFile(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// compare returns what is wrong with shim as the stand-in for target, or "".
func compare(r *Rule, pkg *types.Package, target, shim *types.Func) string {
	want := target.Type().(*types.Signature)
	got := shim.Type().(*types.Signature)
	var params []types.Type
	if r.IsMethod() {
		// The receiver as the rule spells it: (*T) or (T).
		recv := pkg.Scope().Lookup(r.Recv).Type()
		if r.Pointer {
			recv = types.NewPointer(recv)
		}
		params = append(params, recv)
	}
	params = append(params, tupleTypes(want.Params())...)
	results := tupleTypes(want.Results())
	mismatch := func(what string) string {
		return fmt.Sprintf("is func%s, want func%s: %s", sigString(tupleTypes(got.Params()), tupleTypes(got.Results()), got.Variadic()),
			sigString(params, results, want.Variadic()), what)
	}
	if got.Params().Len() != len(params) {
		return mismatch("parameter count differs")
	}
	for i, p := range params {
		if !types.Identical(got.Params().At(i).Type(), p) {
			return mismatch(fmt.Sprintf("parameter %d differs", i+1))
		}
	}
	if got.Results().Len() != len(results) {
		return mismatch("result count differs")
	}
	for i, res := range results {
		if !types.Identical(got.Results().At(i).Type(), res) {
			return mismatch(fmt.Sprintf("result %d differs", i+1))
		}
	}
	if got.Variadic() != want.Variadic() {
		return mismatch("variadic-ness differs")
	}
	return ""
}

func tupleTypes(t *types.Tuple) []types.Type {
	var out []types.Type
	for i := 0; i < t.Len(); i++ {
		out = append(out, t.At(i).Type())
	}
	return out
}

// sigString spells a signature's parameter and result types, with full import paths.
func sigString(params, results []types.Type, variadic bool) string {
	list := func(ts []types.Type, variadic bool) string {
		var parts []string
		for i, t := range ts {
			s := types.TypeString(t, nil)
			if variadic && i == len(ts)-1 {
				if sl, ok := t.(*types.Slice); ok {
					s = "..." + types.TypeString(sl.Elem(), nil)
				}
			}
			parts = append(parts, s)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return list(params, variadic) + " " + list(results, false)
}
