#!/usr/bin/env bash
# Builds and tests the witness server package (Witness/: Hummingbird, GRDB, postgres-nio) once,
# in debug, with a throw-away PostgreSQL cluster from Debian's packages on 127.0.0.1 (run by the
# `postgres` user, in a temporary directory, stopped and removed on exit), so the test where two
# server instances race to cosign conflicting checkpoints runs against a real database.
set -euo pipefail
cd "$(dirname "$0")/.."
n=0

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    apt-get install -y postgresql >/dev/null || { apt-get update >/dev/null && apt-get install -y postgresql >/dev/null; }
fi
pgbin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")"
port="${WITNESS_PG_PORT:-54329}"
data="$(mktemp -d /tmp/witness-pg.XXXXXX)"
chown postgres:postgres "$data"
cleanup() {
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$data/db" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap cleanup EXIT
runuser -u postgres -- "$pgbin/initdb" -D "$data/db" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$data/db" -l "$data/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data" start >/dev/null

root="$(pwd)"
swift build --product sealed-journal
cli="$(swift build --show-bin-path)/sealed-journal"
cd Witness
swift build --build-tests
WITNESS_TEST_POSTGRES="127.0.0.1:$port:postgres:postgres" swift test
server="$(swift build --show-bin-path)/sealed-journal-witness-server"

# End to end over HTTP, as people would: a client checks in on two days and asks the witness
# server each day; an auditor verifies a bundle and sees the witness times.
work="$data/e2e"
mkdir -p "$work"
export SEALED_JOURNAL_PASSPHRASE="correct horse battery staple" SEALED_JOURNAL_WITNESS_PASSPHRASE="a witness passphrase for ci"
http_port="${WITNESS_HTTP_PORT:-18473}"
"$cli" init "$work/j.sjournal" --kdf interactive --quiet
witness_key="$("$cli" witness init "$work/w" --name witness.example.org/ci --kdf interactive --quiet)"
"$server" enroll "$work/w" --journal-key "$("$cli" journal-key "$work/j.sjournal")"
"$server" serve "$work/w" --port "$http_port" > "$work/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$http_port") 2>/dev/null && break; sleep 0.1; done
day() { date -u -d "$1" +%F; }
for offset in "-1 day" "now"; do
    n=$((n + 1))
    # Content never in the arguments: the check-in is a JSON object on standard input.
    printf '{"day":"%s","mood":7,"craving":1,"use":"sober"}' "$(day "$offset")" | "$cli" checkin "$work/j.sjournal" --json - --quiet
    "$cli" request-witness "$work/j.sjournal" --witness "$witness_key" --output "$work/request-$n" --quiet
    "$server" submit "$work/request-$n" --url "http://127.0.0.1:$http_port/add-checkpoint" --output "$work/answer-$n"
    "$cli" import-cosignature "$work/j.sjournal" "$work/answer-$n" --witness "$witness_key" --quiet
done
"$cli" verify "$work/j.sjournal" --witness "$witness_key"
"$cli" audit "$work/j.sjournal" --kind checkin --output "$work/bundle.json" --quiet
"$cli" verify-audit "$work/bundle.json" --witness "$witness_key" | tee "$work/audit.txt"
[[ "$(grep -c "check-in of .*: existed by" "$work/audit.txt")" == 2 ]]
# A rolled-back journal asking again is refused over HTTP.
if "$server" submit "$work/request-1" --url "http://127.0.0.1:$http_port/add-checkpoint" --output "$work/answer-stale"; then
    echo "a stale request was cosigned" >&2; exit 1
fi
echo "witness over HTTP, end to end: 1 passed, 0 failed"
