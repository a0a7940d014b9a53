#!/usr/bin/env bash
# Offer PDFs are rendered by WeasyPrint, which needs Pango (the fonts ship with the project).
# Install it when we can; otherwise say how.
set -euo pipefail
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Pango for PDF rendering (apt-get install libpango-1.0-0 libpangoft2-1.0-0)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  exit 0
fi
echo "Pango is missing. Install it with:  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" >&2
exit 1
