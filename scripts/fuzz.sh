#!/usr/bin/env bash
# Fuzzes the readers of untrusted input, one target after the other on one core:
#   bash scripts/fuzz.sh [MINUTES_PER_TARGET] [TARGET…]      (default: 10 minutes, every target)
# A benchmark, not a test: it needs the nightly toolchain (rustup toolchain install nightly) and
# installs cargo-fuzz from crates.io when it is missing. The corpus grows in fuzz/corpus/<target>,
# crashes land in fuzz/artifacts/<target>; a crash worth keeping goes to fuzz/regressions/<target>/,
# which `cargo test -p hybridsync --test fuzz_regressions` replays. Prints one JSON line per
# target: executions, minutes fuzzed, crashes.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

minutes="${1:-10}"
shift || true
all=(cert_read ldif csv plan_toml journal_lines batch_response odata_error dns_name)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

rustup toolchain list | grep -q '^nightly' || { echo "error: the nightly toolchain is not installed (rustup toolchain install nightly)" >&2; exit 2; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Build every target once, then run the binaries: edits made while the run goes on do not change
# what is being fuzzed.
cargo +nightly fuzz build --sanitizer none >&2
bin_dir="target/$(rustc -vV | sed -n 's/^host: //p')/release"
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  if [ -d "regressions/$t" ]; then cp -n regressions/"$t"/* "corpus/$t/" 2>/dev/null || true; fi
  status=0
  start=$(date +%s)
  # One process, one job: the machine's other core stays free. -rss_limit_mb catches unbounded
  # reads; -timeout catches inputs that hang a reader.
  "$bin_dir/$t" "corpus/$t" -max_total_time=$((minutes * 60)) -rss_limit_mb=1024 -timeout=10 -max_len=65536 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"logs/$t.log" 2>&1 || status=$?
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "logs/$t.log" | tail -1 || true)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1 || true)
  seconds=$(echo "$done_line" | sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p')
  # A run stopped by a crash or a timeout prints no "Done" line: its wall time instead.
  [ -n "$seconds" ] || seconds=$(( $(date +%s) - start ))
  crashes=$(find "artifacts/$t" -type f | wc -l)
  printf '{"target":"%s","minutes":%s,"executions":%s,"crashes":%s,"exit":%s}\n' \
    "$t" "$(awk "BEGIN{printf \"%.1f\", ${seconds:-0} / 60}")" "${execs:-0}" "$crashes" "$status"
done
