#!/usr/bin/env bash
# Runs a command with another Node.js major first on PATH: the official build, installed from the
# npm registry (the node-linux-<arch> package) into .cache/node/<major>/ on first use.
#   usage: scripts/with-node.sh MAJOR COMMAND [ARG...]      e.g. scripts/with-node.sh 24 node --version
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:?usage: scripts/with-node.sh MAJOR COMMAND [ARG...]}"
shift
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "with-node: no node-linux package for $(uname -m)" >&2; exit 2 ;;
esac

dir=".cache/node/$major"
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$major" >/dev/null && tar xzf node-linux-*.tgz)
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi

echo "with-node: $("$dir/bin/node" --version) ($dir)" >&2
PATH="$PWD/$dir/bin:$PATH" exec "$@"
