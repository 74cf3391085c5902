package gopatchrt

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
