#!/usr/bin/env bash
# Set up everything, create the embedded SQLite database with the demo locality, and serve the web UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export REPORTSVC_DATA_DIR="${REPORTSVC_DATA_DIR:-$PWD/instance}"
.venv/bin/reportsvc init-db
.venv/bin/reportsvc demo
exec .venv/bin/reportsvc serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
