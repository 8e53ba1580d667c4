#!/usr/bin/env bash
# The main job on the embedded defaults: sets up .venv, then `rtm demo` (see README).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
exec .venv/bin/rtm demo "$@"
