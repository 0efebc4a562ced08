#!/usr/bin/env bash
# Create the project's virtualenv and install the portal into it (make demo / make test).
# Usage: scripts/bootstrap.sh PYTHON VENV
set -euo pipefail
python="${1:-python3}"
venv="${2:-.venv}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "The portal needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Run again with PYTHON=/path/to/python3.11 make ..." >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "Creating $venv with $("$python" --version)…" >&2
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    # Debian ships venv's ensurepip in a separate package.
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing python3-venv (Debian)…" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv >&2; }
      "$python" -m venv "$venv"
    else
      echo "'$python -m venv' failed: install python3-venv (sudo apt-get install python3-venv)." >&2
      exit 1
    fi
  fi
fi

echo "Installing the portal and its dependencies into $venv…" >&2
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".[dev]"
