package rules

import (
	"fmt"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Lookup returns the function or method that r names in pkg, which must be the
// type-checked package at r.PkgPath. A promoted method is returned as the method
// it is promoted from, which is what go/types reports as the callee at a call site.
func (r *Rule) Lookup(pkg *types.Package) (*types.Func, error) {
	if r.Recv == "" {
		obj, ok := pkg.Scope().Lookup(r.Name).(*types.Func)
		if !ok {
			return nil, fmt.Errorf("%s: %s: package %s has no function %s", r.Pos, r.Target, r.PkgPath, r.Name)
		}
		return obj, nil
	}
	tn, ok := pkg.Scope().Lookup(r.Recv).(*types.TypeName)
	if !ok {
		return nil, fmt.Errorf("%s: %s: package %s has no type %s", r.Pos, r.Target, r.PkgPath, r.Recv)
	}
	t := tn.Type()
	if types.IsInterface(t) && r.Pointer {
		return nil, fmt.Errorf("%s: %s: %s is an interface; write (%s.%s).%s", r.Pos, r.Target, r.Recv, r.PkgPath, r.Recv, r.Name)
	}
	if r.Pointer {
		t = types.NewPointer(t)
	}
	obj, _, _ := types.LookupFieldOrMethod(t, false, pkg, r.Name)
	fn, ok := obj.(*types.Func)
	if !ok {
		if m, _, _ := types.LookupFieldOrMethod(types.NewPointer(tn.Type()), false, pkg, r.Name); m != nil && !r.Pointer {
			return nil, fmt.Errorf("%s: %s: %s has a pointer receiver; write (*%s.%s).%s", r.Pos, r.Target, r.Name, r.PkgPath, r.Recv, r.Name)
		}
		return nil, fmt.Errorf("%s: %s: type %s.%s has no method %s", r.Pos, r.Target, r.PkgPath, r.Recv, r.Name)
	}
	return fn, nil
}

// Resolve looks up every rule of s in pkgs, keyed by import path, and returns the
// objects the rules name. Every error found is reported, one per line.
func (s *Set) Resolve(pkgs map[string]*types.Package) (map[*Rule]*types.Func, error) {
	out := make(map[*Rule]*types.Func, len(s.Rules))
	var errs []string
	for _, r := range s.Rules {
		if r.Construct != "" {
			continue
		}
		pkg := pkgs[r.PkgPath]
		if pkg == nil {
			errs = append(errs, fmt.Sprintf("%s: %s: package %s could not be loaded", r.Pos, r.Target, r.PkgPath))
			continue
		}
		fn, err := r.Lookup(pkg)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if r.ReplPkg != "" {
			if err := r.checkReplacement(fn, pkg, pkgs[r.ReplPkg]); err != nil {
				errs = append(errs, err.Error())
				continue
			}
		}
		out[r] = fn
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

// Validate type-checks the packages that the rules of s name, from dir with the
// given build flags, and checks that every target exists there.
func (s *Set) Validate(dir string, buildFlags []string) (map[*Rule]*types.Func, error) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes, Dir: dir, BuildFlags: buildFlags}
	loaded, err := packages.Load(cfg, s.PkgPaths()...)
	if err != nil {
		return nil, fmt.Errorf("loading the packages that rules name: %v", err)
	}
	pkgs := map[string]*types.Package{}
	for _, p := range loaded {
		if len(p.Errors) == 0 && p.Types != nil {
			pkgs[p.PkgPath] = p.Types
		}
	}
	return s.Resolve(pkgs)
}

// checkReplacement checks that a user rule's replacement function exists and takes
// the target's arguments, receiver first, and returns its results.
func (r *Rule) checkReplacement(target *types.Func, targetPkg, pkg *types.Package) error {
	if pkg == nil {
		return fmt.Errorf("%s: replacement %s: package %s could not be loaded", r.Pos, r.Replacement, r.ReplPkg)
	}
	fn, ok := pkg.Scope().Lookup(r.ReplName).(*types.Func)
	if !ok {
		return fmt.Errorf("%s: replacement %s: package %s has no function %s", r.Pos, r.Replacement, r.ReplPkg, r.ReplName)
	}
	want := target.Type().(*types.Signature)
	var params []*types.Var
	if r.Recv != "" {
		recv := targetPkg.Scope().Lookup(r.Recv).Type()
		if r.Pointer {
			recv = types.NewPointer(recv)
		}
		params = append(params, types.NewVar(0, nil, "", recv))
	}
	for i := 0; i < want.Params().Len(); i++ {
		params = append(params, want.Params().At(i))
	}
	got := fn.Type().(*types.Signature)
	expect := types.NewSignatureType(nil, nil, nil, types.NewTuple(params...), want.Results(), want.Variadic())
	if got.TypeParams() != nil || !types.Identical(types.NewSignatureType(nil, nil, nil, got.Params(), got.Results(), got.Variadic()), expect) {
		return fmt.Errorf("%s: replacement %s has type %s; want %s (the target's parameters, receiver first, and results)", r.Pos, r.Replacement, got, expect)
	}
	return nil
}
