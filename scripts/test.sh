#!/usr/bin/env bash
# Install the pinned dev requirements into .venv and run the whole suite: lint, types, the content
# checker, and pytest on SQLite, then again on PostgreSQL when TRAINING_TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is required for the browser tests: apt-get install chromium" >&2
    exit 1
  fi
fi

echo "== ruff"
.venv/bin/ruff check training tests bench app.py
.venv/bin/ruff format --check training tests bench app.py
echo "== mypy --strict"
.venv/bin/mypy
echo "== content check"
.venv/bin/flask --app app.py content check content/

PG_URL="${TRAINING_TEST_DATABASE_URL:-}"
echo "== pytest on SQLite"
env -u TRAINING_TEST_DATABASE_URL .venv/bin/pytest --cov --cov-report=term "$@"
if [ -n "$PG_URL" ]; then
  # The browser journeys serve their own SQLite file, so the PostgreSQL pass runs everything else.
  echo "== pytest on PostgreSQL ($PG_URL)"
  TRAINING_TEST_DATABASE_URL="$PG_URL" .venv/bin/pytest -m "not e2e" "$@"
fi
