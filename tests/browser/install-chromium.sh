#!/usr/bin/env bash
# Installs Debian's Chromium for the browser specs (the dashboard driven headless through Playwright),
# when it is missing. Needs root (apt-get). Playwright's own browser download is not used: the specs
# point Playwright at this executable (DIVVY_CHROMIUM, default /usr/bin/chromium).
set -euo pipefail
chromium="${DIVVY_CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$chromium" ]]; then
  echo "browser: $("$chromium" --version 2>/dev/null || echo "$chromium") already installed"
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "browser: $chromium is missing; run as root: apt-get install -y --no-install-recommends chromium" >&2
  exit 1
fi
apt-get -o DPkg::Lock::Timeout=300 update -qq || { echo "browser: apt-get update failed" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null \
  || { echo "browser: apt-get install chromium failed" >&2; exit 1; }
echo "browser: installed $("$chromium" --version 2>/dev/null || echo "$chromium")"
