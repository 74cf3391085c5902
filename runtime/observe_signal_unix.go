//go:build unix

package gopatchrt

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// notifyProfileSignal calls write whenever the process receives the named signal.
// Only the signals that a program is unlikely to rely on are offered; asking for
// one replaces its default action (for USR1, USR2 and HUP, terminating the process).
func notifyProfileSignal(name string, write func()) error {
	var sig os.Signal
	switch strings.TrimPrefix(strings.ToUpper(name), "SIG") {
	case "USR1":
		sig = syscall.SIGUSR1
	case "USR2":
		sig = syscall.SIGUSR2
	case "HUP":
		sig = syscall.SIGHUP
	default:
		return fmt.Errorf("signal %q is not one of USR1, USR2, HUP", name)
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sig)
	go func() {
		for range ch {
			write()
		}
	}()
	return nil
}
