package gopatchrt

import "sync/atomic"

// The helpers below are the slow path shared by the shims: they run only while a hub
// is in force. Each takes the original operation as a function, which the compiler
// keeps on the stack since it does not escape.
//
// A hub's Token.Err replaces the error of an operation that can fail (run, run1,
// run2): the operation does not run, its results are zero and After sees Token.Err.
// Operations that cannot fail (value, always) run whatever Token.Err says, since
// skipping them would break their contract (an Unlock that does not unlock, a Once
// that does not run f); After sees a nil error. time.Sleep is the one exception: its
// shim skips the sleep.

// before is the common start of every slow path: it locates the site and asks the hub.
func (c Call) before(h Hub, op *Op) Token {
	c.site.locate()
	return h.Before(c.site, op)
}

// run runs f, an operation that returns only an error, between the hub's Before and
// After.
func run(c Call, h Hub, op *Op, f func() error) (err error) {
	t := c.before(h, op)
	if err = t.Err; err == nil {
		err = f()
	}
	h.After(c.site, op, t, err)
	return err
}

// run1 is run for an operation with one result besides the error.
func run1[R any](c Call, h Hub, op *Op, f func() (R, error)) (r R, err error) {
	t := c.before(h, op)
	if err = t.Err; err == nil {
		r, err = f()
	}
	h.After(c.site, op, t, err)
	return r, err
}

// run2 is run for an operation with two results besides the error.
func run2[R1, R2 any](c Call, h Hub, op *Op, f func() (R1, R2, error)) (r1 R1, r2 R2, err error) {
	t := c.before(h, op)
	if err = t.Err; err == nil {
		r1, r2, err = f()
	}
	h.After(c.site, op, t, err)
	return r1, r2, err
}

// value runs f, an operation that cannot fail, between Before and After, whatever
// the token says, and returns its result.
func value[R any](c Call, h Hub, op *Op, f func() R) R {
	t := c.before(h, op)
	r := f()
	h.After(c.site, op, t, nil)
	return r
}

// always is value for an operation without results.
func always(c Call, h Hub, op *Op, f func()) {
	t := c.before(h, op)
	f()
	h.After(c.site, op, t, nil)
}

// Every shim is one call to one of the fwd helpers below, named for the number of
// the original's parameters (the receiver first, for a method) and results. orig is
// the original (a function or a method expression); hub is the shim's slow path,
// which finds the hub itself, since a hub may have gone since the helper looked.
//
// The indirection keeps passthrough cheap. A shim that names both the original and
// its slow path holds two calls, which cost the inliner 57 each against a budget of
// 80, so it cannot be inlined and every patched call pays for a call to the shim on
// top of the original. A call to a function parameter costs the inliner 17, so the
// helpers, and the shims, which are one call to a helper, are inlined into the
// patched code. What passthrough leaves of a shim is then one atomic load, a test
// and the call to orig through its static closure, or orig itself, inlined, when
// it can be (as (*sync.Mutex).Lock can).
//
// The helpers' form is the cheapest found for the inliner: they load current.p
// themselves (active and the generic atomicPointer.Load cost more), assignments to
// named results cost less than two return statements, and passing the hub to hub
// would cost the larger shims their inlining. Even so, a shim of three parameters
// and three results (LookupSRV) or more (ResolverLookupSRV) is over the budget and
// stays a call; TestShimsInline checks that every other shim is inlinable.

func fwd01[R1 any](c Call, orig func() R1, hub func(Call) R1) (r1 R1) {
	if atomic.LoadPointer(&current.p) == nil {
		r1 = orig()
	} else {
		r1 = hub(c)
	}
	return
}

func fwd10[A1 any](c Call, a1 A1, orig func(A1), hub func(Call, A1)) {
	if atomic.LoadPointer(&current.p) == nil {
		orig(a1)
	} else {
		hub(c, a1)
	}
}

func fwd11[A1, R1 any](c Call, a1 A1, orig func(A1) R1, hub func(Call, A1) R1) (r1 R1) {
	if atomic.LoadPointer(&current.p) == nil {
		r1 = orig(a1)
	} else {
		r1 = hub(c, a1)
	}
	return
}

func fwd12[A1, R1, R2 any](c Call, a1 A1, orig func(A1) (R1, R2), hub func(Call, A1) (R1, R2)) (r1 R1, r2 R2) {
	if atomic.LoadPointer(&current.p) == nil {
		r1, r2 = orig(a1)
	} else {
		r1, r2 = hub(c, a1)
	}
	return
}

