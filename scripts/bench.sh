#!/usr/bin/env bash
# Benchmarks (not tests): builds release binaries and prints each benchmark's JSON.
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh startup    one of: startup
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
scripts/install-deps.sh
(cd ui && npm run build --silent)
cargo build --release --locked -p hybridsync-wizard -p hybridsync
if [ "$which" = all ] || [ "$which" = startup ]; then
  echo "== start-up of the desktop app (Xvfb)"
  python3 tests/bench/startup.py --runs 5
fi
