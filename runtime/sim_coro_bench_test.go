//go:build go1.23

package gopatchrt_test

import (
	"fmt"
	"iter"
	"testing"
)

// BenchmarkCoroBaton is the other way to hand off: n coroutines (iter.Pull), each
// of which yields at once, resumed one at a time by a driver that draws the next
// at random. Per op: one draw and two coroutine switches (into the coroutine and
// back), which bypass the scheduler's run queue. A sim built on it would have no
// goroutines running at once, which its channel hand-shakes and external calls
// need today (docs/sim.md, "What a step costs").
func BenchmarkCoroBaton(b *testing.B) {
	for _, n := range []int{2, 100, 10000} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			nexts := make([]func() (int, bool), n)
			stops := make([]func(), n)
			for i := range nexts {
				i := i
				nexts[i], stops[i] = iter.Pull(func(yield func(int) bool) {
					for yield(i) {
					}
				})
				nexts[i]() // started, parked at its first yield
			}
			rng := uint64(88172645463325252)
			b.ResetTimer()
			for k := 0; k < b.N; k++ {
				rng ^= rng << 13
				rng ^= rng >> 7
				rng ^= rng << 17
				if _, ok := nexts[int(rng%uint64(n))](); !ok {
					b.Fatal("a coroutine ended")
				}
			}
			b.StopTimer()
			for _, stop := range stops {
				stop()
			}
		})
	}
}
