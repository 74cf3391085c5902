package gopatchrt_test

import (
	"runtime"
	"sync"
	"testing"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

var dp = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/demo_test", 16, "sync,go,chan,time")

// withdrawTwice is the planted bug: two goroutines check the balance and then act
// on it in two separate critical sections, so both may see 100 and both withdraw.
// It reports whether the balance stayed non-negative.
func withdrawTwice() bool {
	var mu sync.Mutex
	balance := 100
	done := make(chan bool)
	withdraw := func() {
		dp.At(0).MutexLock(&mu)
		ok := balance >= 100 // check ...
		dp.At(1).MutexUnlock(&mu)
		if ok {
			dp.At(2).MutexLock(&mu)
			balance -= 100 // ... then act
			dp.At(3).MutexUnlock(&mu)
		}
		gopatchrt.Send(dp.At(4), done, true)
	}
	gopatchrt.Go(dp.At(5), withdraw)
	gopatchrt.Go(dp.At(6), withdraw)
	gopatchrt.Recv(dp.At(7), done)
	gopatchrt.Recv(dp.At(8), done)
	return balance >= 0
}

func TestSimFindsCheckThenAct(t *testing.T) {
	var found []uint64
	for seed := uint64(1); seed <= 100; seed++ {
		ok, _, report := simtest.Try(seed, withdrawTwice)
		if report != "" {
			t.Fatal(report)
		}
		if !ok {
			found = append(found, seed)
		}
	}
	if len(found) == 0 {
		t.Fatal("no seed in 1..100 found the check-then-act race")
	}
	seed := found[0]
	t.Logf("%d of 100 seeds find the race; the first is %d", len(found), seed)
	var hash uint64
	for i := 0; i < 100; i++ {
		ok, s, _ := simtest.Try(seed, withdrawTwice)
		if ok {
			t.Fatalf("seed %d did not replay the race on run %d", seed, i)
		}
		if i == 0 {
			hash = s.TraceHash()
		} else if s.TraceHash() != hash {
			t.Fatalf("seed %d: trace %x, then %x", seed, hash, s.TraceHash())
		}
	}
}

var replayHash uint64

// TestSimReplay: 100 runs of one seed give one trace hash; 100 seeds give many.
func TestSimReplay(t *testing.T) {
	hashes := map[uint64]bool{}
	for i := 0; i < 100; i++ {
		_, s, report := simtest.Try(1234, func() bool { pingPong(t, 4, 10); return true })
		if report != "" {
			t.Fatal(report)
		}
		hashes[s.TraceHash()] = true
	}
	if len(hashes) != 1 {
		t.Fatalf("100 runs of seed 1234 gave %d trace hashes", len(hashes))
	}
	for h := range hashes { // the same at every GOMAXPROCS (go test -cpu 1,2)
		if replayHash != 0 && h != replayHash {
			t.Fatalf("seed 1234 gave trace %x at GOMAXPROCS %d, %x before", h, runtime.GOMAXPROCS(0), replayHash)
		}
		replayHash = h
		t.Logf("seed 1234: trace %016x at GOMAXPROCS %d", h, runtime.GOMAXPROCS(0))
	}
	seeds := map[uint64]bool{}
	orders := map[string]bool{}
	for seed := uint64(1); seed <= 100; seed++ {
		var order []int
		_, s, report := simtest.Try(seed, func() bool { order = pingPong(t, 4, 10); return true })
		if report != "" {
			t.Fatal(report)
		}
		seeds[s.TraceHash()] = true
		orders[fmtInts(order)] = true
	}
	t.Logf("100 runs of seed 1234: 1 trace hash; 100 seeds: %d distinct traces", len(seeds))
	if len(seeds) < 50 {
		t.Errorf("100 seeds gave only %d distinct traces", len(seeds))
	}
}

func fmtInts(xs []int) string {
	b := make([]byte, 0, len(xs))
	for _, x := range xs {
		b = append(b, byte('0'+x))
	}
	return string(b)
}
