#!/usr/bin/env bash
# Set everything up and run every test: rule examples in CPython and Pyodide, the compiler's tests,
# the bundle in Pyodide, and the extension in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --browser
.venv/bin/ruff check compiler tests extension scripts
.venv/bin/heed test rules --runtime cpython
.venv/bin/heed test rules --runtime pyodide
.venv/bin/python -m pytest "$@"
