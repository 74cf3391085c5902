package gopatchrt

import (
	"fmt"
	"os"
	"sort"
	"sync"
)

// Hub decides what a patched blocking call does. Before runs ahead of the original
// call and After once it returns; a hub that wants the original not to run at all
// (a fault, say) returns a Token whose Err is set, and the call returns that error
// (calls that cannot fail ignore it).
//
// Hubs must be safe for concurrent use.
type Hub interface {
	// Name identifies the hub, e.g. "observe"; it is what GOPATCH_HUB selects.
	Name() string
	// Before is called before the blocking operation op at site.
	Before(site *Site, op *Op) Token
	// After is called after it, with the token Before returned and the call's error.
	After(site *Site, op *Op, t Token, err error)
}

// Token carries what a hub needs from Before to After.
type Token struct {
	// Start is free for the hub's use, typically a start time in nanoseconds.
	Start int64
	// Err, when non-nil, is returned in place of the original call, which does not run.
	Err error
}

// Op describes one kind of patched operation: the rule that produced the call site.
type Op struct {
	Category string // rule category, e.g. "time"
	Call     string // canonical call, e.g. "time.Sleep" or "(*sync.Mutex).Lock"
}

// hubBox lets an interface value sit behind an atomic pointer.
type hubBox struct{ hub Hub }

// current is nil while no hub is in force: the passthrough fast path.
var current atomicPointer[hubBox]

// active returns the hub in force, or nil for passthrough.
func active() Hub {
	if b := current.Load(); b != nil {
		return b.hub
	}
	return nil
}

// Passthrough is the name of the default hub, under which patched calls go straight
// to the original.
const Passthrough = "passthrough"

// Use puts h in force for every patched call from now on; nil restores passthrough.
// It returns the hub that was in force before (nil for passthrough).
func Use(h Hub) Hub {
	var b *hubBox
	if h != nil {
		b = &hubBox{hub: h}
	}
	if old := current.Swap(b); old != nil {
		return old.hub
	}
	return nil
}

// Current returns the name of the hub in force.
func Current() string {
	if h := active(); h != nil {
		return h.Name()
	}
	return Passthrough
}

var (
	registryMu sync.Mutex
	registry   = map[string]func() Hub{}
)

// Register makes a hub available by name to UseNamed and to GOPATCH_HUB. Hubs that
// ship with the runtime register themselves; a program may register its own before
// calling UseNamed.
func Register(name string, newHub func() Hub) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[name] = newHub
}

// Hubs lists the names of the registered hubs, passthrough included.
func Hubs() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	names := []string{Passthrough}
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names[1:])
	return names
}

// UseNamed puts the registered hub called name in force.
func UseNamed(name string) error {
	if name == "" || name == Passthrough {
		Use(nil)
		return nil
	}
	registryMu.Lock()
	newHub := registry[name]
	registryMu.Unlock()
	if newHub == nil {
		return fmt.Errorf("gopatch: unknown hub %q (have %v)", name, Hubs())
	}
	Use(newHub())
	return nil
}

// EnvHub is the environment variable that chooses the hub at process start.
const EnvHub = "GOPATCH_HUB"

var startOnce sync.Once

// start applies GOPATCH_HUB once, when the first patched package is registered:
// that is during package initialization, before main or any test runs. An unknown
// name is reported on standard error and leaves passthrough in force, so that a
// typo cannot stop a program.
func start() {
	startOnce.Do(func() {
		if name := os.Getenv(EnvHub); name != "" {
			if err := UseNamed(name); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}
	})
}
