#!/usr/bin/env bash
# The main job, shown on a throw-away journal. Takes the path of the built CLI.
set -euo pipefail
cli="$1"
run() { echo "\$ sealed-journal $*"; "$cli" "$@"; echo; }
run --version
run --help
