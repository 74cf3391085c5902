#!/usr/bin/env bash
# bench-rewriter.sh: the rewriter's cost on a large real module, side by side with
# its peers in one run, and how scan time grows with module size.
#
#   scripts/bench-rewriter.sh [-r RUNS] [-o FRAGMENT.md] [--update]
#
# Compared, on a scratch copy of golang.org/x/tools@v0.52.0 (240k lines):
#   gopatch scan    gopatch scan --format json ./...   (all rules)
#   gopatch diff    gopatch diff ./...                 (all rules)
#   gofmt -l        gofmt -l FILES                     (the parse floor)
#   gofmt -r        gofmt -l -r 'time.Sleep(a) -> gopatchSleep(a)' FILES (syntactic peer, one rule)
#   eg              eg -t sleep.template ./...         (type-aware peer, one template)
# FILES are the files gopatch loads: go list's GoFiles, CgoFiles, TestGoFiles and
# XTestGoFiles of ./... . Wall times are hyperfine medians (one warm-up run, so
# the build cache holds the dependencies' export data); peak RSS is the median of
# /usr/bin/time's maximum resident set size (the largest process of the command's
# tree: for gopatch and eg that may be `go list`).
#
# Then the scaling run: gopatch scan's median on modules of growing size.
#
# The results go to FRAGMENT.md (default: $TMPDIR/bench-rewriter.md); --update also
# puts them into BENCHMARKS.md between the rewriter-results markers, leaving
# the rest of the file alone. Needs the module proxy (or a warm module cache),
# hyperfine, GNU time and jq (installed with apt-get when missing and root).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=5
OUT=${TMPDIR:-/tmp}/bench-rewriter.md
UPDATE=0
while [ $# -gt 0 ]; do
	case $1 in
	-r) RUNS=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	--update) UPDATE=1; shift ;;
	*) echo "usage: $0 [-r RUNS] [-o FRAGMENT.md] [--update]" >&2; exit 2 ;;
	esac
done

LARGE=golang.org/x/tools@v0.52.0
SIZES=(golang.org/x/sync@v0.24.0 github.com/miekg/dns@v1.1.73 golang.org/x/net@v0.61.0 golang.org/x/tools@v0.52.0)
EG_VERSION=v0.52.0

export GOWORK=off GOTOOLCHAIN=local
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-rewriter.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
BIN=$WORK/bin
mkdir -p "$BIN"

need() { # need COMMAND DEBIAN-PACKAGE
	command -v "$1" >/dev/null 2>&1 && return
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null; }
	fi
	command -v "$1" >/dev/null 2>&1 || { echo "bench-rewriter: $1 is missing (apt-get install $2)" >&2; exit 1; }
}
need hyperfine hyperfine
need jq jq
[ -x /usr/bin/time ] || need /usr/bin/time time
GTIME=/usr/bin/time

echo "== tools" >&2
(cd "$ROOT" && go build -o "$BIN/gopatch" ./cmd/gopatch && go build -o "$BIN/loadfloor" ./scripts/loadfloor)
GOBIN=$BIN GOFLAGS=-mod=mod go install "golang.org/x/tools/cmd/eg@$EG_VERSION"
GOPATCH=$BIN/gopatch
EG=$BIN/eg

# fetch MODULE@VERSION: a writable scratch copy with its dependencies downloaded;
# prints its directory.
fetch() {
	local dir src
	dir=$WORK/mod/$(echo "$1" | tr '/@' '__')
	if [ ! -d "$dir" ]; then
		src=$(go mod download -json "$1" | jq -r .Dir)
		mkdir -p "$dir"
		cp -R "$src/." "$dir/"
		chmod -R u+w "$dir"
		(cd "$dir" && go mod download >/dev/null 2>&1 || true)
	fi
	echo "$dir"
}

