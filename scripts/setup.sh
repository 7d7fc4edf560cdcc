#!/usr/bin/env bash
# Sets up a bare Debian machine for layerkit: pnpm, the workspace's packages, and (unless
# --minimal) the real OCI clients the interop tests drive. Idempotent; safe to re-run.
#   usage: scripts/setup.sh [--minimal]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1; then
  npm install -g pnpm@12.4.2 >/dev/null
fi

if [ "${1:-}" != "--minimal" ]; then
  bash scripts/install-clients.sh
fi

pnpm install --frozen-lockfile --reporter=silent
