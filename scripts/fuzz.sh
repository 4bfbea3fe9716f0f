#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan+UBSan) and fuzzes each for a while.
#
#   scripts/fuzz.sh              # smoke run: 10 s per target
#   scripts/fuzz.sh 600          # long run: 10 min per target
#   scripts/fuzz.sh 60 fuzz_token fuzz_config     # some targets only
#   FUZZ_PARALLEL=2 scripts/fuzz.sh 600           # two fuzzers at a time (2-core machines: max 2)
#
# First replays the committed seeds and tests/fuzz/regressions/ (every input once, strict: the
# checks for known open bugs apply), then fuzzes (not strict unless FUZZ_STRICT=1). New inputs go
# to a scratch corpus in the build dir ($FUZZ_BUILD_DIR/scratch/<target>, kept between runs so
# coverage accumulates; the committed corpus is only read), logs to .../logs/<target>.log, crash
# inputs to .../artifacts/<target>/. Exits non-zero when any target crashed, leaked, timed out or
# broke an invariant. Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_PARALLEL (1),
# FUZZ_JOBS (build jobs, 2), FUZZ_STRICT (0), FUZZ_ARGS (extra libFuzzer flags).
# `scripts/fuzz.sh 0` only builds and replays. `scripts/fuzz.sh --coverage` builds an llvm-cov
# variant (build-fuzz-cov) and reports the source coverage of the corpora (committed + scratch).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ_DIR="$ROOT/tests/fuzz"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
PARALLEL="${FUZZ_PARALLEL:-1}"
JOBS="${FUZZ_JOBS:-2}"
COVERAGE=0
if [ "${1:-}" = "--coverage" ]; then
  COVERAGE=1
  shift
  BUILD="${FUZZ_COV_BUILD_DIR:-$BUILD-cov}"
fi
SECONDS_EACH="${1:-10}"
shift || true
ALL_TARGETS=(fuzz_http_request fuzz_ws_frame fuzz_client_frame fuzz_token fuzz_json_body fuzz_config fuzz_image)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'fuzz.sh: %s\n' "$*" >&2; exit 2; }

[[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh [seconds] [target...]"
for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || die "unknown target $t (known: ${ALL_TARGETS[*]})"
done

# Per-target input size cap and dictionary.
max_len() {
  case "$1" in
    fuzz_http_request) echo 4096 ;;   # the parser is also run with a 256-byte header limit
    fuzz_ws_frame) echo 4096 ;;
    fuzz_client_frame) echo 8192 ;;   # past the 4 KiB stack buffer of decode_client_frame
    fuzz_token) echo 1024 ;;
    fuzz_json_body) echo 4096 ;;
    fuzz_config) echo 2048 ;;
    fuzz_image) echo 16384 ;;         # small images: the decoders' hostile cases are in headers
  esac
}
dict() {
  case "$1" in
    fuzz_http_request) echo http.dict ;;
    fuzz_ws_frame) echo ws.dict ;;
    fuzz_client_frame | fuzz_json_body) echo json.dict ;;
    fuzz_token) echo token.dict ;;
    fuzz_config) echo yaml.dict ;;
    fuzz_image) echo image.dict ;;
  esac
}

# ---- toolchain ----
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  log "installing clang and libclang-rt-14-dev"
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq || true
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-14-dev cmake ninja-build pkg-config libboost1.81-dev libssl-dev \
    libsodium-dev libyaml-cpp-dev libcli11-dev libvips-dev
fi

# ---- build (idempotent) ----
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  log "configuring $BUILD (clang)"
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  CC=clang CXX=clang++ cmake -S "$FUZZ_DIR" -B "$BUILD" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DPARLEY_FUZZ_COVERAGE=$([ "$COVERAGE" = 1 ] && echo ON || echo OFF)" >/dev/null
fi
log "building fuzzers (-j$JOBS)"
cmake --build "$BUILD" -j "$JOBS" -- >/dev/null

