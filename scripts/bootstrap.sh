#!/usr/bin/env bash
# Creates .venv and installs the project with its dev tools, once per pyproject change.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# Debian packages for PDF exports (a Unicode font) and their tests (pdftoppm), when missing
# and apt-get can install them; without them the PDF tests skip and say why.
missing=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; } \
    || echo "note: could not install ${missing[*]} (PDF exports or their tests need them)" >&2
fi
# The browser tests drive Debian's Chromium (never a browser download) and inject axe-core;
# the single sign-on test runs the oidc-provider package on Node.js. Both from their registries.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium >/dev/null; }) \
    || echo "bootstrap: could not install chromium; the browser tests will skip" >&2
fi
if command -v npm >/dev/null && [ ! -f var/node/node_modules/axe-core/axe.min.js -o ! -d var/node/node_modules/oidc-provider ]; then
  mkdir -p var/node
  (cd var/node && npm install --no-audit --no-fund --silent axe-core@4 oidc-provider@9 >/dev/null) \
    || echo "bootstrap: npm could not install axe-core/oidc-provider; the browser tests will skip" >&2
fi
# The engine compiled to bytecode, as an install does: a checkout run with
# PYTHONDONTWRITEBYTECODE would otherwise compile every module on every `rtm` call.
.venv/bin/python -m compileall -q domain activities workflows starter worker.py >/dev/null
# The message catalogues, compiled (the .po files are the source; .mo files are built).
.venv/bin/python -m scripts.catalogue compile
