package gopatchrt_test

import (
	"testing"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

func TestGoFuncEvaluatesArgumentsAtTheGoStatement(t *testing.T) {
	pkg := gopatchrt.NewPackage("example.com/construct", 3, "go,chan")
	done := make(chan []int, 3)
	x := 1
	gopatchrt.GoFunc(pkg.At(0), func(a, b int) int { done <- []int{a, b}; return a + b })(x, 2)
	x = 100 // too late: the arguments were evaluated already
	gopatchrt.GoFunc(pkg.At(1), func(prefix int, rest ...int) { done <- append([]int{prefix}, rest...) })(7, 8, 9)
	gopatchrt.GoFunc(pkg.At(2), func() { done <- nil })()
	got := map[int]bool{}
	for i := 0; i < 3; i++ {
		v := <-done
		switch {
		case v == nil:
			got[0] = true
		case len(v) == 2 && v[0] == 1 && v[1] == 2:
			got[1] = true
		case len(v) == 3 && v[0] == 7 && v[2] == 9:
			got[2] = true
		default:
			t.Errorf("goroutine got %v", v)
		}
	}
	if len(got) != 3 {
		t.Errorf("goroutines seen: %v", got)
	}
	_ = x
}

func TestRangeReceivesUntilClosed(t *testing.T) {
	pkg := gopatchrt.NewPackage("example.com/construct2", 1, "chan")
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	close(ch)
	sum := 0
	// The runtime module is go 1.21: call the iterator as a range statement would.
	gopatchrt.Range(pkg.At(0), ch)(func(v int) bool {
		sum += v
		return v != 2
	})
	if sum != 3 {
		t.Fatalf("sum = %d, want 3 (1+2, then break)", sum)
	}
	if v, ok := <-ch; !ok || v != 3 {
		t.Fatalf("after break the channel holds %d, %v; want 3, true", v, ok)
	}
}
