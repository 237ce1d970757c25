#!/usr/bin/env bash
# Runs errand's tests under another Node version (22, 24, ...), with better-sqlite3 built for it.
# A developer tool: neither `npm test` nor .ci/run calls it (CI runs on the machine's Node 20).
#
#   scripts/test-on-node.sh 22                 npm test (typecheck, lint, every test) on the newest Node 22
#   scripts/test-on-node.sh 24.21.0            the same on that exact version
#   scripts/test-on-node.sh 24 test/sqlite     only `node scripts/run-tests.mjs test/sqlite` (any run-tests arguments)
#   ERRAND_NODE_HEADERS=24.18.1 scripts/test-on-node.sh 24
#                                              native modules built against 24.18.1's headers (same ABI)
#
# Node comes from the npm registry, not nodejs.org: the package node-<os>-<arch>@<version> holds a whole
# distribution (bin/node and the include/node headers). Each version is unpacked once under
# $ERRAND_NODE_CACHE (default ~/.cache/errand-node/node-v<version>).
#
# This checkout is copied (tracked files and untracked ones that are not ignored, as they are on disk, without
# node_modules) to a new temporary directory, which gets its own `npm ci` with that Node first on PATH and
# native modules built from source against its headers. This checkout and its node_modules are never touched.
# The copy is deleted at the end unless KEEP=1. The tests need PostgreSQL on 127.0.0.1:5432 and Redis on
# 127.0.0.1:6379, as for `npm test`. The exit status is that of the tests.
set -euo pipefail

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
version_spec='^[0-9]+(\.[0-9]+){0,2}$'
[ $# -ge 1 ] && [[ $1 =~ $version_spec ]] || usage
wanted=$1
shift
headers_wanted=${ERRAND_NODE_HEADERS:-}
[ -z "$headers_wanted" ] || [[ $headers_wanted =~ $version_spec ]] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ERRAND_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/errand-node}

log() { printf '\n==> %s\n' "$*"; }
die() {
  echo "test-on-node: $*" >&2
  exit 1
}

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no node-<os>-<arch> npm package for $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no node-<os>-<arch> npm package for $(uname -m)" ;;
esac
package=node-$os-$arch

# node_dir SPEC: prints the directory of the newest Node matching SPEC (22, 24.21, 24.21.0), unpacking it
# from the npm registry into the cache the first time. Offline, the newest matching one already cached.
node_dir() {
  local spec=$1 version dir staging
  version=$(npm view "$package@$spec" version --json 2>/dev/null | tr -d '[]", ' |
    grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1) || true
  if [ -z "$version" ]; then
    version=$(ls "$cache" 2>/dev/null | sed -n 's/^node-v//p' | grep -E "^${spec//./\\.}(\.|$)" |
      sort -V | tail -n 1) || true
    [ -n "$version" ] || die "no version of $package matches $spec (and none is cached under $cache)"
  fi
  dir=$cache/node-v$version
  if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/include/node/node.h" ]; then
    echo "unpacking $package@$version into $dir" >&2
    mkdir -p "$cache"
    staging=$(mktemp -d "$cache/.unpack.XXXXXX")
    if (cd "$staging" && npm pack "$package@$version" --silent >/dev/null 2>&1) &&
      tar -xzf "$staging/$package-$version.tgz" -C "$staging"; then
      rm -rf "$dir"
      mv "$staging/package" "$dir"
      rm -rf "$staging"
    else
      rm -rf "$staging"
      die "could not fetch $package@$version from the npm registry"
    fi
  fi
  [ "$("$dir/bin/node" --version)" = "v$version" ] || die "$dir/bin/node is not v$version"
  echo "$dir"
}

log "Node $wanted from $package"
nodedir=$(node_dir "$wanted")
headersdir=$nodedir
if [ -n "$headers_wanted" ]; then
  headersdir=$(node_dir "$headers_wanted")
  [ "$("$headersdir/bin/node" -p process.versions.modules)" = "$("$nodedir/bin/node" -p process.versions.modules)" ] ||
    die "the headers of $headersdir are for another ABI than $nodedir"
fi
version=$("$nodedir/bin/node" --version)

# --- A fresh copy of this checkout ----------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/errand-node${version#v}.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then
  trap 'echo "test-on-node: the copy is kept in $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
log "Copying $root to $work"
(
  cd "$root"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
    tar --null -T - -cf -
) | tar -xf - -C "$work"

# That Node first on PATH: npm, tsc, eslint and the tests all run on it.
export PATH=$nodedir/bin:$PATH
cd "$work"

log "Versions"
echo "node $(node --version) (ABI $(node -p process.versions.modules)) from $(command -v node)"
echo "npm $(npm --version 2>/dev/null)"
echo "native modules built against the headers in $headersdir"

# node-gyp builds against those headers: npm_config_nodedir overrides a nodedir set in the user's .npmrc,
# and build_from_source keeps prebuild-install from fetching a binary from GitHub, so better-sqlite3 is
# always compiled here. (npm warns that it does not know these two settings; node-gyp and prebuild-install
# read them from the environment.)
log "npm ci"
npm_config_nodedir=$headersdir npm_config_build_from_source=true npm ci --no-audit --no-fund

# The lock holds the better-sqlite3 that CI's Node 20 gets. An app on this Node gets what npm resolves from
# @errand/sqlite's range for a fresh install: the newest release whose engines accept this Node (13, with its
# own Node-API binaries, from Node 22 on). Test that one.
range=$(node -p "require('./packages/sqlite/package.json').dependencies['better-sqlite3']")
log "better-sqlite3 as a fresh install on node $version resolves $range"
npm_config_nodedir=$headersdir npm_config_build_from_source=true \
  npm install --no-audit --no-fund --workspace @errand/sqlite "better-sqlite3@$range"

log "Checking better-sqlite3 loads"
node -e "
  const Database = require('better-sqlite3');
  const db = new Database(':memory:');
  console.log('better-sqlite3 ' + require('better-sqlite3/package.json').version + ', SQLite ' +
    db.prepare('select sqlite_version() as v').get().v + ', ABI ' + process.versions.modules);
"

pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || echo "warning: PostgreSQL is not answering on 127.0.0.1:5432" >&2
[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] ||
  echo "warning: Redis is not answering on 127.0.0.1:6379" >&2

status=0
if [ $# -eq 0 ]; then
  log "npm test on node $version"
  npm test || status=$?
else
  log "node scripts/run-tests.mjs $* on node $version"
  node scripts/run-tests.mjs "$@" || status=$?
fi
log "node $version: exit status $status"
exit "$status"
