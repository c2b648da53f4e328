#!/usr/bin/env bash
# Builds the package and its tests. With STRICT=1 (CI), any compiler warning in our
# own sources (Sources/, Examples/, Tests/, Benchmarks/) fails the build. Warnings are
# not made errors in Package.swift, so embedders with newer compilers are never broken.
set -uo pipefail
strict="${1:-0}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[[ $status -ne 0 ]] && exit "$status"
if [[ "$strict" == 1 ]]; then
    root="$(pwd)"
    if grep -E "^(${root}/)?(Sources|Examples|Tests|Benchmarks|Fuzz)/.*: warning:" "$log" >/dev/null; then
        echo "build-checked: compiler warnings in project sources (STRICT=1):" >&2
        grep -E "^(${root}/)?(Sources|Examples|Tests|Benchmarks|Fuzz)/.*: warning:" "$log" | sort -u >&2
        exit 1
    fi
fi
exit 0
