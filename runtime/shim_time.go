package gopatchrt

import (
	"context"
	"time"
)

// Under a hub that implements Clock, the time shims ask the hub's clock instead of
// the time package; the hub still sees Before and After around each call.

var (
	opSleep       = &Op{"time", "time.Sleep"}
	opAfter       = &Op{"time", "time.After"}
	opTick        = &Op{"time", "time.Tick"}
	opNewTimer    = &Op{"time", "time.NewTimer"}
	opNewTicker   = &Op{"time", "time.NewTicker"}
	opAfterFunc   = &Op{"time", "time.AfterFunc"}
	opNow         = &Op{"time", "time.Now"}
	opSince       = &Op{"time", "time.Since"}
	opUntil       = &Op{"time", "time.Until"}
	opTimerStop   = &Op{"time", "(*time.Timer).Stop"}
	opTimerReset  = &Op{"time", "(*time.Timer).Reset"}
	opTickerStop  = &Op{"time", "(*time.Ticker).Stop"}
	opTickerReset = &Op{"time", "(*time.Ticker).Reset"}
)

// Sleep stands in for time.Sleep. A hub's Token.Err skips the sleep.
func (c Call) Sleep(d time.Duration) {
	fwd10(c, d, time.Sleep, Call.hubSleep)
}

// hubSleep is Sleep while a hub is in force.
func (c Call) hubSleep(d time.Duration) {
	h := active()
	if h == nil {
		time.Sleep(d)
		return
	}
	c.sleep(h, d)
}

func (c Call) sleep(h Hub, d time.Duration) {
	t := c.before(h, opSleep)
	if t.Err == nil {
		if clk, ok := h.(Clock); ok {
			clk.Sleep(c.site, d)
		} else {
			time.Sleep(d)
		}
	}
	h.After(c.site, opSleep, t, nil)
}

// After stands in for time.After.
func (c Call) After(d time.Duration) <-chan time.Time {
	return fwd11(c, d, time.After, Call.hubAfter)
}

// hubAfter is After while a hub is in force.
func (c Call) hubAfter(d time.Duration) <-chan time.Time {
	h := active()
	if h == nil {
		return time.After(d)
	}
	return c.after(h, d)
}

func (c Call) after(h Hub, d time.Duration) <-chan time.Time {
	return value(c, h, opAfter, func() <-chan time.Time {
		if clk, ok := h.(Clock); ok {
			return clk.NewTimer(c.site, d).C
		}
		return time.After(d)
	})
}

// Tick stands in for time.Tick. Like time.Tick it returns nil when d <= 0, under a
// Clock too.
func (c Call) Tick(d time.Duration) <-chan time.Time {
	return fwd11(c, d, time.Tick, Call.hubTick)
}

// hubTick is Tick while a hub is in force.
func (c Call) hubTick(d time.Duration) <-chan time.Time {
	h := active()
	if h == nil {
		return time.Tick(d)
	}
	return c.tick(h, d)
}

func (c Call) tick(h Hub, d time.Duration) <-chan time.Time {
	return value(c, h, opTick, func() <-chan time.Time {
		if clk, ok := h.(Clock); ok {
			if d <= 0 {
				return nil
			}
			return clk.NewTicker(c.site, d).C
		}
		return time.Tick(d)
	})
}

// NewTimer stands in for time.NewTimer.
func (c Call) NewTimer(d time.Duration) *time.Timer {
	return fwd11(c, d, time.NewTimer, Call.hubNewTimer)
}

// hubNewTimer is NewTimer while a hub is in force.
func (c Call) hubNewTimer(d time.Duration) *time.Timer {
	h := active()
	if h == nil {
		return time.NewTimer(d)
	}
	return c.newTimer(h, d)
}

func (c Call) newTimer(h Hub, d time.Duration) *time.Timer {
	return value(c, h, opNewTimer, func() *time.Timer {
		if clk, ok := h.(Clock); ok {
			return clk.NewTimer(c.site, d)
		}
		return time.NewTimer(d)
	})
}

