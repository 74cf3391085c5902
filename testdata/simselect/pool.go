// Package pool is a worker pool whose workers select on the context, the job
// queue and an idle timer: gopatch's sim hub runs it deterministically once it is
// patched with --profile sim (cmd/gopatch/sim_e2e_test.go).
package pool

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Report is what a run of the pool did.
type Report struct {
	Log      []string // "w<worker>:j<job>" in the order the results came back
	Idle     int      // idle timeouts, all workers together
	Canceled int      // jobs a worker dropped because the context ended
}

// Process hands jobs to n workers, one every pace; job j takes j milliseconds. A
// worker that has waited idle for a job reports an idle timeout and waits again.
// Process returns when every job is done or the context ends.
func Process(ctx context.Context, jobs []int, n int, pace, idle time.Duration) Report {
	var r Report
	var mu sync.Mutex
	var wg sync.WaitGroup
	in := make(chan int)
	results := make(chan string)
	for w := 1; w <= n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case j, ok := <-in:
					if !ok {
						return
					}
					time.Sleep(time.Duration(j) * time.Millisecond)
					select {
					case results <- fmt.Sprintf("w%d:j%d", w, j):
					case <-ctx.Done():
						mu.Lock()
						r.Canceled++
						mu.Unlock()
						return
					}
				case <-time.After(idle):
					mu.Lock()
					r.Idle++
					mu.Unlock()
				}
			}
		}(w)
	}
	go func() {
		defer close(in)
		for _, j := range jobs {
			time.Sleep(pace)
			select {
			case in <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
collect:
	for range jobs {
		select {
		case s := <-results:
			r.Log = append(r.Log, s)
		case <-ctx.Done():
			break collect
		}
	}
	wg.Wait()
	return r
}
