#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for a bounded time.
# Fails on any crash, hang (timeout), leak or sanitizer report; the failing input is copied to
# Fuzz/work/ — add it to Fuzz/regressions/ so the test suite replays it forever after.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 10: about a minute for the seven targets)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
swift build --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING --product SealedJournalFuzz \
    --scratch-path .build-fuzz 2>&1 | grep -vE "ld.gold: warning: Cannot export local symbol" || true
binary=".build-fuzz/debug/SealedJournalFuzz"
[[ -x "$binary" ]] || { echo "fuzz: build failed" >&2; exit 1; }
work="Fuzz/work"
rm -rf "$work" && mkdir -p "$work"
status=0
for target in header frame checkpoint bundle text file plaintext; do
    mkdir -p "$work/corpus-$target"
    if SEALED_JOURNAL_FUZZ_TARGET="$target" "$binary" "$work/corpus-$target" "Fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$work/crash-$target-" \
        -print_final_stats=1 > "$work/$target.log" 2>&1; then
        echo "fuzz $target: $(grep -E '^Done' "$work/$target.log" || echo done)"
    else
        echo "fuzz $target: FAILED (see $work/$target.log; inputs in $work/crash-$target-*)" >&2
        grep -E "ERROR|SUMMARY" "$work/$target.log" | head -5 >&2 || true
        status=1
    fi
done
exit $status
