#!/usr/bin/env bash
# Builds the DocC documentation of the library targets with swift-docc-plugin, treating every
# DocC warning (a broken ``symbol link``, an unknown topic, a malformed directive) as an error,
# after checking that every public declaration has a /// doc comment.
#
# Usage: scripts/build-docs.sh [OUTPUT_DIR]   (default .build/docs; one folder per target)
# Set DOCS_TARGETS to choose the targets (default: "SealedJournal SealedJournalHTML").
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-.build/docs}"
targets="${DOCS_TARGETS:-SealedJournal SealedJournalHTML}"

python3 scripts/check-doc-comments.py --self-test
python3 scripts/check-doc-comments.py

mkdir -p "$out"
for target in $targets; do
    log="$(mktemp)"
    # --disable-indexing: no IDE index; --experimental-skip-synthesized-symbols: no pages for
    # compiler-synthesized members (Equatable's !=, default implementations).
    if ! swift package --allow-writing-to-directory "$out" \
        generate-documentation --target "$target" \
        --output-path "$out/$target" \
        --disable-indexing \
        --experimental-skip-synthesized-symbols \
        --transform-for-static-hosting \
        --warnings-as-errors >"$log" 2>&1; then
        cat "$log"
        rm -f "$log"
        echo "build-docs: DocC failed for $target (warnings are errors)" >&2
        exit 1
    fi
    # Belt and braces: a plugin version that ignored --warnings-as-errors would still be caught.
    if grep -E "^(warning|error):|: (warning|error):" "$log" >/dev/null; then
        cat "$log"
        rm -f "$log"
        echo "build-docs: DocC reported warnings for $target" >&2
        exit 1
    fi
    rm -f "$log"
    echo "build-docs: $target -> $out/$target"
done
