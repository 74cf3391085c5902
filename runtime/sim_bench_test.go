package gopatchrt_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

var bp = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/bench_test", 16, "time,go,chan")

// BenchmarkSimHandoff measures one scheduling step: n goroutines each yield at a
// patched call (Sleep(0)) in turn; every step picks a runnable goroutine at random
// and, unless it picks the one that yielded, hands the baton over.
func BenchmarkSimHandoff(b *testing.B) {
	for _, n := range []int{1, 2, 100, 10000} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			s := gopatchrt.NewSim(1)
			var elapsed time.Duration
			var steps uint64
			err := s.Run(func() {
				per := b.N/n + 1
				done := make(chan struct{}, n)
				start := make(chan struct{})
				for i := 0; i < n; i++ {
					gopatchrt.Go(bp.At(0), func() {
						gopatchrt.Recv(bp.At(3), start)
						for j := 0; j < per; j++ {
							bp.At(1).Sleep(0)
						}
						gopatchrt.Send(bp.At(2), done, struct{}{})
					})
				}
				// Every goroutine waits for start: time from its close.
				for len(done) == 0 && s.Steps() < uint64(2*n) {
					bp.At(1).Sleep(0)
				}
				steps0 := s.Steps()
				t0 := time.Now()
				gopatchrt.Close(bp.At(2), start)
				for i := 0; i < n; i++ {
					gopatchrt.Recv(bp.At(4), done)
				}
				elapsed = time.Since(t0)
				steps = s.Steps() - steps0
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(steps), "ns/step")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkSimHandoffParked measures one scheduling step as BenchmarkSimHandoff
// does, among 2 goroutines that yield in turn while n-2 more are parked in the hub
// (a receive on a channel): what the population alone costs the hub, apart from
// the cache misses of switching among n goroutines' stacks, which grow as Go's own
// switch does (BENCHMARKS.md, the coroutine baton).
func BenchmarkSimHandoffParked(b *testing.B) {
	for _, n := range []int{2, 100, 10000} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			s := gopatchrt.NewSim(1)
			var elapsed time.Duration
			var steps uint64
			err := s.Run(func() {
				release := make(chan struct{})
				for i := 0; i < n-2; i++ {
					gopatchrt.Go(bp.At(0), func() { gopatchrt.Recv(bp.At(3), release) })
				}
				per := b.N/2 + 1
				done := make(chan struct{}, 2)
				start := make(chan struct{})
				for i := 0; i < 2; i++ {
					gopatchrt.Go(bp.At(0), func() {
						gopatchrt.Recv(bp.At(3), start)
						for j := 0; j < per; j++ {
							bp.At(1).Sleep(0)
						}
						gopatchrt.Send(bp.At(2), done, struct{}{})
					})
				}
				for s.Steps() < uint64(2*n) {
					bp.At(1).Sleep(0)
				}
				steps0 := s.Steps()
				t0 := time.Now()
				gopatchrt.Close(bp.At(2), start)
				for i := 0; i < 2; i++ {
					gopatchrt.Recv(bp.At(4), done)
				}
				elapsed = time.Since(t0)
				steps = s.Steps() - steps0
				gopatchrt.Close(bp.At(2), release)
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(steps), "ns/step")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkSimSleep measures virtual sleeps: one goroutine, and 100 goroutines,
// sleeping 1ms of virtual time in a loop.
func BenchmarkSimSleep(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			s := gopatchrt.NewSim(1)
			var elapsed time.Duration
			err := s.Run(func() {
				per := b.N/n + 1
				done := make(chan struct{}, n)
				t0 := time.Now()
				for i := 0; i < n; i++ {
					gopatchrt.Go(bp.At(5), func() {
						for j := 0; j < per; j++ {
							bp.At(6).Sleep(time.Millisecond)
						}
						gopatchrt.Send(bp.At(7), done, struct{}{})
					})
				}
				for i := 0; i < n; i++ {
					gopatchrt.Recv(bp.At(8), done)
				}
				elapsed = time.Since(t0)
			})
			if err != nil {
				b.Fatal(err)
			}
			sleeps := float64((b.N/n + 1) * n)
			b.ReportMetric(sleeps/elapsed.Seconds(), "sleeps/s")
			b.ReportMetric(float64(elapsed.Nanoseconds())/sleeps, "ns/sleep")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// ringSim is the workload shared with the synctest comparison: n goroutines in a
// ring pass a token hops times; each holder sleeps 1ms of (virtual) time first.
func ringSim(n, hops int) {
	chans := make([]chan int, n)
	for i := range chans {
		chans[i] = make(chan int, 1)
	}
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		i := i
		gopatchrt.Go(bp.At(9), func() {
			for {
				v, ok := gopatchrt.Recv2(bp.At(10), chans[i])
				if !ok {
					return
				}
				bp.At(11).Sleep(time.Millisecond)
				if v >= hops {
					gopatchrt.Close(bp.At(12), done)
					return
				}
				gopatchrt.Send(bp.At(13), chans[(i+1)%n], v+1)
			}
		})
	}
	gopatchrt.Send(bp.At(14), chans[0], 1)
	gopatchrt.Recv(bp.At(15), done)
	for _, c := range chans {
		close(c)
	}
}

// BenchmarkRing is the ring under the sim hub; its synctest twin is in
// sim_synctest_test.go (go1.25).
func BenchmarkRing(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("sim/goroutines=%d", n), func(b *testing.B) {
			s := gopatchrt.NewSim(1)
			if err := s.Run(func() { ringSim(n, b.N) }); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/hop")
		})
	}
}

// BenchmarkChanSwitch is the floor under BenchmarkSimHandoff: one goroutine switch
// through a channel, with no hub (half of a ping-pong round trip).
func BenchmarkChanSwitch(b *testing.B) {
	ping, pong := make(chan struct{}, 1), make(chan struct{}, 1)
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i += 2 {
		ping <- struct{}{}
		<-pong
	}
	b.StopTimer()
	close(ping)
}

// BenchmarkChanBaton is the floor under BenchmarkSimHandoff at each size: n plain
// goroutines, no hub, pass a baton through 1-buffered channels to one drawn at
// random (a goroutine that draws itself goes on). Per op: one draw and, unless it
// drew itself, one switch.
func BenchmarkChanBaton(b *testing.B) {
	for _, n := range []int{2, 100, 10000} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) { runBaton(b, n, chanBaton(n)) })
	}
}

