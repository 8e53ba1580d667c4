#!/usr/bin/env bash
# The whole test suite with ruff and mypy; sets up .venv first (see README).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports --no-cache | tail -n 6
echo "== pytest"  # every sweep whole (tests/budget.py), on two processes (pytest-xdist)
RTM_TESTS=thorough exec .venv/bin/pytest -n 2 "$@"
