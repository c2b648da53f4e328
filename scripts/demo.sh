#!/usr/bin/env bash
# The main job, on a throw-away journal in a temporary folder that is removed at the end.
# Takes the path of the built CLI. The passphrase comes from the environment here so the demo
# runs unattended; at a terminal, sealed-journal asks for it without echo.
set -euo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/sealed-journal-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
export SEALED_JOURNAL_PASSPHRASE="demo passphrase, never use it"

run() {
    local shown="" arg
    for arg in "$@"; do
        if [[ "$arg" == *" "* ]]; then shown+=" \"$arg\""; else shown+=" $arg"; fi
    done
    printf '\n\033[1m$ sealed-journal%s\033[0m\n' "$shown"
    "$cli" "$@"
}

run init recovery.sjournal --kdf interactive
run write recovery.sjournal "Ninety days today. Dinner with my sister, no wine on the table." --title "Milestone" --tag milestone --tag family
run checkin recovery.sjournal --day 2026-11-26 --mood 6 --craving 4 --use hard-day --sleep 6 --meetings 1 --meeting-kind aa --trigger "office party" --support --note "Left early and called Sam."
run checkin recovery.sjournal --mood 8 --craving 1 --use sober --sleep 7.5 --medication taken
run read recovery.sjournal
run export recovery.sjournal --format json --output export.json
printf '\n(export.json: %s bytes, mode %s)\n' "$(wc -c < export.json)" "$(stat -c %a export.json)"
run checkpoint recovery.sjournal
"$cli" checkpoint recovery.sjournal > checkpoint.txt
run verify recovery.sjournal --against checkpoint.txt
run info recovery.sjournal
printf '\nDemo journal removed with %s.\n' "$work"
