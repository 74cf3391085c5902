//go:build !go1.23 || gopatch_chanbaton

package gopatchrt

// The baton passed through channels: each owned goroutine is a goroutine of its
// own, parked on its wake channel while it does not hold the baton. Handing the
// baton over is one send on the next goroutine's channel and one receive on
// one's own, each of which goes through the Go scheduler's run queue. This is
// the baton before Go 1.23 (no coroutines) and with the build tag
// gopatch_chanbaton; sim_baton_coro.go is the faster one.

// baton is what a goroutine record needs to be suspended and resumed: its wake
// channel is all.
type baton struct{}

// drivers is what the sim needs to resume owned goroutines: nothing.
type drivers struct{}

func (s *Sim) initDrivers()       {}
func (s *Sim) quitDrivers()       {}
func (s *Sim) driverCount() int32 { return 0 }

// startG starts the owned goroutine g, which runs f once it is handed the baton.
func (s *Sim) startG(g *simG, f func()) {
	go func() {
		<-g.wake
		s.gmain(g, f)
	}()
}

// pass gives up the baton held by g, the calling goroutine, to next (nil: nobody
// yet), and returns when g holds it again.
func (s *Sim) pass(g, next *simG) {
	if next != nil {
		next.wake <- struct{}{}
	}
	<-g.wake
}

// resume hands the baton to g, parked in pass or not yet started, from a
// goroutine that goes on running.
func (s *Sim) resume(g *simG) { g.wake <- struct{}{} }

// parkingLocked marks g as about to pass the baton to nobody: its wake channel
// holds a baton handed over before it parks.
func (s *Sim) parkingLocked(g *simG) {}

// leave hands the baton to next (nil: nobody) from the owned goroutine g, which
// is about to end.
func (s *Sim) leave(g, next *simG) {
	if next != nil {
		next.wake <- struct{}{}
	}
}
