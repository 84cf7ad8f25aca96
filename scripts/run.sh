#!/usr/bin/env bash
# Install Conduit into .venv, prepare the SQLite database under instance/, import content/,
# seed the demo organisation into an empty database, and serve on http://127.0.0.1:5000.
# Running it again keeps the data: migrations and imports are idempotent, the seed skips.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
export FLASK_APP=app.py
mkdir -p instance
.venv/bin/flask db upgrade
.venv/bin/flask content import
.venv/bin/flask demo seed
echo "Conduit is serving on http://127.0.0.1:${PORT:-5000}  (Ctrl-C to stop)"
exec .venv/bin/gunicorn --workers "${WORKERS:-2}" --timeout 300 --bind "127.0.0.1:${PORT:-5000}" --access-logfile - app:app
