//go:build go1.20

package gopatchrt

import "context"

// withCancelCause is context.WithCancelCause: a sim context that expires ends its
// inner context with context.DeadlineExceeded as the cause, which context.Cause
// reports of it and of the contexts unpatched code made from it (their Err is
// context.Canceled: only the context package's own timers end a cancel context
// with DeadlineExceeded).
func withCancelCause(parent context.Context) (context.Context, func(error)) {
	return context.WithCancelCause(parent)
}
