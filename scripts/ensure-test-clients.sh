#!/usr/bin/env bash
# Third-party download clients the manifest tests drive (aria2c; wget and coreutils are in
# every Debian base system). Debian packages only.
set -euo pipefail
if command -v aria2c >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "The manifest tests need aria2c: sudo apt-get install aria2" >&2
  exit 1
fi
echo "Installing Debian's aria2 for the manifest tests…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends aria2 >&2 \
  || { apt-get update >&2 && apt-get install -y --no-install-recommends aria2 >&2; }
