package realmod

import (
	"path/filepath"
	"testing"
)

// TestLists checks the pinned list and the known failures on every go test
// ./..., without the network: the format, at least eight modules, every
// default category covered, a CI subset of two or three modules and a large
// module outside it.
func TestLists(t *testing.T) {
	mods, kfs, err := ReadLists(filepath.Join("..", "testdata", "realmod"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	ci, large, small := 0, 0, 0
	for _, m := range mods {
		for _, c := range m.Categories {
			covered[c] = true
		}
		if m.CI {
			ci++
		}
		if m.Large {
			large++
		} else {
			small++
		}
	}
	if small < 8 {
		t.Errorf("%d modules with tests, want at least 8", small)
	}
	for _, c := range Categories {
		if !covered[c] {
			t.Errorf("no module covers category %s", c)
		}
	}
	if ci < 2 || ci > 3 {
		t.Errorf("%d modules in the CI subset, want 2 or 3", ci)
	}
	if large == 0 {
		t.Error("no large module")
	}
	for _, k := range kfs {
		if k.Why == "" {
			t.Errorf("known-failures.txt:%d: no reason", k.Line)
		}
	}
}

func TestParse(t *testing.T) {
	mods, err := ParseModules([]byte("# c\nexample.com/a@v1.0.0 time,net ci short skip=^TestNet$ timeout=2m # why\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 1 || mods[0].Path != "example.com/a" || !mods[0].CI || !mods[0].Short || mods[0].Skip != "^TestNet$" || mods[0].Timeout.Minutes() != 2 || len(mods[0].Categories) != 2 {
		t.Errorf("got %+v", mods)
	}
	for _, bad := range []string{"example.com/a time", "example.com/a@v1 nosuch", "example.com/a@v1 time bogus", "example.com/a@v1 time ci large"} {
		if _, err := ParseModules([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	kfs, err := ParseKnownFailures([]byte("example.com/a  TestX/sub   the shim  reorders\n"))
	if err != nil || len(kfs) != 1 || kfs[0].Test != "TestX/sub" || kfs[0].Why != "the shim  reorders" {
		t.Errorf("got %+v, %v", kfs, err)
	}
	if _, err := ParseKnownFailures([]byte("example.com/a TestX\n")); err == nil {
		t.Error("an entry without a reason parsed")
	}
}
