package gopatchrt

import "reflect"

// GoFunc stands in for a go statement. The rewriter turns `go f(x, y)` into
//
//	gopatch_go(gopatch.At(7), f)(x, y)
//
// where gopatch_go is a forwarder in the generated file. The function value f and
// the arguments are evaluated where the go statement stood, as Go evaluates them;
// the function GoFunc returns then starts f(x, y) in a new goroutine through Go,
// so that a scheduling hub owns it from its first instruction. Its results, if
// any, are zero: a go statement discards them.
//
// Starting a goroutine this way costs a reflective call (about a microsecond)
// even under passthrough, which is why the go category is off unless asked for.
func GoFunc[F any](c Call, f F) F {
	if g, ok := any(f).(func()); ok {
		var start func() = func() { Go(c, g) }
		return any(start).(F)
	}
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func {
		panic("gopatch: GoFunc of a non-function")
	}
	ft := fv.Type()
	return reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		if ft.IsVariadic() {
			Go(c, func() { fv.CallSlice(args) })
		} else {
			Go(c, func() { fv.Call(args) })
		}
		out := make([]reflect.Value, ft.NumOut())
		for i := range out {
			out[i] = reflect.Zero(ft.Out(i))
		}
		return out
	}).Interface().(F)
}

// Range stands in for ranging over a channel. The rewriter turns
// `for v := range ch` into `for v := range gopatch_range(gopatch.At(8), ch)`
// (which needs Go 1.23 in the patched module): each element is received by Recv2
// at the same site, so every iteration is a scheduling point.
func Range[T any](c Call, ch <-chan T) func(yield func(T) bool) {
	return func(yield func(T) bool) {
		for {
			v, ok := Recv2(c, ch)
			if !ok || !yield(v) {
				return
			}
		}
	}
}
