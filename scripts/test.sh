#!/usr/bin/env bash
# Set up everything and run the whole test suite on SQLite, then the tests that open a database
# again on a throwaway PostgreSQL 15 cluster (tests/conftest.py deselects the others there).
# Extra arguments go to pytest.
# setup.sh installs Chromium, LibreOffice and redis-server, so the browser, LibreOffice and queue tests
# must run: REPORTSVC_REQUIRE_ALL=1 turns their skips into failures (tests/conftest.py, tests/test_queue.py).
# The queue tests start their own redis-server on a free port and their own workers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# setup.sh installs the package non-editable; -p no:cacheprovider keeps the work tree clean.
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider)
export REPORTSVC_REQUIRE_ALL=1

echo "== SQLite =="
"${PYTEST[@]}" "$@"

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PG_BIN" ]; then
  echo "PostgreSQL binaries not found" >&2; exit 1
fi
PG_DIR=$(mktemp -d /tmp/reportsvc-pg.XXXXXX)
PG_PORT="${REPORTSVC_TEST_PG_PORT:-55432}"
chown postgres "$PG_DIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
as_pg "$PG_BIN/initdb -D $PG_DIR/data -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$PG_BIN/pg_ctl -D $PG_DIR/data -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off' -w -l $PG_DIR/log start" >/dev/null
trap 'as_pg "$PG_BIN/pg_ctl -D $PG_DIR/data -m immediate stop" >/dev/null 2>&1; rm -rf "$PG_DIR"' EXIT
echo "== PostgreSQL (port $PG_PORT) =="
REPORTSVC_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres" \
  "${PYTEST[@]}" -m "not browser" "$@"
