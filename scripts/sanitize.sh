#!/usr/bin/env bash
# Builds the server and its unit + integration tests with sanitizers and runs them.
#
#   scripts/sanitize.sh            # AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan
#   scripts/sanitize.sh --tsan     # ThreadSanitizer, in build-tsan
#   scripts/sanitize.sh -R Logout  # extra arguments go to ctest
#
# The integration tests spawn the server binary of their own build dir, so the server runs
# sanitized too. Its output goes to a temporary data dir that the tests delete, so every
# sanitizer report (server and test binaries) is also written to <build>/sanitizer-logs/ and
# printed at the end; any report fails the run even when the tests passed (a server that
# aborted after the test finished, a leak found at a clean shutdown...).
# Environment: PARLEY_JOBS (build and ctest jobs, default 2), PARLEY_ASAN_BUILD_DIR,
# PARLEY_TSAN_BUILD_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${PARLEY_JOBS:-2}"
MODE=asan
if [ "${1:-}" = "--tsan" ]; then
  MODE=tsan
  shift
fi

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

start=$(date +%s)
if [ "$MODE" = asan ]; then
  BUILD="${PARLEY_ASAN_BUILD_DIR:-$ROOT/build-asan}"
  CONFIGURE=(-DPARLEY_SANITIZE=ON -DPARLEY_TESTS=ON -DCMAKE_BUILD_TYPE=Debug)
else
  BUILD="${PARLEY_TSAN_BUILD_DIR:-$ROOT/build-tsan}"
  # -O1: TSan at -O0 is ~2x slower again, and the integration tests have time-outs.
  CONFIGURE=(-DPARLEY_TESTS=ON -DCMAKE_BUILD_TYPE=Debug
             "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer -O1"
             "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread")
fi
LOGS="$BUILD/sanitizer-logs"

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  log "configuring $BUILD ($MODE)"
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S "$ROOT" -B "$BUILD" "${generator[@]}" "${CONFIGURE[@]}" >/dev/null
fi
log "building parley, unit_tests, integration_tests ($MODE, -j$JOBS)"
cmake --build "$BUILD" -j "$JOBS" --target parley unit_tests integration_tests
built=$(date +%s)

rm -rf "$LOGS"
mkdir -p "$LOGS"
# Tests that assert memory bounds (RSS) can skip those under a sanitizer: ASan and TSan multiply
# RSS (shadow memory, quarantine). Compiled code can also test __SANITIZE_ADDRESS__ /
# __SANITIZE_THREAD__.
export PARLEY_SANITIZER="$MODE"
if [ "$MODE" = asan ]; then
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$LOGS/asan:log_exe_name=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/ubsan:log_exe_name=1"
  export LSAN_OPTIONS="suppressions=$ROOT/tests/fuzz/suppressions/lsan.supp"
  launcher=()
else
  export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:history_size=4:log_path=$LOGS/tsan:log_exe_name=1:suppressions=$ROOT/tests/fuzz/suppressions/tsan.supp"
  # TSan (gcc 12 / clang 14) maps its shadow at fixed addresses and dies with "unexpected
  # memory mapping" under the high-entropy ASLR of recent kernels: run without ASLR (inherited
  # by the server processes the tests spawn).
  launcher=(setarch "$(uname -m)" -R)
fi

log "running unit + integration tests ($MODE)"
status=0
(cd "$BUILD" && "${launcher[@]}" ctest -L 'unit|integration' -j "$JOBS" --output-on-failure \
  --timeout 300 "$@") || status=$?
end=$(date +%s)

reports=$(find "$LOGS" -type f | sort)
if [ -n "$reports" ]; then
  log "sanitizer reports"
  for f in $reports; do
    printf -- '--- %s\n' "${f#"$BUILD"/}"
    cat "$f"
  done
  [ "$status" -ne 0 ] || status=1
fi
log "$MODE: build $((built - start))s, tests $((end - built))s, total $((end - start))s; $(echo "$reports" | grep -c . || true) report file(s)"
if [ "$status" -ne 0 ]; then
  log "FAILED ($MODE)"
fi
exit "$status"
