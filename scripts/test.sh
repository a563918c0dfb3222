#!/usr/bin/env bash
# The project's whole test set-up and run: a venv with the pinned stack and test extras,
# Debian's Chromium for the browser tests (when we may install packages), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q ".[test]"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "scripts/test.sh: could not install chromium; browser tests will be skipped" >&2
  else
    echo "scripts/test.sh: chromium not installed and not root; browser tests will be skipped" >&2
  fi
fi
if ! command -v java >/dev/null 2>&1; then
  echo "scripts/test.sh: java not found; the Spark tests (-m spark) will be skipped (they need Java 17+)" >&2
fi
exec .venv/bin/python -m pytest "$@"
