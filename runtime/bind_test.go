package gopatchrt

import (
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
)

// readCloser embeds an interface, as a user's type may: its method value binds
// to a shim that takes the embedded interface.
type readCloser interface {
	io.Reader
	Close() error
}

func TestBindEvaluatesReceiverOnce(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	lock := func(m *sync.Mutex) { calls++; m.Lock() }
	recv := func() *sync.Mutex { calls += 10; return &mu }
	f := Bind0_0(lock)(recv())
	if calls != 10 {
		t.Fatalf("after binding: calls = %d, want 10 (receiver evaluated, shim not called)", calls)
	}
	f()
	if mu.TryLock() {
		t.Fatal("the bound shim did not lock the mutex")
	}
	if calls != 11 {
		t.Fatalf("after the call: calls = %d, want 11", calls)
	}
}

func TestBindPassesArgumentsAndResults(t *testing.T) {
	var got []any
	shim := func(r *int, a string, b int, c bool, d float64) (int, string, error) {
		got = append(got, *r, a, b, c, d)
		return *r + b, a + "!", io.EOF
	}
	r := 40
	f := Bind4_3(shim)(&r)
	r = 41 // a pointer receiver is bound, not copied
	n, s, err := f("x", 1, true, 2.5)
	if n != 42 || s != "x!" || err != io.EOF {
		t.Fatalf("f() = %d, %q, %v; want 42, \"x!\", EOF", n, s, err)
	}
	if len(got) != 5 || got[0] != 41 || got[1] != "x" || got[2] != 1 || got[3] != true || got[4] != 2.5 {
		t.Fatalf("shim got %v", got)
	}
}

func TestBindNilInterfacePanicsAtBinding(t *testing.T) {
	shim := func(c net.Conn, b []byte) (int, error) { return c.Read(b) }
	var c net.Conn
	err := catch(func() { Bind1_2(shim)(c) })
	if err == nil {
		t.Fatal("binding a nil interface did not panic")
	}
	var want any
	func() {
		defer func() { want = recover() }()
		_ = c.Read // what the original method value does
	}()
	if err.Error() != want.(runtime.Error).Error() {
		t.Fatalf("panic %q, want the original's %q", err, want)
	}
}

func TestBindNilPointerDoesNotPanic(t *testing.T) {
	// A method value of a pointer method on a nil pointer is no error until called.
	var mu *sync.Mutex
	if err := catch(func() { Bind0_0(func(*sync.Mutex) {})(mu) }); err != nil {
		t.Fatalf("binding a nil pointer panicked: %v", err)
	}
}

func TestBindEmbeddingInterface(t *testing.T) {
	// The shim takes io.Reader; the receiver is an interface that embeds it.
	shim := func(r io.Reader, b []byte) (int, error) { return r.Read(b) }
	var rc readCloser = fakeRC{}
	f := Bind1_2(shim)(rc) // as the rewriter emits it: no conversion
	if n, err := f(make([]byte, 3)); n != 3 || err != nil {
		t.Fatalf("f() = %d, %v", n, err)
	}
}

type fakeRC struct{}

func (fakeRC) Read(b []byte) (int, error) { return len(b), nil }
func (fakeRC) Close() error               { return nil }

func catch(f func()) (err runtime.Error) {
	defer func() {
		if r := recover(); r != nil {
			err = r.(runtime.Error)
		}
	}()
	f()
	return nil
}

func TestBindAllocsOnlyTheClosure(t *testing.T) {
	var mu sync.Mutex
	shim := func(m *sync.Mutex) {}
	n := testing.AllocsPerRun(100, func() { Bind0_0(shim)(&mu)() })
	if n > 2 {
		t.Fatalf("binding allocates %v times, want at most the closures", n)
	}
}
