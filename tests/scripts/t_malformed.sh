#!/usr/bin/env bash
# Robustness: run the ASan+UBSan build on every file under $DATA/pcap/malformed
# (recursively, every file, whatever its name), two at a time, 10 s each.
# A file passes when there is no sanitizer report, no crash signal, no timeout,
# and the exit status is 0, 1 or 2. Prints one line per file, the exit-status
# counts, the failing files with the start of their stderr, then
# "N passed, N failed".
#
# Usage: tests/scripts/t_malformed.sh [-j N] [-t SECONDS] [FILE...]
# Env: ASCRIBE_DATA (data folder), ASCRIBE_ASAN_BIN (default build-asan/ascribe),
#      CI=true makes a missing data folder a failure.
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
jobs=2
tmo=10
while getopts "j:t:" opt; do
    case $opt in
    j) jobs=$OPTARG ;;
    t) tmo=$OPTARG ;;
    *) echo "usage: $0 [-j N] [-t SECONDS] [FILE...]" >&2; exit 1 ;;
    esac
done
shift $((OPTIND - 1))

data=${ASCRIBE_DATA:-../shared/data}
case $data in /*) ;; *) data=$repo/$data ;; esac
dir=$data/pcap/malformed
bin=${ASCRIBE_ASAN_BIN:-$repo/build-asan/ascribe}

if [ $# -eq 0 ] && [ ! -d "$dir" ]; then
    if [ "${CI:-}" = true ]; then
        echo "not ok - test data folder $dir exists (CI=true: missing data is a failure; set ASCRIBE_DATA)"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "# SKIP: test data folder $dir not found (set ASCRIBE_DATA); under CI=true this is a failure"
    echo "0 passed, 0 failed"
    exit 0
fi
if [ ! -x "$bin" ]; then
    echo "not ok - sanitizer binary $bin exists (run \`make asan\`)"
    echo "0 passed, 1 failed"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ascribe-malformed.XXXXXX")
trap 'rm -rf "$work"' EXIT

# exitcode=: distinct statuses, so a sanitizer abort is never mistaken for
# ascribe's own exit 1 (the stderr check below catches it anyway).
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:exitcode=86:abort_on_error=0:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87
export LSAN_OPTIONS=exitcode=88

# One file: writes "<status>\t<exit>\t<file>" to $work/res/<n>, stderr to $work/err/<n>.
one() {
    local n=$1 f=$2 rc status
    timeout -k 5 "$tmo" "$bin" flows "$f" >/dev/null 2>"$work/err/$n" </dev/null
    rc=$?
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|UndefinedBehaviorSanitizer|SUMMARY: (Address|Undefined|Leak)' "$work/err/$n"; then
        status=sanitizer
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        status=timeout
    elif [ $rc -ge 86 ] && [ $rc -le 88 ]; then
        status=sanitizer
    elif [ $rc -ge 128 ]; then
        status="signal-$((rc - 128))"
    elif [ $rc -le 2 ]; then
        status=ok
    else
        status=bad-exit
    fi
    printf '%s\t%s\t%s\n' "$status" "$rc" "$f" >"$work/res/$n"
}
export -f one
export bin tmo work
mkdir -p "$work/res" "$work/err"

if [ $# -gt 0 ]; then
    printf '%s\0' "$@" >"$work/list"
else
    find "$dir" -type f -print0 | sort -z >"$work/list"
fi
mapfile -d '' files <"$work/list"
total=${#files[@]}
echo "# $total files, $jobs in parallel, ${tmo}s timeout each, $bin"

start=$(date +%s)
# number the files so results and stderr land in distinct files
# shellcheck disable=SC2016 # expanded by the inner bash
for ((n = 1; n <= total; n++)); do printf '%d\t%s\0' "$n" "${files[n - 1]}"; done |
    xargs -0 -P "$jobs" -n 1 bash -c 'one "${1%%	*}" "${1#*	}"' _ 2>>"$work/runner.err"
end=$(date +%s)

pass=0
fail=0
declare -A rcs=()
for ((n = 1; n <= total; n++)); do
    if [ ! -f "$work/res/$n" ]; then
        f=${files[n - 1]}
        echo "not ok - ${f#"$dir"/}: no result (runner failure)"
        fail=$((fail + 1))
        continue
    fi
    IFS=$'\t' read -r status rc f <"$work/res/$n"
    rel=${f#"$dir"/}
    if [ "$status" = ok ]; then
        echo "ok - $rel (exit $rc)"
        pass=$((pass + 1))
        rcs[$rc]=$((${rcs[$rc]:-0} + 1))
    else
        echo "not ok - $rel: $status (exit $rc)"
        grep -m 12 -E 'ERROR|runtime error|SUMMARY|#[0-9] |signal|timeout' "$work/err/$n" | sed 's/^/#   /'
        fail=$((fail + 1))
        echo "$rel: $status (exit $rc)" >>"$work/failed"
    fi
done

echo "# exit statuses of clean runs: 0: ${rcs[0]:-0}, 1: ${rcs[1]:-0}, 2: ${rcs[2]:-0}; $((end - start)) s"
if [ -s "$work/failed" ]; then
    echo "# failing files:"
    sed 's/^/#   /' "$work/failed"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
