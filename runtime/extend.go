package gopatchrt

import (
	"context"
	"net"
	"time"
)

// A hub may implement the interfaces below as well as Hub, to take over a whole
// family of operations instead of only observing them. The shims look for them on
// their slow path only, so passthrough never pays for them.

// Clock is implemented by hubs that keep their own time, such as the sim hub's
// virtual clock. The time shims call it instead of the time package: Now, Since and
// Until read Now; After and Tick take the channel of NewTimer and NewTicker.
// StopTimer and friends receive timers made by the standard library too (before the
// hub came into force, or by unpatched code) and must handle them.
type Clock interface {
	Now() time.Time
	Sleep(site *Site, d time.Duration)
	NewTimer(site *Site, d time.Duration) *time.Timer
	AfterFunc(site *Site, d time.Duration, f func()) *time.Timer
	NewTicker(site *Site, d time.Duration) *time.Ticker
	StopTimer(t *time.Timer) bool
	ResetTimer(t *time.Timer, d time.Duration) bool
	StopTicker(t *time.Ticker)
	ResetTicker(t *time.Ticker, d time.Duration)
}

// Scheduler is implemented by hubs that run patched goroutines cooperatively. A shim
// whose operation would block (a contended lock, say) calls Await with a function
// that attempts the operation without blocking; Await returns once try has
// succeeded, letting other goroutines run in between.
type Scheduler interface {
	Await(site *Site, op *Op, try func() bool)
}

// Network is implemented by hubs that provide their own network, such as the sim
// hub's in-memory loopback. The net and http shims dial and listen through it.
type Network interface {
	DialContext(site *Site, ctx context.Context, network, address string) (net.Conn, error)
	Listen(site *Site, ctx context.Context, network, address string) (net.Listener, error)
}
