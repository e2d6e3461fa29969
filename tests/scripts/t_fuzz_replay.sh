#!/usr/bin/env bash
# t_fuzz_replay.sh - replays the malformed capture corpus (and the flow-export and
# Zeek log files of $data/flows) through every libFuzzer harness in tests/fuzz, built with the plain replay driver (tests/fuzz/onefile.c) under
# ASan+UBSan, so the harnesses' own code paths run on hostile input in every `make test`
# without libFuzzer. Pass: no sanitizer report, no crash, for every file.
# fuzz_intel and fuzz_registry also replay the intel lists, the registry files (the
# small ones: all of them but the large RIR and pfx2as tables, which test_registry_geo
# covers) and the hand-made broken inputs in tests/fuzz/seeds/{intel,registry}.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
data=${ASCRIBE_DATA:-../shared/data}
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
if [ ! -d "$data/pcap/malformed" ]; then
    if [ "${CI:-}" = true ]; then notok "test data $data/pcap/malformed missing"; else echo "skip: no $data"; fi
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]; exit
fi
lib=build-asan/libascribe.a
[ -f "$lib" ] || { notok "$lib missing (run make asan)"; echo "$pass passed, $fail failed"; exit 1; }
out=build/fuzz-replay
mkdir -p "$out"
mapfile -t files < <(find "$data/pcap/malformed" -type f | sort;
    [ -d "$data/flows" ] && find "$data/flows" -type f -size -1048576c | sort)
for h in tests/fuzz/fuzz_*.c; do
    name=$(basename "$h" .c)
    bin=$out/$name
    if ! clang -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g \
        -fsanitize=address,undefined -fno-sanitize-recover=all -o "$bin" \
        tests/fuzz/onefile.c "$h" "$lib" $(pkg-config --libs libpcap nettle jansson zlib) -lm \
        2>"$out/$name.build.log"; then
        notok "$name: replay build failed ($(head -c 300 "$out/$name.build.log"))"
        continue
    fi
    # Batches keep the process count low; any report aborts the batch.
    bad=0
    extra=()
    case $name in
    fuzz_intel) mapfile -t extra < <( { find "$data/intel" -type f ! -name '*.md';
                                        find tests/fuzz/seeds/intel -type f; } | sort) ;;
    fuzz_registry) mapfile -t extra < <( { find "$data/geo/iptoasn-sample" -name '*.tsv';
                                           find "$data/geo/ipverse-country-ip-blocks/country" -type f -size -20k | sort | head -50;
                                           find "$data/geo" -maxdepth 2 -name 'SOURCES.md';
                                           find tests/fuzz/seeds/registry -type f; } | sort) ;;
    esac
    printf '%s\0' "${files[@]}" "${extra[@]+"${extra[@]}"}" | ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        timeout -k 5 300 xargs -0 -n 100 "$bin" >"$out/$name.log" 2>&1 || bad=1
    if [ $bad -eq 0 ] && ! grep -q "ERROR: AddressSanitizer\|runtime error" "$out/$name.log"; then
        ok "$name replays ${#files[@]} malformed captures and flow files${extra[0]:+ and ${#extra[@]} list/registry files} under ASan+UBSan"
    else
        notok "$name on the malformed corpus: $(grep -m1 -A3 'ERROR\|runtime error' "$out/$name.log")"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
