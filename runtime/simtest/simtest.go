// Package simtest runs tests under gopatch's sim hub: patched goroutines one at a
// time on a virtual clock, with a seeded scheduler.
//
//	func TestRetry(t *testing.T) {
//		simtest.Run(t, func(t *testing.T) {
//			... patched code: sleeps take no wall time, goroutines interleave by seed ...
//		})
//	}
//
// The seed comes from -gopatch.seed, else from GOPATCH_SEED ("random" draws one),
// else it is 1. A failing run prints its seed, which replays it exactly.
package simtest

import (
	"flag"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

var seedFlag = flag.String("gopatch.seed", "", "seed of the gopatch sim hub (a number or \"random\"; default $GOPATCH_SEED, else 1)")

// one sim at a time: the hub is process-wide.
var mu sync.Mutex

// Seed returns the seed that Run uses.
func Seed() uint64 {
	s := *seedFlag
	if s == "" {
		s = os.Getenv(gopatchrt.EnvSeed)
	}
	if s == "random" {
		return uint64(time.Now().UnixNano())
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n
	}
	return 1
}

// Run runs body under a new sim hub with the seed of Seed, and fails t with the
// seed and the sim's report if the sim fails (deadlock, a goroutine blocked where
// the hub cannot see, a panic) or if body fails. Run must not be used from
// parallel tests: the hub is process-wide.
func Run(t *testing.T, body func(t *testing.T)) *gopatchrt.Sim {
	t.Helper()
	return RunSeed(t, Seed(), body)
}

// RunSeed is Run with an explicit seed.
func RunSeed(t *testing.T, seed uint64, body func(t *testing.T)) *gopatchrt.Sim {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	s := gopatchrt.NewSim(seed)
	err := s.Run(func() { body(t) })
	if err != nil {
		t.Fatalf("%v", err)
	}
	if t.Failed() {
		t.Logf("%s (replay with -gopatch.seed=%d or %s=%d)", s.Summary(), seed, gopatchrt.EnvSeed, seed)
	} else if testing.Verbose() {
		t.Log(s.Summary())
	}
	return s
}

// Try runs body under a new sim hub with seed and reports whether it returned
// true; a failed sim counts as false and its report is returned. It is for
// searching seeds: Try does not fail any test.
func Try(seed uint64, body func() bool) (ok bool, s *gopatchrt.Sim, report string) {
	mu.Lock()
	defer mu.Unlock()
	s = gopatchrt.NewSim(seed)
	if err := s.Run(func() { ok = body() }); err != nil {
		return false, s, err.Error()
	}
	return ok, s, ""
}