// NewTicker stands in for time.NewTicker. Under a Clock, the clock decides what a
// non-positive d does (time.NewTicker panics).
func (c Call) NewTicker(d time.Duration) *time.Ticker {
	return fwd11(c, d, time.NewTicker, Call.hubNewTicker)
}

// hubNewTicker is NewTicker while a hub is in force.
func (c Call) hubNewTicker(d time.Duration) *time.Ticker {
	h := active()
	if h == nil {
		return time.NewTicker(d)
	}
	return c.newTicker(h, d)
}

func (c Call) newTicker(h Hub, d time.Duration) *time.Ticker {
	return value(c, h, opNewTicker, func() *time.Ticker {
		if clk, ok := h.(Clock); ok {
			return clk.NewTicker(c.site, d)
		}
		return time.NewTicker(d)
	})
}

// AfterFunc stands in for time.AfterFunc.
func (c Call) AfterFunc(d time.Duration, f func()) *time.Timer {
	return fwd21(c, d, f, time.AfterFunc, Call.hubAfterFunc)
}

// hubAfterFunc is AfterFunc while a hub is in force.
func (c Call) hubAfterFunc(d time.Duration, f func()) *time.Timer {
	h := active()
	if h == nil {
		return time.AfterFunc(d, f)
	}
	return c.afterFunc(h, d, f)
}

func (c Call) afterFunc(h Hub, d time.Duration, f func()) *time.Timer {
	return value(c, h, opAfterFunc, func() *time.Timer {
		if clk, ok := h.(Clock); ok {
			return clk.AfterFunc(c.site, d, f)
		}
		return time.AfterFunc(d, f)
	})
}

// Now stands in for time.Now.
func (c Call) Now() time.Time {
	return fwd01(c, time.Now, Call.hubNow)
}

// hubNow is Now while a hub is in force.
func (c Call) hubNow() time.Time {
	h := active()
	if h == nil {
		return time.Now()
	}
	return c.now(h)
}

func (c Call) now(h Hub) time.Time {
	return value(c, h, opNow, func() time.Time {
		if clk, ok := h.(Clock); ok {
			return clk.Now()
		}
		return time.Now()
	})
}

// Since stands in for time.Since.
func (c Call) Since(t time.Time) time.Duration {
	return fwd11(c, t, time.Since, Call.hubSince)
}

// hubSince is Since while a hub is in force.
func (c Call) hubSince(t time.Time) time.Duration {
	h := active()
	if h == nil {
		return time.Since(t)
	}
	return c.since(h, t)
}

func (c Call) since(h Hub, t time.Time) time.Duration {
	return value(c, h, opSince, func() time.Duration {
		if clk, ok := h.(Clock); ok {
			return clk.Now().Sub(t)
		}
		return time.Since(t)
	})
}

// Until stands in for time.Until.
func (c Call) Until(t time.Time) time.Duration {
	return fwd11(c, t, time.Until, Call.hubUntil)
}

// hubUntil is Until while a hub is in force.
func (c Call) hubUntil(t time.Time) time.Duration {
	h := active()
	if h == nil {
		return time.Until(t)
	}
	return c.until(h, t)
}

func (c Call) until(h Hub, t time.Time) time.Duration {
	return value(c, h, opUntil, func() time.Duration {
		if clk, ok := h.(Clock); ok {
			return t.Sub(clk.Now())
		}
		return time.Until(t)
	})
}

// TimerStop stands in for (*time.Timer).Stop. It stops the timer whatever the hub's
// Token.Err says.
func (c Call) TimerStop(t *time.Timer) bool {
	return fwd11(c, t, (*time.Timer).Stop, Call.hubTimerStop)
}

// hubTimerStop is TimerStop while a hub is in force.
func (c Call) hubTimerStop(t *time.Timer) bool {
	h := active()
	if h == nil {
		return t.Stop()
	}
	return c.timerStop(h, t)
}

func (c Call) timerStop(h Hub, t *time.Timer) bool {
	return value(c, h, opTimerStop, func() bool {
		if clk, ok := h.(Clock); ok {
			return clk.StopTimer(t)
		}
		return t.Stop()
	})
}

