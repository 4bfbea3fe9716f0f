#!/usr/bin/env bash
# Installs what is missing, builds the server and the web client, and starts parley on the
# embedded store (./data) at http://localhost:9288. Extra arguments go to parley.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_packages "${BUILD_PACKAGES[@]}"
build_server
build_web
cd "$ROOT"
log "starting parley (default http://localhost:9288; Ctrl-C stops it)"
exec "$BUILD/parley" --web "$ROOT/web/dist" "$@"
