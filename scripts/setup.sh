#!/usr/bin/env bash
# Sets up everything heed needs on a fresh Debian machine (root, Python 3.11, Node 20):
# a virtual environment with the compiler and its dev tools, the npm packages (Pyodide, alex),
# and, with --browser, Debian's Chromium for the extension tests.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
echo "==> installing the heed compiler (pip)"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"

echo "==> installing npm packages (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
