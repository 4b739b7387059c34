#!/usr/bin/env bash
# The main job: set everything up, compile the rules and build the extension package.
# Usage: scripts/build.sh [RULES_DIR]   (default: rules/)
set -euo pipefail
cd "$(dirname "$0")/.."
rules="${1:-rules}"

bash scripts/setup.sh
echo "==> compiling $rules"
.venv/bin/heed compile "$rules" -o build/bundle
echo "==> building the extension"
.venv/bin/python extension/build.py --bundle build/bundle --out dist
