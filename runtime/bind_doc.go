package gopatchrt

//go:generate go run ./internal/bindgen

// A method value of a patched method, f := mu.Lock, becomes a binder call that
// evaluates the receiver where the method value did and returns the shim bound
// to it:
//
//	f := mu.Lock                  f := gopatch_bind0_0(gopatch.At(1).MutexLock)(&mu)
//	g := conn.Read                g := gopatch_bind1_2(gopatch.At(2).ConnRead)(conn)
//
// gopatch_bindN_M is a forwarder in the generated file that calls BindN_M (the
// generated file bind.go has one per shape, N parameters and M results). It is
// curried so that the types come from the shim alone and the receiver need only
// be assignable to the shim's first parameter, as a user's interface that embeds
// net.Conn is. The rewriter emits binders only when the module's go.mod allows
// generics.

// checkBound does what evaluating a method value does to its receiver: a nil
// interface panics there, not when the method value is called.
func checkBound[R any](r R) {
	if any(r) == nil {
		panicNilMethodValue()
	}
}

// nilIface is a nil interface whose method value panics the way the original one
// would have.
var nilIface interface{ gopatchNil() }

func panicNilMethodValue() {
	f := nilIface.gopatchNil
	f() // not reached: the method value panics
}
