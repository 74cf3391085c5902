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

// WithTimeout stands in for context.WithTimeout; under the sim hub the deadline is
// on the virtual clock.
func (c Call) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if h := active(); h != nil {
		if cc, ok := h.(contextClock); ok {
			return cc.WithTimeout(parent, d)
		}
	}
	return context.WithTimeout(parent, d)
}

// WithDeadline stands in for context.WithDeadline; under the sim hub the deadline
// is on the virtual clock.
func (c Call) WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if h := active(); h != nil {
		if cc, ok := h.(contextClock); ok {
			return cc.WithDeadline(parent, d)
		}
	}
	return context.WithDeadline(parent, d)
}
