#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite through ctest:
# unit, integration (real server binary, real sockets, real SQLite), the web client's unit
# and browser tests (Debian's Chromium), the load generator's smoke run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build_server -DPARLEY_TESTS=ON
build_web
log "running the tests"
cd "$BUILD"
ctest --output-on-failure -j "$JOBS" --timeout 600 "$@"
