#!/bin/sh
# bench-baton.sh: the sim's two batons side by side, interleaved in one run: the
# channel baton (-tags gopatch_chanbaton; the only one before Go 1.23) against
# the coroutine baton (the default), on the sim's benchmarks and the no-hub
# floors, at GOMAXPROCS 1 and 2.
#
#	scripts/bench-baton.sh [count [bench-regexp]]
#
# The raw outputs are left in baton-chan.txt and baton-coro.txt in the current
# directory. benchstat comes from golang.org/x/perf/cmd/benchstat.
set -eu
count=${1:-6}
bench=${2:-'SimHandoff|SimSleep|BenchmarkRing|ChanBaton|CoroBaton'}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root/runtime"
go test -c -o "$tmp/chan.test" -tags gopatch_chanbaton .
go test -c -o "$tmp/coro.test" .
: > "$out/baton-chan.txt"
: > "$out/baton-coro.txt"
i=0
while [ "$i" -lt "$count" ]; do
	for baton in chan coro; do
		"$tmp/$baton.test" -test.run '^$' -test.bench "$bench" -test.cpu 1,2 -test.count 1 >> "$out/baton-$baton.txt"
	done
	i=$((i + 1))
done
cd "$out"
benchstat chan=baton-chan.txt coro=baton-coro.txt
