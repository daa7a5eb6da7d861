#!/usr/bin/env bash
# Builds the open+decode fuzzer (libFuzzer + AddressSanitizer, debug) and runs it.
#
#     bash Fuzz/run.sh [SECONDS]      # default 60; `make fuzz FUZZ_SECONDS=600`
#
# The corpus grows in Fuzz/corpus (gitignored); each run first writes a few seeds into it
# (sealed datagrams that open, compound packets: `FuzzOpenDecode --write-seeds=DIR`).
# A crashing input is saved as Fuzz/crash-<sha1>; replay it with
#     SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzOpenDecode Fuzz/crash-<sha1>
# The whole libFuzzer log of the last run is kept in .build-fuzz/last-run.log.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -eq 0 ]]; then
    echo "run.sh: the fuzzing time is a whole number of seconds, not '$seconds'" >&2
    exit 2
fi

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
scratch="$root/.build-fuzz"
corpus="$fuzz_dir/corpus"
log="$scratch/last-run.log"

# Swift's own crash backtracer trips over AddressSanitizer (it reads the crashed thread's
# stack, which ASan reports as an underflow, and may then hang); without it, a trap ends in
# libFuzzer's "deadly signal" report with the Swift message and a symbolized stack.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

cd "$fuzz_dir"
# `--sanitize=fuzzer --sanitize=address` alone is not enough with Swift 6.3.1: SwiftPM hands
# swiftc two separate -sanitize= flags, in an order that changes from run to run, and the
# driver forwards only the last of them to the compiler. Half the builds then carry no
# coverage counters (libFuzzer fuzzes blind), the other half no ASan checks. The joined
# flag, which SwiftPM appends after its own, makes every compile get both.
build=(swift build --scratch-path "$scratch" -c debug --sanitize=fuzzer --sanitize=address
       -Xswiftc -sanitize=fuzzer,address)
echo "+ ${build[*]}"
# ld.gold warns once per ASan helper symbol ("Cannot export local symbol"): harmless noise.
"${build[@]}" 2>&1 | { grep -v "Cannot export local symbol" || true; }
bin="$("${build[@]}" --show-bin-path)"

mkdir -p "$corpus"
"$bin/FuzzOpenDecode" --write-seeds="$corpus"

# Refuse to run a binary that libFuzzer cannot see coverage in.
probe="$("$bin/FuzzOpenDecode" -runs=0 "$corpus" 2>&1)" || true
if ! grep -q 'inline 8-bit counters' <<<"$probe"; then
    echo "run.sh: $bin/FuzzOpenDecode has no coverage counters; rebuild it with -sanitize=fuzzer" >&2
    exit 1
fi

echo "+ FuzzOpenDecode for ${seconds}s on $corpus ($(find "$corpus" -type f | wc -l) inputs)"
status=0
"$bin/FuzzOpenDecode" \
    -max_total_time="$seconds" \
    -max_len=2048 \
    -timeout=10 \
    -print_final_stats=1 \
    -artifact_prefix="$fuzz_dir/" \
    "$corpus" >"$log" 2>&1 || status=$?

echo "--- libFuzzer's last lines and final stats (whole log: $log)"
grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 3 || true
grep -E '^(stat::|Done [0-9]+ runs)' "$log" || true
if [[ "$status" -ne 0 ]]; then
    echo "--- the fuzzer stopped with status $status:"
    grep -n -E 'ERROR|Fatal error|deadly signal|crash-|leak-|timeout-|SUMMARY' "$log" || tail -n 40 "$log"
fi
exit "$status"