// TimerReset stands in for (*time.Timer).Reset.
func (c Call) TimerReset(t *time.Timer, d time.Duration) bool {
	return fwd21(c, t, d, (*time.Timer).Reset, Call.hubTimerReset)
}

// hubTimerReset is TimerReset while a hub is in force.
func (c Call) hubTimerReset(t *time.Timer, d time.Duration) bool {
	h := active()
	if h == nil {
		return t.Reset(d)
	}
	return c.timerReset(h, t, d)
}

func (c Call) timerReset(h Hub, t *time.Timer, d time.Duration) bool {
	return value(c, h, opTimerReset, func() bool {
		if clk, ok := h.(Clock); ok {
			return clk.ResetTimer(t, d)
		}
		return t.Reset(d)
	})
}

// TickerStop stands in for (*time.Ticker).Stop. It stops the ticker whatever the
// hub's Token.Err says.
func (c Call) TickerStop(t *time.Ticker) {
	fwd10(c, t, (*time.Ticker).Stop, Call.hubTickerStop)
}

// hubTickerStop is TickerStop while a hub is in force.
func (c Call) hubTickerStop(t *time.Ticker) {
	h := active()
	if h == nil {
		t.Stop()
		return
	}
	c.tickerStop(h, t)
}

func (c Call) tickerStop(h Hub, t *time.Ticker) {
	always(c, h, opTickerStop, func() {
		if clk, ok := h.(Clock); ok {
			clk.StopTicker(t)
		} else {
			t.Stop()
		}
	})
}

// TickerReset stands in for (*time.Ticker).Reset.
func (c Call) TickerReset(t *time.Ticker, d time.Duration) {
	fwd20(c, t, d, (*time.Ticker).Reset, Call.hubTickerReset)
}

// hubTickerReset is TickerReset while a hub is in force.
func (c Call) hubTickerReset(t *time.Ticker, d time.Duration) {
	h := active()
	if h == nil {
		t.Reset(d)
		return
	}
	c.tickerReset(h, t, d)
}

func (c Call) tickerReset(h Hub, t *time.Ticker, d time.Duration) {
	always(c, h, opTickerReset, func() {
		if clk, ok := h.(Clock); ok {
			clk.ResetTicker(t, d)
		} else {
			t.Reset(d)
		}
	})
}

var (
	opContextWithTimeout  = &Op{"time", "context.WithTimeout"}
	opContextWithDeadline = &Op{"time", "context.WithDeadline"}
)

// ContextWithTimeout stands in for context.WithTimeout. Under a hub that keeps its
// own time (the sim) the deadline is on that clock.
func (c Call) ContextWithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return fwd22(c, parent, d, context.WithTimeout, Call.hubContextWithTimeout)
}

// hubContextWithTimeout is ContextWithTimeout while a hub is in force.
func (c Call) hubContextWithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	h := active()
	if h == nil {
		return context.WithTimeout(parent, d)
	}
	return c.contextWithTimeout(h, parent, d)
}

func (c Call) contextWithTimeout(h Hub, parent context.Context, d time.Duration) (ctx context.Context, cancel context.CancelFunc) {
	always(c, h, opContextWithTimeout, func() { ctx, cancel = WithTimeout(c, parent, d) })
	return ctx, cancel
}

// ContextWithDeadline stands in for context.WithDeadline. Under a hub that keeps
// its own time (the sim) the deadline is on that clock.
func (c Call) ContextWithDeadline(parent context.Context, t time.Time) (context.Context, context.CancelFunc) {
	return fwd22(c, parent, t, context.WithDeadline, Call.hubContextWithDeadline)
}

// hubContextWithDeadline is ContextWithDeadline while a hub is in force.
func (c Call) hubContextWithDeadline(parent context.Context, t time.Time) (context.Context, context.CancelFunc) {
	h := active()
	if h == nil {
		return context.WithDeadline(parent, t)
	}
	return c.contextWithDeadline(h, parent, t)
}

func (c Call) contextWithDeadline(h Hub, parent context.Context, t time.Time) (ctx context.Context, cancel context.CancelFunc) {
	always(c, h, opContextWithDeadline, func() { ctx, cancel = WithDeadline(c, parent, t) })
	return ctx, cancel
}