func fwd20[A1, A2 any](c Call, a1 A1, a2 A2, orig func(A1, A2), hub func(Call, A1, A2)) {
	if atomic.LoadPointer(&current.p) == nil {
		orig(a1, a2)
	} else {
		hub(c, a1, a2)
	}
}

func fwd21[A1, A2, R1 any](c Call, a1 A1, a2 A2, orig func(A1, A2) R1, hub func(Call, A1, A2) R1) (r1 R1) {
	if atomic.LoadPointer(&current.p) == nil {
		r1 = orig(a1, a2)
	} else {
		r1 = hub(c, a1, a2)
	}
	return
}

func fwd22[A1, A2, R1, R2 any](c Call, a1 A1, a2 A2, orig func(A1, A2) (R1, R2), hub func(Call, A1, A2) (R1, R2)) (r1 R1, r2 R2) {
	if atomic.LoadPointer(&current.p) == nil {
		r1, r2 = orig(a1, a2)
	} else {
		r1, r2 = hub(c, a1, a2)
	}
	return
}

func fwd23[A1, A2, R1, R2, R3 any](c Call, a1 A1, a2 A2, orig func(A1, A2) (R1, R2, R3), hub func(Call, A1, A2) (R1, R2, R3)) (r1 R1, r2 R2, r3 R3) {
	if atomic.LoadPointer(&current.p) == nil {
		r1, r2, r3 = orig(a1, a2)
	} else {
		r1, r2, r3 = hub(c, a1, a2)
	}
	return
}

func fwd31[A1, A2, A3, R1 any](c Call, a1 A1, a2 A2, a3 A3, orig func(A1, A2, A3) R1, hub func(Call, A1, A2, A3) R1) (r1 R1) {
	if atomic.LoadPointer(&current.p) == nil {
		r1 = orig(a1, a2, a3)
	} else {
		r1 = hub(c, a1, a2, a3)
	}
	return
}

func fwd32[A1, A2, A3, R1, R2 any](c Call, a1 A1, a2 A2, a3 A3, orig func(A1, A2, A3) (R1, R2), hub func(Call, A1, A2, A3) (R1, R2)) (r1 R1, r2 R2) {
	if atomic.LoadPointer(&current.p) == nil {
		r1, r2 = orig(a1, a2, a3)
	} else {
		r1, r2 = hub(c, a1, a2, a3)
	}
	return
}

func fwd33[A1, A2, A3, R1, R2, R3 any](c Call, a1 A1, a2 A2, a3 A3, orig func(A1, A2, A3) (R1, R2, R3), hub func(Call, A1, A2, A3) (R1, R2, R3)) (r1 R1, r2 R2, r3 R3) {
	if atomic.LoadPointer(&current.p) == nil {
		r1, r2, r3 = orig(a1, a2, a3)
	} else {
		r1, r2, r3 = hub(c, a1, a2, a3)
	}
	return
}

func fwd41[A1, A2, A3, A4, R1 any](c Call, a1 A1, a2 A2, a3 A3, a4 A4, orig func(A1, A2, A3, A4) R1, hub func(Call, A1, A2, A3, A4) R1) (r1 R1) {
	if atomic.LoadPointer(&current.p) == nil {
		r1 = orig(a1, a2, a3, a4)
	} else {
		r1 = hub(c, a1, a2, a3, a4)
	}
	return
}

func fwd42[A1, A2, A3, A4, R1, R2 any](c Call, a1 A1, a2 A2, a3 A3, a4 A4, orig func(A1, A2, A3, A4) (R1, R2), hub func(Call, A1, A2, A3, A4) (R1, R2)) (r1 R1, r2 R2) {
	if atomic.LoadPointer(&current.p) == nil {
		r1, r2 = orig(a1, a2, a3, a4)
	} else {
		r1, r2 = hub(c, a1, a2, a3, a4)
	}
	return
}

func fwd53[A1, A2, A3, A4, A5, R1, R2, R3 any](c Call, a1 A1, a2 A2, a3 A3, a4 A4, a5 A5, orig func(A1, A2, A3, A4, A5) (R1, R2, R3), hub func(Call, A1, A2, A3, A4, A5) (R1, R2, R3)) (r1 R1, r2 R2, r3 R3) {
	if atomic.LoadPointer(&current.p) == nil {
		r1, r2, r3 = orig(a1, a2, a3, a4, a5)
	} else {
		r1, r2, r3 = hub(c, a1, a2, a3, a4, a5)
	}
	return
}
