#!/usr/bin/env bash
# Installs what hybridsync needs on a Debian 12 machine: system packages (build, headless GUI,
# WebDriver, keychain, browser tests), the UI's npm packages and tauri-driver.
# Idempotent: what is already present is skipped, so a warm machine spends seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

pkgs=(
  # build
  build-essential pkg-config file libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev libdbus-1-dev
  # headless run, screenshots, WebDriver, keychain
  xvfb xauth dbus imagemagick x11-utils xdotool webkit2gtk-driver gnome-keyring libsecret-tools
  # browser tests of the UI
  chromium fonts-dejavu-core
  # DNS, directory and certificate interop tests
  openssl ldap-utils slapd bind9-dnsutils
  # benchmarks
  procps time
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "install-deps: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2' --quiet
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
