package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinValidates(t *testing.T) {
	set := Builtin()
	if len(set.Rules) < 100 {
		t.Fatalf("catalog has %d rules, want at least 100", len(set.Rules))
	}
	objs, err := set.Validate(".", nil)
	if err != nil {
		t.Fatal(err)
	}
	constructs := 0
	for _, r := range set.Rules {
		if r.Construct != "" {
			constructs++
		}
	}
	if len(objs)+constructs != len(set.Rules) {
		t.Fatalf("resolved %d of %d rules", len(objs), len(set.Rules))
	}
	seen := map[string]string{}
	for _, r := range set.Rules {
		if prev, ok := seen[r.Replacement]; ok {
			t.Errorf("%s: replacement %s already used by %s", r.Pos, r.Replacement, prev)
		}
		seen[r.Replacement] = r.Target
		if r.Doc == "" {
			t.Errorf("%s: %s has no description", r.Pos, r.Target)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"time.Sleep Sleep x", "my.rules:1: rule before any category line"},
		{"category time\n\ntime.Sleep", "my.rules:3: rule needs a target and a replacement"},
		{"category Time", "my.rules:1: category name \"Time\" is not a lower-case word"},
		{"category x\n(*sync.Mutex.Lock L d", "my.rules:2: target \"(*sync.Mutex.Lock\""},
		{"category x\nsync.lock L d", "my.rules:2: target \"sync.lock\": \"lock\" is not an exported name"},
		{"category x\ntime.Sleep sleep d", "my.rules:2: replacement \"sleep\" is not an exported Go identifier"},
		{"category x\ntime.Sleep A d\ntime.Sleep B d", "my.rules:3: time.Sleep is already declared at my.rules:2"},
	} {
		err := (&Set{}).Parse("my.rules", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tc.src, err, tc.want)
		}
	}
}

func TestValidateRejectsMissingSymbols(t *testing.T) {
	set := &Set{}
	src := "category mine\n" +
		"time.Sleep Sleep ok\n" +
		"time.Slep Slep misspelt\n" +
		"(*sync.Mutex).Lok Lok misspelt\n" +
		"(sync.Mutex).Lock Lock2 pointer receiver\n" +
		"(*net.Conn).Read R interface\n" +
		"example.invalid/nope.F F no such package\n"
	if err := set.Parse("user.rules", []byte(src)); err != nil {
		t.Fatal(err)
	}
	_, err := set.Validate(".", nil)
	if err == nil {
		t.Fatal("Validate accepted rules naming missing symbols")
	}
	for _, want := range []string{
		"user.rules:3: time.Slep: package time has no function Slep",
		"user.rules:4: (*sync.Mutex).Lok: type sync.Mutex has no method Lok",
		"user.rules:5: (sync.Mutex).Lock: Lock has a pointer receiver",
		"user.rules:6: (*net.Conn).Read: Conn is an interface",
		"user.rules:7: example.invalid/nope.F: package example.invalid/nope could not be loaded",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "user.rules:2:") {
		t.Errorf("valid rule reported: %v", err)
	}
}

func TestSelect(t *testing.T) {
	set := Builtin()
	sub, err := set.Select([]string{"time", "sync"}, []string{"sync"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sub.Rules {
		if r.Category != "time" {
			t.Errorf("selected %s from category %s", r.Target, r.Category)
		}
	}
	if _, err := set.Select([]string{"thread"}, nil); err == nil || !strings.Contains(err.Error(), `unknown category "thread"`) {
		t.Errorf("Select(thread) = %v", err)
	}
}

// TestValidateUserReplacement checks a user rule's replacement: it must exist and
// take the target's arguments, receiver first, and return its results.
func TestValidateUserReplacement(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":         "module example.com/u\n\ngo 1.22\n",
		"db/db.go":       "package db\n\ntype Client struct{}\n\nfunc (c *Client) Query(q string) (string, error) { return q, nil }\n",
		"patch/patch.go": "package patch\n\nimport \"example.com/u/db\"\n\nfunc Query(c *db.Client, q string) (string, error) { return c.Query(q) }\n\nfunc Wrong(q string) (string, error) { return q, nil }\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := &Set{}
	if err := good.Parse("good.rules", []byte("category db\n(*example.com/u/db.Client).Query example.com/u/patch.Query q\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := good.Validate(dir, nil); err != nil {
		t.Errorf("valid user rule rejected: %v", err)
	}
	bad := &Set{}
	src := "category db\n" +
		"(*example.com/u/db.Client).Query example.com/u/patch.Wrong q\n" +
		"(*example.com/u/db.Client).Query2 example.com/u/patch.Query q\n" +
		"example.com/u/db.Nope example.com/u/patch.Missing q\n"
	if err := bad.Parse("bad.rules", []byte(src)); err != nil {
		t.Fatal(err)
	}
	_, err := bad.Validate(dir, nil)
	for _, want := range []string{
		"bad.rules:2: replacement example.com/u/patch.Wrong has type func(q string) (string, error); want func(*example.com/u/db.Client, q string) (string, error)",
		"bad.rules:3: (*example.com/u/db.Client).Query2: type example.com/u/db.Client has no method Query2",
		"bad.rules:4: example.com/u/db.Nope: package example.com/u/db has no function Nope",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q:\n%v", want, err)
		}
	}
}
