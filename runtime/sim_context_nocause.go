//go:build !go1.20

package gopatchrt

import "context"

// withCancelCause stands in for context.WithCancelCause (Go 1.20), before which
// contexts have no cause to record.
func withCancelCause(parent context.Context) (context.Context, func(error)) {
	ctx, cancel := context.WithCancel(parent)
	return ctx, func(error) { cancel() }
}
