// Package realmod proves gopatch on code nobody here wrote, the way gevent runs
// CPython's own standard-library tests under monkey patching.
//
// For each module pinned in testdata/realmod/modules.txt the harness fetches the
// module from the module proxy into a scratch copy, runs its own tests as a
// baseline, applies gopatch with every default category (the runtime replaced by
// this checkout's runtime/), builds, vets and tests it again, compares the
// result test by test with the baseline, reverts, and checks that every .go
// file, go.mod and go.sum are byte-identical to the pristine copy. It prints a
// table: sites found per category, sites patched, sites left unsupported,
// build/vet/test patched against baseline, the revert, and the time.
//
// A test that passes in the baseline and fails when patched is a gopatch
// failure, unless testdata/realmod/known-failures.txt names it with the reason
// (the goal is an empty list). Tests that fail in the baseline, for example
// because they need the internet, are not held against gopatch.
//
// The CI subset (entries flagged ci):
//
//	go test -tags realmod -run TestRealModules -timeout 60m -v ./realmod
//
// Every entry, including the large one (golang.org/x/tools: apply, build,
// revert, compare):
//
//	go test -tags realmod -run TestRealModules -timeout 120m -v ./realmod -realmod.all
//
// Other flags: -realmod.only REGEXP (entries whose module path matches, ci flag
// or not), -realmod.profile sim (also patch go statements and channel
// operations), -realmod.keep (keep the scratch copies), -realmod.out FILE (write
// the table to FILE as well).
//
// The files list.go and list_test.go hold the parsers of the two lists and
// check them on every `go test ./...`; the harness itself is behind the
// realmod build tag because it needs the module proxy and takes minutes.
package realmod
