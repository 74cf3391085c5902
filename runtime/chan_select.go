package gopatchrt

import (
	"reflect"
	"sync/atomic"
)

// A select statement is rewritten in place: the statement stays, its case bodies,
// labels, break and continue are untouched, and each case's operands are wrapped
// (line for line, see rewrite/construct.go):
//
//	select {                       select {
//	case v := <-in:                case v := <-gopatch_selrecv(gopatch.At(7), 0, 3, true, in):
//	case out <- x:                 case gopatch_selsend(gopatch.At(7), 1, 3, true, out) <- gopatch_selvalue(x):
//	case v, ok := <-other:         case v, ok := <-gopatch_selrecv(gopatch.At(7), 2, 3, true, other):
//	default:                       default:
//	}                              }
//
// Each wrapper is told its case i, the number n of communication cases and
// whether the select has a default clause. Go evaluates the channel operands and
// the values of sends exactly once, in source order, on entering the select, so
// the wrappers run in order and the last one (the channel of a last receive case,
// the value of a last send case) knows every case.
//
// Under passthrough, and under a hub that does not schedule channels, every
// wrapper returns its argument after one atomic load, and the select is Go's.
//
// Under a hub that schedules channels (the sim) each wrapper records its case on
// the calling goroutine and returns a proxy: a fresh channel that is not ready.
// The last wrapper runs the hub's Select over the recorded cases (a scheduling
// point, a seeded choice, a cooperative wait, virtual time), which performs the
// chosen operation on the real channel, and then makes exactly one proxy ready:
// for a receive, a buffered proxy holding the value received, or a closed proxy
// when the real channel was closed, so that `v, ok` gives ok == false; for a send,
// a proxy with room for the (discarded) value. When the hub chose the default no
// proxy is ready. Go's select then finds exactly one ready case, the one the hub
// chose, so Go's own random choice cannot break a seed's replay, and runs its
// body. A nil channel is never chosen, and a send on a closed channel panics in
// the hub's attempt, as Go's select panics when it picks it.
//
// A value that is a constant (say nil, or 1 on a chan float64) is given to the
// channel's wrapper, typed by the channel, and is not wrapped:
//
//	case errc <- nil:              case gopatch_selsendc(gopatch.At(8), 0, 1, false, errc, nil) <- nil:
//
// A select without cases, select {}, becomes panic(gopatch_selblock(gopatch.At(9))),
// a terminating statement too: under the sim the goroutine blocks in the hub for
// good (with every other goroutine blocked, a deadlock the sim reports), and
// otherwise it is select {}.

// SelectRecv stands in for the channel operand ch of receive case i of n of a
// select statement; def says the select has a default clause.
func SelectRecv[T any](c Call, i, n int, def bool, ch <-chan T) <-chan T {
	if atomic.LoadPointer(&current.p) == nil {
		return ch
	}
	return selectRecv(c, i, n, def, ch)
}

// SelectSend stands in for the channel operand ch of send case i of n; the
// value follows through SelectValue.
func SelectSend[T any](c Call, i, n int, def bool, ch chan<- T) chan<- T {
	if atomic.LoadPointer(&current.p) == nil {
		return ch
	}
	return selectSend(c, i, n, def, ch, nil)
}

// SelectSendConst stands in for the channel operand ch of send case i of n whose
// value v is a constant: the value is given here, typed by the channel, and the
// send statement keeps its own copy of the constant.
func SelectSendConst[T any](c Call, i, n int, def bool, ch chan<- T, v T) chan<- T {
	if atomic.LoadPointer(&current.p) == nil {
		return ch
	}
	return selectSend(c, i, n, def, ch, &v)
}

// SelectValue stands in for the value v of the send case whose channel operand
// SelectSend has just recorded.
func SelectValue[V any](v V) V {
	if atomic.LoadPointer(&current.p) == nil {
		return v
	}
	selectValue(v)
	return v
}

// SelectBlock stands in for select {}: it never returns. The rewriter emits
// panic(gopatch_selblock(at)), which is a terminating statement as select {} is.
func SelectBlock(c Call) any {
	if h := active(); h != nil {
		if s, ok := h.(chanScheduler); ok {
			c.site.locate()
			simSelect(c, s, nil, false, nil)
		}
	}
	select {}
}

// selFrame is a select statement whose operands are being evaluated.
type selFrame struct {
	site  *Site
	n     int
	def   bool
	cases []SelectCase
	ready []func(Selected) // makes case i's proxy ready with the outcome
	value bool             // the last case is a send waiting for its value
}

// selFrames is the stack of a goroutine's selects being evaluated: an operand may
// call a function that runs a select of its own.
type selFrames struct {
	stack []*selFrame
	sim   *Sim  // the sim whose goroutine record g holds these frames
	g     *simG // so that its Select need not identify the goroutine again
}

// selectHub is implemented by hubs that keep select frames per goroutine.
type selectHub interface {
	chanScheduler
	selFramesOf() *selFrames
}

// framesOf returns the calling goroutine's select frames, or nil when the hub in
// force does not schedule channels.
func framesOf() *selFrames {
	if h, ok := active().(selectHub); ok {
		return h.selFramesOf()
	}
	return nil
}

