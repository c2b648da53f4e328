#!/usr/bin/env bash
# The main job, on a throw-away journal in a temporary folder that is removed at the end.
# Takes the path of the built CLI. The passphrase comes from the environment here so the demo
# runs unattended; at a terminal, sealed-journal asks for it without echo.
#
# Only the safe forms are shown: what you write never goes in the command line (any local
# account can read it with `ps`, and shell history keeps it). At a terminal, `checkin` asks
# its questions one by one and `write` takes the text you type; a script (like this one)
# pipes the content in or names a file.
set -euo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/sealed-journal-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
export SEALED_JOURNAL_PASSPHRASE="demo passphrase, never use it"

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

run() {
    local shown="" arg
    for arg in "$@"; do
        if [[ "$arg" == *" "* ]]; then shown+=" \"$arg\""; else shown+=" $arg"; fi
    done
    bold "\$ sealed-journal${shown}"
    "$cli" "$@"
}

# Writes a file the demo feeds in, and shows it the way you would see it.
file() {
    cat > "$1"
    bold "\$ cat $1"
    cat "$1"
}

run init recovery.sjournal --kdf interactive

file entry.json <<'JSON'
{"text": "Ninety days today. Dinner with my sister, no wine on the table.",
 "title": "Milestone", "tags": ["milestone", "family"]}
JSON
run write recovery.sjournal --json entry.json

bold '$ echo "Told Dr. Lee about the dinner." | sealed-journal write recovery.sjournal'
echo "Told Dr. Lee about the dinner." | "$cli" write recovery.sjournal

file checkin.json <<'JSON'
{"day": "2026-11-26", "mood": 6, "craving": 4, "use": "hard-day", "sleepHours": 6,
 "meetingsAttended": 1, "meetingKinds": ["aa"], "triggers": ["office party"],
 "reachedOutToSupport": true, "note": "Left early and called Sam."}
JSON
run checkin recovery.sjournal --json checkin.json
bold '$ echo '"'"'{"mood": 8, "craving": 1, "use": "sober", "sleepHours": 7.5, "medication": "taken"}'"'"' | sealed-journal checkin recovery.sjournal --json -'
echo '{"mood": 8, "craving": 1, "use": "sober", "sleepHours": 7.5, "medication": "taken"}' | "$cli" checkin recovery.sjournal --json -
printf '\n(At a terminal, plain `sealed-journal checkin recovery.sjournal` asks each question in turn.)\n'

run read recovery.sjournal
run export recovery.sjournal --format json --output export.json
printf '\n(export.json: %s bytes, mode %s)\n' "$(wc -c < export.json)" "$(stat -c %a export.json)"
run checkpoint recovery.sjournal
"$cli" checkpoint recovery.sjournal > checkpoint.txt
run verify recovery.sjournal --against checkpoint.txt
run info recovery.sjournal
printf '\nDemo journal removed with %s.\n' "$work"
