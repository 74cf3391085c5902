package gopatchrt_test

import (
	"context"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

var gc = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/context_test", 8, "time,chan")

// A sim context made from one that expires first ends with its parent's error,
// context.DeadlineExceeded, as with the context package; one cancelled first
// keeps context.Canceled when its parent expires later.
func TestSimContextNested(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		parent, cancel := gopatchrt.WithTimeout(gc.At(0), context.Background(), 5*time.Second)
		defer cancel()
		child, ccancel := gopatchrt.WithTimeout(gc.At(1), parent, time.Hour)
		defer ccancel()
		early, ecancel := gopatchrt.WithTimeout(gc.At(2), parent, time.Hour)
		ecancel()
		t0 := gc.At(3).Now()
		gopatchrt.Recv(gc.At(4), child.Done())
		if d := gc.At(5).Since(t0); d != 5*time.Second+lag {
			t.Errorf("child ended after %v", d)
		}
		if child.Err() != context.DeadlineExceeded || parent.Err() != context.DeadlineExceeded {
			t.Errorf("child: %v, parent: %v; want %v", child.Err(), parent.Err(), context.DeadlineExceeded)
		}
		if early.Err() != context.Canceled {
			t.Errorf("cancelled child: %v, want %v", early.Err(), context.Canceled)
		}
	})
}
