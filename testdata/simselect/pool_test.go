package pool

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

var jobs = []int{4, 4, 4, 4, 20, 4, 4, 4, 4, 4}

// run runs the pool under the sim with seed, with a context that ends after
// limit, and returns the trace hash, what the pool did and how long it took.
func run(t *testing.T, seed uint64, limit time.Duration) (uint64, Report, time.Duration) {
	var r Report
	var took time.Duration
	ok, s, report := simtest.Try(seed, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		start := time.Now()
		r = Process(ctx, jobs, 3, 2*time.Millisecond, 3*time.Millisecond)
		took = time.Since(start)
		return true
	})
	if !ok {
		t.Fatalf("seed %d: %s", seed, report)
	}
	return s.TraceHash(), r, took
}

func TestPoolUnderSim(t *testing.T) {
	if !gopatchrt.Patched("chan") {
		t.Skip("the package is not patched with --profile sim")
	}
	outcomes := map[string]bool{}
	for seed := uint64(1); seed <= 8; seed++ {
		h, r, took := run(t, seed, time.Hour)
		h2, r2, took2 := run(t, seed, time.Hour)
		got, again := fmt.Sprint(r, took), fmt.Sprint(r2, took2)
		if h != h2 || got != again {
			t.Errorf("seed %d: trace %016x then %016x\n%s\n%s", seed, h, h2, got, again)
		}
		t.Logf("seed %d: trace=%016x %s", seed, h, got)
		if len(r.Log) != len(jobs) || r.Idle == 0 || took < 20*time.Millisecond || took > time.Second {
			t.Errorf("seed %d: %s: want every job done, idle timeouts, virtual time", seed, got)
		}
		outcomes[fmt.Sprint(r.Log)] = true
	}
	if len(outcomes) < 2 {
		t.Errorf("8 seeds gave %d order(s) of results: the seed does not steer the selects", len(outcomes))
	}
	// The context ends while jobs run: their workers drop the results.
	h, r, took := run(t, 1, 15*time.Millisecond)
	t.Logf("deadline 15ms: trace=%016x %v %v", h, r, took)
	if r.Canceled == 0 || len(r.Log)+r.Canceled >= len(jobs) {
		t.Errorf("deadline 15ms: %v, want dropped results and jobs never handed out", r)
	}
}

// TestPoolCancel ends the pool with a context whose cancellation the hub does not
// see: a context.WithCancel cancelled by a goroutine, and one made from a
// context.WithTimeout that expires. Both close Done channels outside the hub; the
// workers and the collector waiting on them in selects go on at that virtual time.
func TestPoolCancel(t *testing.T) {
	if !gopatchrt.Patched("chan") {
		t.Skip("the package is not patched with --profile sim")
	}
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				time.Sleep(9 * time.Millisecond)
				cancel()
			}()
			return ctx, cancel
		}},
		{"child of a timeout", func() (context.Context, context.CancelFunc) {
			parent, cancelParent := context.WithTimeout(context.Background(), 9*time.Millisecond)
			ctx, cancel := context.WithCancel(parent)
			return ctx, func() { cancel(); cancelParent() }
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var hashes []uint64
			for i := 0; i < 2; i++ {
				var r Report
				var took time.Duration
				ok, s, report := simtest.Try(1, func() bool {
					ctx, cancel := c.ctx()
					defer cancel()
					start := time.Now()
					// No job nor idle timeout within the run: no timer wakes
					// the waiters, only the closed Done channel.
					r = Process(ctx, jobs, 3, time.Hour, time.Hour)
					took = time.Since(start)
					return true
				})
				if !ok {
					t.Fatal(report)
				}
				t.Logf("%s %v %v", s.Summary(), r, took)
				// A virtual timer fires 1ns after its deadline.
				if want := 9*time.Millisecond + time.Nanosecond; took != want || len(r.Log) != 0 || r.Idle != 0 {
					t.Errorf("%v after %v: want the pool ended after %v of virtual time", r, took, want)
				}
				hashes = append(hashes, s.TraceHash())
			}
			if hashes[0] != hashes[1] {
				t.Errorf("seed 1 gave traces %016x and %016x", hashes[0], hashes[1])
			}
		})
	}
}

// TestPoolSites: the sites the sim saw are located in the patched code, not in
// the forwarders of the generated file.
func TestPoolSites(t *testing.T) {
	if !gopatchrt.Patched("chan") {
		t.Skip("the package is not patched with --profile sim")
	}
	run(t, 1, time.Hour)
	seen := 0
	for _, p := range gopatchrt.Packages() {
		for _, s := range p.Sites() {
			if file, line, _ := s.Position(); file != "" {
				seen++
				if base := filepath.Base(file); base != "pool.go" && base != "pool_test.go" {
					t.Errorf("site %d of %s is located at %s:%d", s.Index, p.Path, base, line)
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no site located")
	}
}

// TestPoolSeed runs the pool once with the seed of GOPATCH_SEED and prints its
// trace, for replay across processes.
func TestPoolSeed(t *testing.T) {
	if !gopatchrt.Patched("chan") {
		t.Skip("the package is not patched with --profile sim")
	}
	h, r, took := run(t, simtest.Seed(), time.Hour)
	fmt.Printf("seed=%d trace=%016x %v %v\n", simtest.Seed(), h, r, took)
}
