#!/bin/sh
# bench-runtime.sh: the runtime's passthrough shims against the direct calls they
# stand in for, one row per category, with benchstat's columns impl=direct,
# impl=shim (passthrough) and impl=hub (a hub that does nothing).
#
#	scripts/bench-runtime.sh [count [benchtime]]
#
# The raw output is left in runtime-bench.txt in the current directory. benchstat
# comes from golang.org/x/perf/cmd/benchstat.
set -eu
count=${1:-6}
benchtime=${2:-1s}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(pwd)/runtime-bench.txt
cd "$root/runtime"
go test -run '^$' \
	-bench '^Benchmark(Now|Since|Sleep0|MutexLockUnlock|WaitGroupAddDone|FileReadAt|ConnWrite|LookupPort|ClientGet|TLSConnWrite|CmdRun)$' \
	-benchmem -count "$count" -benchtime "$benchtime" > "$out"
benchstat -col /impl "$out"