# ---- coverage report of the committed corpus + the scratch corpus of the last runs ----
if [ "$COVERAGE" = 1 ]; then
  scratch_root="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}/scratch"
  profiles="$BUILD/profiles"
  rm -rf "$profiles"
  mkdir -p "$profiles"
  objects=()
  for t in "${TARGETS[@]}"; do
    dirs=("$FUZZ_DIR/corpus/$t")
    [ -d "$scratch_root/$t" ] && dirs+=("$scratch_root/$t")
    log "replaying ${dirs[*]} through $t"
    LLVM_PROFILE_FILE="$profiles/$t.profraw" PARLEY_FUZZ_STRICT=0 \
      "$BUILD/$t" -runs=0 "${dirs[@]}" >"$profiles/$t.log" 2>&1 || true
    objects+=(-object "$BUILD/$t")
  done
  llvm-profdata-14 merge -sparse "$profiles"/*.profraw -o "$profiles/merged.profdata"
  sources=("$ROOT"/src/util/*.cpp "$ROOT"/src/protocol/{http_message,ws_frame,client_frame,server_frame}.cpp
           "$ROOT"/src/auth/token.cpp "$ROOT"/src/config/config.cpp)
  llvm-cov-14 report "${objects[@]:1}" -instr-profile="$profiles/merged.profdata" "${sources[@]}"
  log "line-by-line: llvm-cov-14 show ${objects[*]:1} -instr-profile=$profiles/merged.profdata <file>"
  exit 0
fi

# ---- replay seeds and regressions ----
# Strict: the checks for known open bugs (FUZZ_CHECK_KNOWN) apply, so every regression input of
# a bug not fixed yet fails here, by name. Fuzzing goes on regardless; the exit code says it.
log "replaying seed corpora and regressions (strict)"
replay_failed=0
if ! (cd "$BUILD" && ctest -L fuzz -j "$JOBS" >"$BUILD/replay.log" 2>&1); then
  replay_failed=1
  printf 'replay: these seed/regression inputs fail (details: %s/replay.log):\n' "$BUILD"
  sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (.*)$/  \1/p' "$BUILD/replay.log"
fi

if [ "$SECONDS_EACH" -eq 0 ]; then
  log "replay only (0 seconds)"
  exit "$replay_failed"
fi

# ---- fuzz ----
mkdir -p "$BUILD/scratch" "$BUILD/logs" "$BUILD/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Long runs skip the checks for known open bugs (else they stop at them again and again);
# FUZZ_STRICT=1 enforces them.
export PARLEY_FUZZ_STRICT="${FUZZ_STRICT:-0}"

run_one() {
  local t="$1" scratch="$BUILD/scratch/$1" art="$BUILD/artifacts/$1/" rc=0
  mkdir -p "$scratch" "$art"
  # shellcheck disable=SC2086
  "$BUILD/$t" "$scratch" "$FUZZ_DIR/corpus/$t" \
    -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" \
    -dict="$FUZZ_DIR/dict/$(dict "$t")" -artifact_prefix="$art" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=1 ${FUZZ_ARGS:-} \
    >"$BUILD/logs/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$BUILD/logs/$t.rc"
}

log "fuzzing ${#TARGETS[@]} target(s) for ${SECONDS_EACH}s each, $PARALLEL at a time"
start=$(date +%s)
marker="$BUILD/logs/.run-start"
touch "$marker"
running=0
for t in "${TARGETS[@]}"; do
  rm -f "$BUILD/logs/$t.rc"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

# ---- summary ----
stat() { sed -n "s/^stat::$2: *//p" "$BUILD/logs/$1.log" | tail -1; }
failed=0
printf '\n%-18s %8s %12s %9s %7s %7s %8s  %s\n' target seconds execs execs/s cov ft corpus result
for t in "${TARGETS[@]}"; do
  rc=$(cat "$BUILD/logs/$t.rc" 2>/dev/null || echo 99)
  last=$(grep -E '^#[0-9]+' "$BUILD/logs/$t.log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  result=ok
  new_artifacts=$(find "$BUILD/artifacts/$t" -type f -newer "$marker" 2>/dev/null | head -3)
  if [ "$rc" != 0 ] || [ -n "$new_artifacts" ]; then
    result="FAILED (rc $rc; see $BUILD/logs/$t.log, $BUILD/artifacts/$t/)"
    failed=1
  fi
  printf '%-18s %8s %12s %9s %7s %7s %8s  %s\n' "$t" "$SECONDS_EACH" \
    "$(stat "$t" number_of_executed_units)" "$(stat "$t" average_exec_per_sec)" \
    "${cov:--}" "${ft:--}" "${corp:--}" "$result"
done
printf '\nwall time %ss; logs in %s/logs\n' "$(($(date +%s) - start))" "$BUILD"
if [ "$failed" -ne 0 ]; then
  printf '\nminimize a crash: %s/<target> -minimize_crash=1 -runs=100000 <artifact>\n' "$BUILD"
  printf 'then add it to tests/fuzz/regressions/<target>/\n'
fi
if [ "$replay_failed" -ne 0 ]; then
  printf '\nreplay of committed seeds/regressions FAILED (known bugs still open?): %s/replay.log\n' "$BUILD"
  failed=1
fi
exit "$failed"