// BenchmarkLockBaton is BenchmarkChanBaton with the other ways Go has to park a
// goroutine until another wakes it, a locked sync.Mutex each and a sync.Cond
// each: neither hands off faster than a channel.
func BenchmarkLockBaton(b *testing.B) {
	for _, n := range []int{2, 100, 10000} {
		b.Run(fmt.Sprintf("mutex/goroutines=%d", n), func(b *testing.B) { runBaton(b, n, mutexBaton(n)) })
		b.Run(fmt.Sprintf("cond/goroutines=%d", n), func(b *testing.B) { runBaton(b, n, condBaton(n)) })
	}
}

// A baton is how goroutine i waits for the baton and how it is handed to j.
type baton struct {
	wait func(i int)
	wake func(j int)
}

func chanBaton(n int) baton {
	chans := make([]chan struct{}, n)
	for i := range chans {
		chans[i] = make(chan struct{}, 1)
	}
	return baton{func(i int) { <-chans[i] }, func(j int) { chans[j] <- struct{}{} }}
}

func mutexBaton(n int) baton {
	mus := make([]sync.Mutex, n)
	for i := range mus {
		mus[i].Lock()
	}
	return baton{func(i int) { mus[i].Lock() }, func(j int) { mus[j].Unlock() }}
}

func condBaton(n int) baton {
	type slot struct {
		mu   sync.Mutex
		cond sync.Cond
		set  bool
	}
	slots := make([]slot, n)
	for i := range slots {
		slots[i].cond.L = &slots[i].mu
	}
	return baton{
		func(i int) {
			s := &slots[i]
			s.mu.Lock()
			for !s.set {
				s.cond.Wait()
			}
			s.set = false
			s.mu.Unlock()
		},
		func(j int) {
			s := &slots[j]
			s.mu.Lock()
			s.set = true
			s.mu.Unlock()
			s.cond.Signal()
		},
	}
}

// runBaton passes the baton b.N times among n goroutines, each to one drawn at
// random; at the end every goroutine is woken once more to return.
func runBaton(b *testing.B, n int, bt baton) {
	var mu sync.Mutex
	rng := uint64(88172645463325252)
	left := b.N
	done := make(chan struct{})
	var exited sync.WaitGroup
	for i := 0; i < n; i++ {
		i := i
		exited.Add(1)
		go func() {
			defer exited.Done()
			for {
				bt.wait(i)
				for {
					mu.Lock()
					if left <= 0 {
						if left == 0 {
							close(done)
						}
						left--
						mu.Unlock()
						return
					}
					left--
					rng ^= rng << 13
					rng ^= rng >> 7
					rng ^= rng << 17
					j := int(rng % uint64(n))
					mu.Unlock()
					if j != i {
						bt.wake(j)
						break
					}
				}
			}
		}()
	}
	b.ResetTimer()
	bt.wake(0)
	<-done
	b.StopTimer()
	for i := 0; i < n; i++ { // the others wait for the baton: let them return
		bt.wake(i)
	}
	exited.Wait()
}