# files DIR: the files gopatch loads, one a line, absolute.
files() {
	(cd "$1" && go list -e -f '{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .CgoFiles}}{{$d}}/{{.}}
{{end}}{{range .TestGoFiles}}{{$d}}/{{.}}
{{end}}{{range .XTestGoFiles}}{{$d}}/{{.}}
{{end}}' ./... | sort -u | grep .)
}

lines() { xargs cat <"$1" | wc -l | tr -d ' '; }

# median of numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# peakrss NAME CMD: median of 3 runs' maximum RSS in MiB
peakrss() {
	local i
	for i in 1 2 3; do
		$GTIME -f '%M' -o "$WORK/rss" bash -c "$2" >/dev/null 2>&1 || true
		tail -1 "$WORK/rss"
	done | median | awk '{printf "%.0f", $1/1024}'
}

echo "== large module: $LARGE" >&2
MOD=$(fetch "$LARGE")
files "$MOD" >"$WORK/files"
NFILES=$(wc -l <"$WORK/files" | tr -d ' ')
NLINES=$(lines "$WORK/files")
cat >"$WORK/sleep.template" <<'EOF'
package template

import "time"

func before(d time.Duration) { time.Sleep(d) }
func after(d time.Duration)  { <-time.After(d) }
EOF
cp "$WORK/sleep.template" "$WORK/sleep_template.go"

# Each command must succeed once before it is timed.
# "go list" and "load only" are the floor under gopatch: the go command's listing
# that go/packages runs for gopatch's load mode, then that load with nothing after.
NAMES=("gopatch scan" "gopatch diff" "gofmt -l" "gofmt -r" "eg" "go list" "load only")
CMDS=(
	"cd $MOD && $GOPATCH scan --format json ./... >/dev/null"
	"cd $MOD && $GOPATCH diff ./... >/dev/null"
	"gofmt -l \$(cat $WORK/files) >/dev/null"
	"gofmt -l -r 'time.Sleep(a) -> gopatchSleep(a)' \$(cat $WORK/files) >/dev/null"
	"cd $MOD && $EG -t $WORK/sleep_template.go ./... >/dev/null"
	"cd $MOD && go list -e -json -compiled=true -test=true -export=true -deps=true ./... >/dev/null"
	"cd $MOD && $BIN/loadfloor ./... >/dev/null"
)
for i in "${!CMDS[@]}"; do
	bash -c "${CMDS[$i]}" 2>"$WORK/err" || { echo "bench-rewriter: ${NAMES[$i]} failed:" >&2; tail -20 "$WORK/err" >&2; exit 1; }
done

HF=()
for i in "${!CMDS[@]}"; do HF+=(-n "${NAMES[$i]}" "${CMDS[$i]}"); done
hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$WORK/large.json" "${HF[@]}" >&2

declare -A MED RSS
for i in "${!NAMES[@]}"; do
	MED[${NAMES[$i]}]=$(jq -r --arg n "${NAMES[$i]}" '.results[] | select(.command == $n) | .median' "$WORK/large.json")
	RSS[${NAMES[$i]}]=$(peakrss "${NAMES[$i]}" "${CMDS[$i]}")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
secs() { awk -v a="$1" 'BEGIN {printf "%.2f", a}'; }
verdict() { awk -v r="$1" -v lim="$2" 'BEGIN {print (r <= lim) ? "met" : "missed"}'; }

echo "== scaling" >&2
SCALE_ROWS=()
: >"$WORK/fit"
for m in "${SIZES[@]}"; do
	dir=$(fetch "$m")
	files "$dir" >"$WORK/files.scale"
	n=$(lines "$WORK/files.scale")
	f=$(wc -l <"$WORK/files.scale" | tr -d ' ')
	hyperfine --warmup 1 --runs 3 --style none --export-json "$WORK/scale.json" \
		-n scan "cd $dir && $GOPATCH scan --format json ./... >/dev/null" \
		-n gofmt "gofmt -l \$(cat $WORK/files.scale) >/dev/null" >&2
	s=$(jq -r '.results[] | select(.command == "scan") | .median' "$WORK/scale.json")
	g=$(jq -r '.results[] | select(.command == "gofmt") | .median' "$WORK/scale.json")
	echo "$n $s" >>"$WORK/fit"
	SCALE_ROWS+=("| $m | $f | $n | $(secs "$s") | $(awk -v s="$s" -v n="$n" 'BEGIN {printf "%.1f", s*1000000/n}') | $(secs "$g") |")
done

{
	echo "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-rewriter.sh -r $RUNS\`: $(nproc) cores, $(go version | awk '{print $3}'), hyperfine $(hyperfine --version | awk '{print $2}'), eg from golang.org/x/tools $EG_VERSION."
	echo
	echo "Large module: $LARGE, $NFILES files, $NLINES lines (the files gopatch loads, tests included); median of $RUNS runs after a warm-up."
	echo
	echo "| command | median wall (s) | peak RSS (MiB) | vs gofmt -l | vs eg |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	for n in "${NAMES[@]}"; do
		echo "| $n | $(secs "${MED[$n]}") | ${RSS[$n]} | $(ratio "${MED[$n]}" "${MED[gofmt -l]}")× | $(ratio "${MED[$n]}" "${MED[eg]}")× |"
	done
	echo
	r_eg=$(ratio "${MED[gopatch diff]}" "${MED[eg]}")
	r_fmt=$(ratio "${MED[gopatch diff]}" "${MED[gofmt -l]}")
	echo "Targets: gopatch diff with all rules faster than eg with one template: ${r_eg}× eg's time, $(verdict "$r_eg" 0.9999). Within 3× of gofmt -l: ${r_fmt}×, $(verdict "$r_fmt" 3)."
	echo
	echo "Floor: the go command's listing alone takes $(ratio "${MED[go list]}" "${MED[gofmt -l]}")× gofmt -l, and the go/packages load alone (\`scripts/loadfloor\`, gopatch's load mode and nothing after) $(ratio "${MED[load only]}" "${MED[gofmt -l]}")×; gopatch diff spends $(awk -v a="${MED[load only]}" -v b="${MED[gopatch diff]}" 'BEGIN {printf "%.0f", 100*a/b}')% of its time there."
	echo
	echo "Scaling: gopatch scan (all rules) by module size, median of 3 runs after a warm-up, with gofmt -l over the same files."
	echo
	echo "| module | files | lines | scan (s) | scan µs/line | gofmt -l (s) |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${SCALE_ROWS[@]}"
	echo
	# Least squares: scan seconds = a + b * lines, and how well a line fits (R²).
	awk '{n++; x+=$1; y+=$2; xx+=$1*$1; xy+=$1*$2; yy+=$2*$2}
	END {
		b = (n*xy - x*y) / (n*xx - x*x); a = (y - b*x) / n
		r = (n*xy - x*y) / sqrt((n*xx - x*x) * (n*yy - y*y))
		printf "Linear fit: scan ≈ %.2f s + %.1f µs × lines (R² = %.3f): a fixed start-up (go list, the rule catalog resolved against the standard library) plus a cost per line.\n", a, b*1e6, r*r
	}' "$WORK/fit"
} >"$OUT"

cat "$OUT"

if [ "$UPDATE" = 1 ]; then
	B=$ROOT/BENCHMARKS.md
	grep -q '<!-- rewriter-results:begin -->' "$B" || { echo "bench-rewriter: no rewriter-results markers in $B" >&2; exit 1; }
	awk -v frag="$OUT" '
		/<!-- rewriter-results:begin -->/ { print; while ((getline l < frag) > 0) print l; skip = 1; next }
		/<!-- rewriter-results:end -->/ { skip = 0 }
		!skip { print }
	' "$B" >"$B.tmp" && mv "$B.tmp" "$B"
	echo "bench-rewriter: updated $B" >&2
fi
