#!/usr/bin/env bash
# Build the HDF5/NeXus viewer (frontend/ -> static/build/) with npm: `npm ci` from the
# committed lockfile, then Vite. Called by `make frontend` (a step of make demo / make test).
set -euo pipefail
cd "$(dirname "$0")/../frontend"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "The HDF5 viewer needs Node.js >= 20.19 and npm (https://nodejs.org/)." >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "The HDF5 viewer needs Node.js >= 20.19 (Vite 8); this is $(node --version)." >&2
  exit 1
fi

echo "Building the HDF5 viewer (npm, Vite)…" >&2
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
else
  npm install --no-audit --no-fund --loglevel=error >&2
fi
npm run --silent build >&2
