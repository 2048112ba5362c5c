#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs every test: Rust unit and integration tests
# (practice tenant over TLS), the keychain tests on a real Secret Service, the UI's unit and
# Playwright tests, and the desktop end-to-end test of the real app under Xvfb.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }

passed=0; failed=0; failures=()
suite() {
  local name=$1; shift
  echo; echo "=== $name"
  if "$@"; then passed=$((passed+1)); else failed=$((failed+1)); failures+=("$name"); fi
}

# The app embeds the built UI, so the UI is built first.
(cd ui && npm run build --silent) || { echo "the UI did not build"; exit 1; }
cargo build --workspace --all-targets --locked || { echo "the workspace did not build"; exit 1; }

suite "rust formatting" cargo fmt --all --check
suite "rust tests" cargo test --workspace --locked
suite "ipc bindings up to date" bash -c 'if git status --porcelain -- ui/src/lib/bindings | grep .; then echo "the TypeScript IPC types generated from Rust differ from the committed ones"; exit 1; fi'
if [ -x scripts/test-keychain.sh ]; then
  suite "keychain tests (gnome-keyring)" scripts/test-keychain.sh
fi
suite "ui type check" bash -c 'cd ui && npm run check --silent'
suite "ui unit tests" bash -c 'cd ui && npm run test:unit --silent'
suite "ui browser tests" bash -c 'cd ui && npm run test:ui --silent'
suite "desktop end to end" scripts/e2e.sh

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed suites: ${failures[*]}"
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
