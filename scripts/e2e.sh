#!/usr/bin/env bash
# Desktop end-to-end tests of the real app (Xvfb + tauri-driver + WebKitWebDriver). Sign-in needs a
# Secret Service, so the tests run in a private D-Bus session with gnome-keyring unlocked in it;
# nothing touches the user's own keyring. Usage: scripts/e2e.sh [tests/e2e/test_x.py …] (after
# building the app); with no file, every tests/e2e/test_*.py.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
if [ $# -gt 0 ]; then E2E_FILES="$*"; else E2E_FILES="$(echo tests/e2e/test_*.py)"; fi
export E2E_FILES
chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session --config-file=tests/e2e/session-bus.conf -- bash -c '
  set -euo pipefail
  eval "$(printf e2e-keyring-password | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  trap "if [ -n \"\${GNOME_KEYRING_PID:-}\" ]; then kill \"\$GNOME_KEYRING_PID\" 2>/dev/null || true; fi" EXIT
  # The daemon claims the Secret Service bus name a moment after it answers; an earlier request
  # would have D-Bus start a second, locked daemon.
  for _ in $(seq 1 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.1
  done
  # WebKitWebDriver now and then drops a session under Xvfb (the connection closes mid-test);
  # a second attempt on a fresh app tells that apart from a real failure, which fails both.
  # Every tests/e2e/test_*.py file is one end-to-end suite, run on its own fresh app.
  for t in $E2E_FILES; do
    echo "desktop end to end: $t"
    python3 "$t" || { echo "desktop end to end: second attempt of $t"; python3 "$t"; }
  done
' 2> >(grep -v "Failed to set fd limit" >&2)
