#!/usr/bin/env bash
# Reproduces docs/BENCHMARKS.md: builds the server and parley-bench (Release-like flags), then
# runs every benchmark case (3 runs each, a fresh server per run) and prints the median tables.
# Extra arguments go to tools/bench/run-all.sh (e.g. --runs 5 pairs-max).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_packages "${BUILD_PACKAGES[@]}"
build_server
exec "$ROOT/tools/bench/run-all.sh" --server "$BUILD/parley" --bench "$BUILD/tools/bench/parley-bench" "$@"
