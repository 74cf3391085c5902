package gopatchrt

import "testing"

// The list of goroutines whose channels of data are probed is pruned as it grows:
// in a sim of owned goroutines only, nothing probes it, and without pruning it
// would keep every goroutine that ever waited for data.
func TestSimDataProbersPruned(t *testing.T) {
	pkg := freeBench() // made when the test runs
	s := NewSim(1)
	err := s.Run(func() {
		for i := 0; i < 1000; i++ {
			c, done := make(chan int), make(chan int)
			Go(pkg.At(0), func() { Send(pkg.At(1), done, Recv(pkg.At(2), c)) })
			Send(pkg.At(1), c, i) // the goroutine may or may not be parked yet
			Recv(pkg.At(2), done) // this one is parked at times
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.dataProbers); n > 64 {
		t.Errorf("%d goroutines listed for data probes after the run, want at most 64", n)
	}
	if s.dataProbersMax == 0 {
		t.Error("the list was never pruned: the test did not exercise it")
	}
}
