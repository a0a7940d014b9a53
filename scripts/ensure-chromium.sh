#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it when we can; otherwise say how.
set -euo pipefail
CHROMIUM=${CRM_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium is missing. Install it with:  sudo apt-get install chromium" >&2
exit 1
