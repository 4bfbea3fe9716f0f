#!/usr/bin/env bash
# Shared steps of run.sh and test.sh: install what is missing (Debian packages, npm packages)
# and build. Every step is idempotent: it does nothing when its result is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PARLEY_BUILD_DIR:-$ROOT/build}"
JOBS="${PARLEY_JOBS:-$(nproc 2>/dev/null || echo 2)}"
[ "$JOBS" -gt 2 ] || JOBS=2

BUILD_PACKAGES=(cmake g++ make pkg-config libboost1.81-dev libboost-json1.81-dev libssl-dev
  libsodium-dev libsqlite3-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libhiredis-dev libicu-dev libvips-dev)
TEST_PACKAGES=(redis-server nginx chromium fonts-wqy-zenhei fonts-noto-color-emoji clang libclang-rt-14-dev
  procps openssl curl)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "installing nodejs and npm"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
  fi
}

# Configures (once) and builds the server, tests and tools.
build_server() {
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    log "configuring $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  fi
  log "building (-j$JOBS)"
  cmake --build "$BUILD" -j "$JOBS"
}

# Installs the web client's npm packages when the lock file changed, then builds it.
build_web() {
  local web="$ROOT/web" stamp="$ROOT/web/node_modules/.parley-lock"
  [ -f "$web/package.json" ] || return 0
  if [ ! -f "$stamp" ] || ! cmp -s "$web/package-lock.json" "$stamp"; then
    log "installing web client packages (npm ci)"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$web/package-lock.json" "$stamp"
  fi
  log "building the web client"
  (cd "$web" && npm run build --silent)
}
