//go:build !unix

package gopatchrt

import "fmt"

// notifyProfileSignal reports that profile signals need a Unix system.
func notifyProfileSignal(name string, write func()) error {
	return fmt.Errorf("signal %q: profile signals need a Unix system", name)
}
