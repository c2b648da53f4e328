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
report_dir="$(pwd)/.build/demo"
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

# The compliance report: 30 days of sample check-ins (ending today) in another journal, with
# missed days, hard days, a day with use, a day checked in twice and a check-in written late,
# as a self-contained HTML page (calendar, charts, table) kept after the demo.
export TZ="${DEMO_TZ:-Europe/Berlin}"
offset_text="$(date +%z)"
offset=$(( 10#${offset_text:1:2} * 3600 + 10#${offset_text:3:2} * 60 ))
[[ ${offset_text:0:1} == "-" ]] && offset=$(( -offset ))
moods=(6 6 7 5 6 7 0 7 8 4 6 7 7 0 0 3 5 6 6 7 7 6 0 5 6 7 7 8 8 8)
cravings=(4 3 3 5 3 2 0 2 2 7 4 3 2 0 0 9 6 4 4 3 2 3 0 6 3 2 2 1 1 1)
sleeps=(7 6.5 7.5 5.5 7 8 0 7.5 8 5 6.5 7 7.5 0 0 4.5 6 7 7 7.5 8 7 0 6 7 7.5 8 7.5 8 7.5)
{
    for i in $(seq 0 29); do
        [[ ${moods[$i]} == 0 ]] && continue   # a missed day
        day="$(date -d "today - $((29 - i)) days" +%F)"
        use=sober; triggers='[]'; note=null; kinds='[]'; meetings=0; support=false; medication='"taken"'
        case $i in
            9|23) use=hard-day; triggers='["payday","old friends"]'; support=true; note='"Called Sam before going home."' ;;
            17) use=hard-day; triggers='["argument at home"]' ;;
            15) use=used; triggers='["conference dinner","wine list"]'; support=true; note='"Two glasses. Told my sponsor the next morning."' ;;
        esac
        case $(( i % 7 )) in
            1) meetings=1; kinds='["aa"]' ;;
            3) meetings=2; kinds='["aa","therapy"]' ;;
            5) meetings=1; kinds='["smart"]' ;;
            6) meetings=1; kinds='["peer"]' ;;
        esac
        [[ $i == 10 || $i == 16 ]] && medication='"missed"'
        recorded="$(date -u -d "$day 21:05" +%FT%T.000Z)"
        [[ $i == 25 ]] && recorded="$(date -u -d "$(date -d "$day + 2 days" +%F) 20:30" +%FT%T.000Z)"   # written two days later
        if [[ $i == 20 ]]; then   # checked in twice: a morning meeting, then the evening's account
            printf '{"kind":"checkIn","recordedAt":"%s","data":{"day":"%s","timeZoneOffsetSeconds":%d,"mood":5,"craving":4,"use":"sober","sleepHours":6,"meetingsAttended":1,"meetingKinds":["na"],"medication":"taken","triggers":[],"reachedOutToSupport":true,"note":"Morning meeting."}}\n' \
                "$(date -u -d "$day 09:40" +%FT%T.000Z)" "$day" "$offset"
        fi
        printf '{"kind":"checkIn","recordedAt":"%s","data":{"day":"%s","timeZoneOffsetSeconds":%d,"mood":%d,"craving":%d,"use":"%s","sleepHours":%s,"meetingsAttended":%d,"meetingKinds":%s,"medication":%s,"triggers":%s,"reachedOutToSupport":%s,"note":%s}}\n' \
            "$recorded" "$day" "$offset" "${moods[$i]}" "${cravings[$i]}" "$use" "${sleeps[$i]}" "$meetings" "$kinds" "$medication" "$triggers" "$support" "$note"
    done
} > month.ndjson
run init month.sjournal --kdf interactive
run import month.sjournal month.ndjson --from ndjson
mkdir -p "$report_dir"
rm -f "$report_dir/compliance-report.html"
printf 'Dr. Lee\nmonthly review\n' > whom.txt
run report month.sjournal --from "$(date -d 'today - 29 days' +%F)" --to "$(date +%F)" --format html \
    --to-whom - --purpose - --output "$report_dir/compliance-report.html" < whom.txt
printf '\nThe HTML compliance report for 30 days of sample check-ins is at:\n  %s\n' "$report_dir/compliance-report.html"
printf 'Open it in a browser, or print it to PDF from there.\n'
printf '\nDemo journals removed with %s.\n' "$work"
