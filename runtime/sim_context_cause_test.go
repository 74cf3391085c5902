//go:build go1.20

package gopatchrt_test

import (
	"context"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

// context.Cause of a sim context tells why it ended, as of a context.WithTimeout:
// context.DeadlineExceeded when its virtual deadline passed, also for a context
// made from it by unpatched code (whose Err is context.Canceled, docs/sim.md),
// and context.Canceled when its cancel function ended it. Retry loops test
// context.Cause(ctx) (github.com/sethvargo/go-retry).
func TestSimContextCause(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		ctx, cancel := gopatchrt.WithTimeout(gc.At(6), context.Background(), time.Second)
		defer cancel()
		child, ccancel := context.WithCancel(ctx) // unpatched
		defer ccancel()
		early, ecancel := gopatchrt.WithTimeout(gc.At(6), context.Background(), time.Hour)
		ecancel()
		gone, gcancel := gopatchrt.WithTimeout(gc.At(6), context.Background(), -time.Second)
		defer gcancel()
		gopatchrt.Recv(gc.At(7), child.Done())
		for _, c := range []struct {
			name string
			ctx  context.Context
			want error
		}{
			{"expired", ctx, context.DeadlineExceeded},
			{"made from an expired one by unpatched code", child, context.DeadlineExceeded},
			{"cancelled", early, context.Canceled},
			{"past its deadline when made", gone, context.DeadlineExceeded},
		} {
			if got := context.Cause(c.ctx); got != c.want {
				t.Errorf("%s: context.Cause = %v, want %v", c.name, got, c.want)
			}
		}
	})
}
