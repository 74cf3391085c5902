// Package compare is a test-only module that runs the same workload under
// gopatch's sim hub and under testing/synctest (Go 1.25), so that the runtime
// module itself can stay at go 1.21. Run: cd runtime/simtest/compare && go test -bench .
package compare
