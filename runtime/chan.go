package gopatchrt

import (
	"reflect"
	"unsafe"
)

// The channel API: what the rewriter emits for the `chan` category. Methods cannot
// have type parameters, so these are package-level functions taking the Call:
//
//	ch <- v                      gopatchrt.Send(gopatch.At(1), ch, v)
//	v := <-ch                    v := gopatchrt.Recv(gopatch.At(2), ch)
//	v, ok := <-ch                v, ok := gopatchrt.Recv2(gopatch.At(3), ch)
//	close(ch)                    gopatchrt.Close(gopatch.At(4), ch)
//	for v := range ch {          for v, ok := gopatchrt.Recv2(gopatch.At(5), ch); ok; v, ok = gopatchrt.Recv2(gopatch.At(5), ch) {
//	select { ... }               see Select, and SelectRecv (chan_select.go) for the rewrite
//
// Under passthrough each is the bare operation after one atomic load; under a hub
// that schedules channels (the sim) it is a scheduling point; under any other hub
// the operation runs between Before and After, as category "chan".

var (
	opSend   = &Op{"chan", "chan send"}
	opRecv   = &Op{"chan", "chan receive"}
	opClose  = &Op{"chan", "close"}
	opSelect = &Op{"chan", "select"}
)

// Send stands in for ch <- v.
func Send[T any](c Call, ch chan<- T, v T) {
	if h := active(); h != nil {
		send(c, h, ch, v)
		return
	}
	ch <- v
}

func send[T any](c Call, h Hub, ch chan<- T, v T) {
	if s, ok := h.(chanScheduler); ok {
		c.site.locate()
		cases := [1]chanCase{{key: keyOf(ch), send: true, unbuffered: cap(ch) == 0, tryProbe: true, data: true}}
		s.chanOp(c.site, cases[:], false, func() int {
			select {
			case ch <- v:
				return 0
			default:
				return -1
			}
		}, func(int) { ch <- v })
		return
	}
	always(c, h, opSend, func() { ch <- v })
}

// Recv stands in for <-ch.
func Recv[T any](c Call, ch <-chan T) T {
	if h := active(); h != nil {
		v, _ := recv(c, h, ch)
		return v
	}
	return <-ch
}

// Recv2 stands in for v, ok := <-ch.
func Recv2[T any](c Call, ch <-chan T) (T, bool) {
	if h := active(); h != nil {
		return recv(c, h, ch)
	}
	v, ok := <-ch
	return v, ok
}

func recv[T any](c Call, h Hub, ch <-chan T) (v T, ok bool) {
	if s, isSched := h.(chanScheduler); isSched {
		c.site.locate()
		cases := [1]chanCase{{key: keyOf(ch), unbuffered: cap(ch) == 0, tryProbe: true, data: unsafe.Sizeof(v) != 0}}
		try := func() int {
			select {
			case v, ok = <-ch:
				return 0
			default:
				return -1
			}
		}
		s.chanOp(c.site, cases[:], false, try, func(int) { v, ok = <-ch })
		return v, ok
	}
	always(c, h, opRecv, func() { v, ok = <-ch })
	return v, ok
}

// Close stands in for close(ch).
func Close[T any](c Call, ch chan<- T) {
	if h := active(); h != nil {
		if s, ok := h.(chanScheduler); ok {
			c.site.locate()
			s.chanClose(c.site, keyOf(ch), func() { close(ch) })
			return
		}
		always(c, h, opClose, func() { close(ch) })
		return
	}
	close(ch)
}

// SelectCase is one case of a Select, made by SendCase or RecvCase.
type SelectCase struct {
	rc    reflect.SelectCase
	key   unsafe.Pointer
	unbuf bool
}

// SendCase is the case `case ch <- v:` of a select.
func SendCase[T any](ch chan<- T, v T) SelectCase {
	return SelectCase{
		rc:    reflect.SelectCase{Dir: reflect.SelectSend, Chan: reflect.ValueOf(ch), Send: reflect.ValueOf(&v).Elem()},
		key:   keyOf(ch),
		unbuf: cap(ch) == 0,
	}
}

// RecvCase is the case `case <-ch:` (or `v := <-ch`, `v, ok := <-ch`) of a select.
func RecvCase[T any](ch <-chan T) SelectCase {
	return SelectCase{
		rc:    reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)},
		key:   keyOf(ch),
		unbuf: cap(ch) == 0,
	}
}

// Selected is the outcome of a Select: Index is the case chosen, -1 for default.
type Selected struct {
	Index int
	v     reflect.Value
	ok    bool
}

