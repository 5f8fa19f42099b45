#!/usr/bin/env bash
# web/serve.sh — build the web app with the default models and serve it at http://127.0.0.1:8080/
# (PORT=9000 bash web/serve.sh for another port). On a fresh Debian 12 machine it installs what it needs.
set -euo pipefail
DX_ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$DX_ROOT_DIR"
source tests/lib.sh
dx_setup_build_env
dx_npm_install
cmake --preset wasm >/dev/null
cmake --build --preset wasm --target dxlens_web dxlens_web_static -j"$(nproc)"
exec node web/serve.mjs build/web
