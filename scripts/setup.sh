#!/usr/bin/env bash
# Set up a fresh clone: uv (bootstrapped with pip when missing) and a locked sync of every dependency.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  echo "setup: installing uv with pip" >&2
  python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
# PyICU (name transliteration) builds against the system's ICU: Debian's libicu-dev and pkg-config.
if ! pkg-config --exists icu-i18n 2>/dev/null; then
  echo "setup: installing ICU's headers (libicu-dev, pkg-config) from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config >/dev/null
fi
uv sync --locked --quiet
