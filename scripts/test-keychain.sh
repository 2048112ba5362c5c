#!/usr/bin/env bash
# Runs the keychain tests against a real Secret Service: a private D-Bus session
# (dbus-run-session) with gnome-keyring-daemon unlocked inside it, HOME and the XDG folders in a
# temporary directory so no real keyring is touched. Needs the packages dbus, gnome-keyring and
# libsecret-tools (docs: the OS keychain headless). Usage: scripts/test-keychain.sh [cargo args]
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (apt-get install dbus gnome-keyring libsecret-tools)" >&2; exit 2; }
done

# Build the test binaries first, in the normal environment: cargo run with the temporary HOME below
# would see a changed environment and rebuild half the dependency tree.
mapfile -t bins < <(cargo test --workspace --locked --test keychain --test signin --test domain_cli --test mailboxes_cli --test directory_ldap --test cert_files --no-run --message-format=json "$@" \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] in ("keychain", "signin", "domain_cli", "mailboxes_cli", "directory_ldap", "cert_files"):
        print(m["executable"])')
[ ${#bins[@]} -gt 0 ] || { echo "error: no keychain test binaries were built" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export HYBRIDSYNC_KEYCHAIN_TESTS=1
export HYBRIDSYNC_TEST_BINS="${bins[*]}"

# The daemon claims the Secret Service's bus name a moment after it answers; a request before
# then would have D-Bus start a second daemon with a locked keyring that waits for a prompt.
wait_for_secret_service='for _ in $(seq 1 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.1
  done'
export wait_for_secret_service

dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf keychain-test-password | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  trap "if [ -n \"\${GNOME_KEYRING_PID:-}\" ]; then kill \"\$GNOME_KEYRING_PID\" 2>/dev/null || true; fi" EXIT
  eval "$wait_for_secret_service"
  # A test that waits on a prompt nobody can answer fails after 10 minutes instead of hanging.
  for bin in $HYBRIDSYNC_TEST_BINS; do timeout 600 "$bin" --include-ignored; done
'

# A locked keychain: the daemon runs but nothing unlocked it (a fresh data folder, no --unlock).
export XDG_DATA_HOME="$tmp/data-locked" HYBRIDSYNC_KEYCHAIN_TESTS=0 HYBRIDSYNC_KEYCHAIN_LOCKED=1
mkdir -p "$XDG_DATA_HOME"
dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(gnome-keyring-daemon --daemonize --components=secrets)"
  export GNOME_KEYRING_CONTROL
  trap "if [ -n \"\${GNOME_KEYRING_PID:-}\" ]; then kill \"\$GNOME_KEYRING_PID\" 2>/dev/null || true; fi" EXIT
  eval "$wait_for_secret_service"
  for bin in $HYBRIDSYNC_TEST_BINS; do
    case "$bin" in */keychain-*) timeout 600 "$bin" --include-ignored a_locked_keychain ;; esac
  done
'
