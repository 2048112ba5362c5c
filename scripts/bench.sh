#!/usr/bin/env bash
# Benchmarks (not tests): builds release binaries and prints each benchmark's JSON.
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh startup    one of: startup, dns, directory, report
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
scripts/install-deps.sh
want() { [ "$which" = all ] || [ "$which" = "$1" ]; }
if want startup; then
  (cd ui && npm run build --silent)
  cargo build --release --locked -p hybridsync-wizard
  echo "== start-up of the desktop app (Xvfb)"
  python3 tests/bench/startup.py --runs 5
fi
if want dns; then
  echo "== TXT record detection latency after it appears (in-process authoritative servers)"
  cargo bench --locked -p hybridsync-dns --bench detection
fi
if want directory; then
  echo "== directory scan of a 100,000-object LDIF"
  cargo bench --locked -p hybridsync-directory --bench scan
fi
if want report; then
  echo "== run report of a 10,000-mailbox run"
  cargo bench --locked -p hybridsync-report --bench render
fi