// frameOf returns the calling goroutine's select frames and the frame of case i of
// the select at c; a nil frame when the select runs as Go's (see framesOf, enter).
func frameOf(c Call, i, n int, def bool) (*selFrames, *selFrame) {
	fs := framesOf()
	if fs == nil {
		return nil, nil
	}
	return fs, fs.enter(c, i, n, def)
}

// maxSelFrames bounds the stack: frames of selects whose evaluation panicked are
// left behind, and the oldest are dropped.
const maxSelFrames = 64

// enter returns the frame of case i of the select at site c, pushing a new frame
// for case 0; nil when the select's earlier cases were not recorded (a hub came in
// force while they were evaluated): the select then runs as Go's.
func (fs *selFrames) enter(c Call, i, n int, def bool) *selFrame {
	if i == 0 {
		if len(fs.stack) == maxSelFrames {
			copy(fs.stack, fs.stack[1:])
			fs.stack = fs.stack[:len(fs.stack)-1]
		}
		f := &selFrame{site: c.site, n: n, def: def}
		fs.stack = append(fs.stack, f)
		return f
	}
	// Frames above the one being evaluated are left by selects whose evaluation
	// panicked inside this one's operands: drop them.
	for k := len(fs.stack) - 1; k >= 0; k-- {
		if f := fs.stack[k]; sameSite(f.site, c.site) && f.n == n && len(f.cases) == i && !f.value {
			fs.truncate(k + 1)
			return f
		}
	}
	return nil
}

// truncate drops the frames from index k up, clearing them for the collector.
func (fs *selFrames) truncate(k int) {
	for j := k; j < len(fs.stack); j++ {
		fs.stack[j] = nil
	}
	fs.stack = fs.stack[:k]
}

// sameSite compares sites by package and number: a site beyond the generated
// count is a fresh Site at each At.
func sameSite(a, b *Site) bool { return a == b || a.Pkg == b.Pkg && a.Index == b.Index }

// run pops f, the top frame, and runs the hub's select over its cases.
func (fs *selFrames) run(f *selFrame) Selected {
	if k := len(fs.stack) - 1; k >= 0 && fs.stack[k] == f {
		fs.truncate(k)
	}
	c := Call{site: f.site}
	if fs.sim != nil && active() == Hub(fs.sim) {
		c.site.locate()
		return simSelect(c, fs.sim, fs.g, f.def, f.cases)
	}
	return Select(c, f.def, f.cases...)
}

func selectRecv[T any](c Call, i, n int, def bool, ch <-chan T) <-chan T {
	fs, f := frameOf(c, i, n, def)
	if f == nil {
		return ch
	}
	f.cases = append(f.cases, RecvCase(ch))
	if i < n-1 {
		p := make(chan T, 1)
		f.ready = append(f.ready, func(r Selected) { deliver(p, r) })
		return p
	}
	f.ready = append(f.ready, nil)
	r := fs.run(f)
	switch {
	case r.Index == i:
		p := make(chan T, 1)
		deliver(p, r)
		return p
	case r.Index >= 0:
		f.ready[r.Index](r)
	}
	return nil
}

// deliver makes a receive case's proxy ready with what the real receive got.
func deliver[T any](p chan T, r Selected) {
	if !r.ok {
		close(p)
		return
	}
	v, _ := Received2(r, (<-chan T)(p))
	p <- v
}

func selectSend[T any](c Call, i, n int, def bool, ch chan<- T, v *T) chan<- T {
	fs, f := frameOf(c, i, n, def)
	if f == nil {
		return ch
	}
	sc := SelectCase{
		rc:    reflect.SelectCase{Dir: reflect.SelectSend, Chan: reflect.ValueOf(ch)},
		key:   keyOf(ch),
		unbuf: cap(ch) == 0,
	}
	if v != nil {
		sc.rc.Send = reflect.ValueOf(v).Elem()
	}
	f.cases = append(f.cases, sc)
	// A full proxy is not ready to send; emptied, it is.
	p := make(chan T, 1)
	var zero T
	p <- zero
	f.ready = append(f.ready, func(Selected) { <-p })
	if v == nil {
		f.value = true
	} else if i == n-1 {
		fs.finish(f)
	}
	return p
}

func selectValue[V any](v V) {
	fs := framesOf()
	if fs == nil {
		return
	}
	var f *selFrame
	for k := len(fs.stack) - 1; k >= 0; k-- {
		if fs.stack[k].value {
			f = fs.stack[k]
			fs.truncate(k + 1) // drops frames left by a select that panicked in v's evaluation
			break
		}
	}
	if f == nil {
		return
	}
	f.value = false
	f.cases[len(f.cases)-1].rc.Send = reflect.ValueOf(&v).Elem()
	if len(f.cases) == f.n {
		fs.finish(f)
	}
}

// finish runs the select of f, whose last case is a send, and makes the proxy of
// the case chosen ready.
func (fs *selFrames) finish(f *selFrame) {
	if r := fs.run(f); r.Index >= 0 {
		f.ready[r.Index](r)
	}
}
