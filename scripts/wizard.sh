#!/usr/bin/env bash
# Installs what is missing, builds the wizard and starts it. With no tenant configured yet it
# opens on the practice tenant (a simulated Microsoft 365 + Dynamics on this computer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
(cd ui && npm run build --silent)
cargo build --release --locked -p hybridsync-wizard -p hybridsync
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No graphical session (DISPLAY or WAYLAND_DISPLAY) is set: start the wizard from a desktop session," >&2
  echo "or try it headless with: xvfb-run -a target/release/hybridsync-wizard --practice-if-unconfigured" >&2
  exit 2
fi
exec target/release/hybridsync-wizard --practice-if-unconfigured "$@"
