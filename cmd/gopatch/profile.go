package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiled runs f, writing a CPU profile to $GOPATCH_CPUPROFILE and a heap
// profile to $GOPATCH_MEMPROFILE when they are set. Undocumented: for measuring
// gopatch itself.
func profiled(f func() int) int {
	if name := os.Getenv("GOPATCH_CPUPROFILE"); name != "" {
		out, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gopatch:", err)
			return exitError
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			fmt.Fprintln(os.Stderr, "gopatch:", err)
			return exitError
		}
		defer pprof.StopCPUProfile()
	}
	code := f()
	if name := os.Getenv("GOPATCH_MEMPROFILE"); name != "" {
		out, err := os.Create(name)
		if err == nil {
			runtime.GC()
			err = pprof.Lookup("allocs").WriteTo(out, 0)
			out.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gopatch:", err)
			return exitError
		}
	}
	return code
}
