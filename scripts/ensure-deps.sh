#!/usr/bin/env bash
# Makes sure the system packages SealedJournal needs are present, installing them
# through apt-get when they are missing (with sudo when not root).
#   scripts/ensure-deps.sh            libsodium (>= 1.0.18) and pkg-config
#   scripts/ensure-deps.sh --with-age also the test tools: stock `age` (export interop),
#                                     `tmux` (drives the CLI at a real pseudo-terminal),
#                                     `script` (bsdutils: logs what the CLI writes to a terminal),
#                                     util-linux `setpriv` and `useradd` (run a probe as
#                                     another uid), and, as root, the system user
#                                     `sealedjournal-probe` that the privacy tests run as,
#                                     and a headless Chromium (renders the HTML report to PNG and PDF)
set -euo pipefail

want_age=0
[[ "${1:-}" == "--with-age" ]] && want_age=1

missing=()
if ! command -v pkg-config >/dev/null 2>&1; then
    missing+=(pkg-config)
fi
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --atleast-version=1.0.18 libsodium 2>/dev/null; then
    missing+=(libsodium-dev)
fi
if [[ $want_age == 1 ]] && ! command -v age >/dev/null 2>&1; then
    missing+=(age)
fi
if [[ $want_age == 1 ]] && ! command -v tmux >/dev/null 2>&1; then
    missing+=(tmux)
fi
if [[ $want_age == 1 ]] && [[ ! -x /usr/bin/script ]]; then
    missing+=(bsdutils)
fi
if [[ $want_age == 1 ]] && [[ ! -x /usr/bin/setpriv ]]; then
    missing+=(util-linux)
fi
if [[ $want_age == 1 ]] && [[ ! -x /usr/sbin/useradd ]]; then
    missing+=(passwd)
fi

# The privacy tests read /proc and try to attach as another local account.
ensure_probe_user() {
    [[ $want_age == 1 && $(id -u) -eq 0 ]] || return 0
    getent passwd sealedjournal-probe >/dev/null 2>&1 && return 0
    if [[ -x /usr/sbin/useradd ]]; then
        /usr/sbin/useradd --system --no-create-home --shell /usr/sbin/nologin sealedjournal-probe \
            || echo "ensure-deps: could not create the user sealedjournal-probe; the privacy tests will create or skip it" >&2
    fi
}

# The HTML report's browser test: Debian's chromium-headless-shell (or chromium). It is
# installed apart from the rest: if no browser can be installed, the build goes on and the
# browser tests are skipped with a message saying so.
install_browser() {
    [[ $want_age == 1 ]] || return 0
    for browser in chromium-headless-shell chromium chromium-browser; do
        command -v "$browser" >/dev/null 2>&1 && return 0
    done
    if ! command -v apt-get >/dev/null 2>&1 || { [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; }; then
        echo "ensure-deps: no headless Chromium and no way to install one: the HTML report's browser tests will be skipped" >&2
        return 0
    fi
    local sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    echo "ensure-deps: installing chromium-headless-shell with apt-get (HTML report browser tests)" >&2
    export DEBIAN_FRONTEND=noninteractive
    for package in chromium-headless-shell chromium; do
        if "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "$package" fonts-dejavu-core >/dev/null 2>&1 \
            || { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "$package" fonts-dejavu-core >/dev/null; }; then
            return 0
        fi
    done
    echo "ensure-deps: could not install chromium-headless-shell or chromium: the HTML report's browser tests will be skipped" >&2
}

if [[ ${#missing[@]} -eq 0 ]]; then
    ensure_probe_user
    install_browser
    exit 0
fi

echo "ensure-deps: installing ${missing[*]} with apt-get" >&2
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-deps: apt-get is not available. Install these yourself and re-run:" >&2
    echo "  ${missing[*]}   (on macOS: brew install libsodium pkg-config age)" >&2
    exit 1
fi
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo_cmd=(sudo)
    else
        echo "ensure-deps: not root and sudo is missing. As root, run:" >&2
        echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    "${sudo_cmd[@]}" apt-get update -qq
    if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
        echo "ensure-deps: apt-get could not install ${missing[*]}." >&2
        echo "  Check your network or apt sources, then run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi
if ! pkg-config --atleast-version=1.0.18 libsodium; then
    echo "ensure-deps: libsodium >= 1.0.18 is still not visible to pkg-config" >&2
    exit 1
fi
ensure_probe_user
install_browser