// Select stands in for a select statement: the cases in source order, hasDefault
// when it has a default clause. The rewriter turns
//
//	select {
//	case v := <-in:
//	case out <- x:
//	case v, ok := <-other:
//	default:
//	}
//
// into (line for line)
//
//	switch _s := gopatchrt.Select(gopatch.At(6), true, gopatchrt.RecvCase(in), gopatchrt.SendCase(out, x), gopatchrt.RecvCase(other)); _s.Index {
//	case 0: v := gopatchrt.Received(_s, in)
//	case 1:
//	case 2: v, ok := gopatchrt.Received2(_s, other)
//	default:
//	}
//
// The channel operand is passed to Received only for its type; it is evaluated a
// second time, so the rewriter should use it as is only when it is free of side
// effects (an identifier or a field), and otherwise hoist it.
func Select(c Call, hasDefault bool, cases ...SelectCase) Selected {
	if h := active(); h != nil {
		if s, ok := h.(chanScheduler); ok {
			c.site.locate()
			return simSelect(c, s, nil, hasDefault, cases)
		}
		var r Selected
		always(c, h, opSelect, func() { r = realSelect(hasDefault, cases) })
		return r
	}
	return realSelect(hasDefault, cases)
}

func realSelect(hasDefault bool, cases []SelectCase) Selected {
	rcs := make([]reflect.SelectCase, len(cases), len(cases)+1)
	for i := range cases {
		rcs[i] = cases[i].rc
	}
	if hasDefault {
		rcs = append(rcs, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	i, v, ok := reflect.Select(rcs)
	if hasDefault && i == len(cases) {
		return Selected{Index: -1}
	}
	return Selected{Index: i, v: v, ok: ok}
}

// simSelect runs a select under s; g, when not nil, is the calling goroutine's
// record in s, a *Sim.
func simSelect(c Call, s chanScheduler, g *simG, hasDefault bool, cases []SelectCase) Selected {
	ccs := make([]chanCase, len(cases))
	for i := range cases {
		ccs[i] = chanCase{key: cases[i].key, send: cases[i].rc.Dir == reflect.SelectSend, unbuffered: cases[i].unbuf}
		if !cases[i].rc.Chan.IsValid() || cases[i].rc.Chan.IsNil() {
			ccs[i].key = nil
		}
	}
	var r Selected
	for i := range cases {
		i := i // go 1.18: one i for the whole loop
		if rc := cases[i].rc; ccs[i].key != nil {
			ccs[i].data = rc.Dir != reflect.SelectRecv || rc.Chan.Type().Elem().Size() != 0
			ccs[i].probe = func() bool {
				one := [2]reflect.SelectCase{rc, {Dir: reflect.SelectDefault}}
				j, v, ok := reflect.Select(one[:])
				if j != 0 {
					return false
				}
				r = Selected{Index: i, v: v, ok: ok}
				return true
			}
		}
	}
	one := make([]reflect.SelectCase, 2)
	one[1] = reflect.SelectCase{Dir: reflect.SelectDefault}
	order := make([]int, len(cases))
	sim, _ := s.(*Sim)
	try := func() int {
		// Attempt the cases one by one in an order drawn from the sim's generator,
		// not reflect.Select's own random choice, so that a seed replays.
		for i := range order {
			order[i] = i
		}
		if sim != nil && len(order) > 1 {
			// chanOpAs attempts with sim.mu held.
			for i := len(order) - 1; i > 0; i-- {
				j := sim.rand(i + 1)
				order[i], order[j] = order[j], order[i]
			}
		}
		for _, i := range order {
			if ccs[i].key == nil {
				continue
			}
			one[0] = cases[i].rc
			if j, v, ok := reflect.Select(one); j == 0 {
				r = Selected{Index: i, v: v, ok: ok}
				return i
			}
		}
		return -1
	}
	real := func(i int) {
		_, v, ok := reflect.Select([]reflect.SelectCase{cases[i].rc})
		r = Selected{Index: i, v: v, ok: ok}
	}
	var k int
	if sim != nil && g != nil {
		k = sim.chanOpAs(g, c.site, ccs, hasDefault, try, real)
	} else {
		k = s.chanOp(c.site, ccs, hasDefault, try, real)
	}
	if k < 0 {
		return Selected{Index: -1}
	}
	return r
}

// Received is the value a receive case of s got; ch gives its type.
func Received[T any](s Selected, ch <-chan T) T {
	v, _ := Received2(s, ch)
	return v
}

// Received2 is the value and ok of a receive case of s.
func Received2[T any](s Selected, ch <-chan T) (T, bool) {
	if !s.v.IsValid() {
		var zero T
		return zero, s.ok
	}
	v, _ := s.v.Interface().(T) // a nil interface value asserts to nothing: zero it is
	return v, s.ok
}
