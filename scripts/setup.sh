#!/usr/bin/env bash
# Install what reportsvc needs on Debian 12: system packages (once) and the virtualenv in .venv.
# Usage: scripts/setup.sh [--test]   (--test adds the test tools: pytest, Playwright's Python package, psycopg,
# and the programs the tests drive: Chromium, PostgreSQL, LibreOffice, redis-server)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-croscore
              poppler-utils)
if [ "${1:-}" = "--test" ]; then
  APT_PACKAGES+=(chromium postgresql libreoffice-writer-nogui redis-server)
fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
extras=""
[ "${1:-}" = "--test" ] && extras="[test,postgres]"
# A plain (non-editable) install: the service runs from what the distribution ships.
.venv/bin/pip install -q --disable-pip-version-check ".${extras}" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import reportsvc, reportsvc_plugins, reportsvc_templates" 
