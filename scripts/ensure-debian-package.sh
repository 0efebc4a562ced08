#!/usr/bin/env bash
# Installs a Debian package the tests need, unless what it provides is already there.
#   scripts/ensure-debian-package.sh <package> <command or absolute path> <who needs it>
# Browser tests drive Debian's Chromium through Playwright (never `playwright install`); the
# manifest tests drive aria2c (wget and coreutils are in every Debian base system).
set -euo pipefail
package=$1 provides=$2 purpose=$3
if [ -x "$provides" ] || command -v "$provides" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "${purpose^} need $provides: sudo apt-get install $package" >&2
  exit 1
fi
echo "Installing Debian's $package for $purpose…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "$package" >&2 \
  || { apt-get update >&2 && apt-get install -y --no-install-recommends "$package" >&2; }
