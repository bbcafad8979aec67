#!/usr/bin/env bash
# libFuzzer on every decoder of bytes swarmsafe did not write (Fuzz/Targets): builds the
# driver with the fuzzer and address sanitizers into .build-fuzz, runs each target for a
# bounded time from the committed seeds (Fuzz/Seeds) and regression inputs (Fuzz/Regressions),
# with leak detection (Fuzz/lsan-suppressions.txt lists the leaks that are not ours), a
# per-input timeout and a memory limit, and prints one line per target.
# Exits non-zero when any target found a crash, a leak, a timeout or an out-of-memory input.
#
# usage: scripts/fuzz.sh [--seconds N] [--runs R] [--timeout S] [--rss-mb M] [target...]
#   --runs R stops a target after R executions (then --seconds is only the cap).
#   targets: wal snapshot node-key age archive state-json docker-state-json engine-api (default: all)
#   FUZZ_BUILD (default .build-fuzz) is the build folder (gitignored: .build-*).
#   FUZZ_OUT (default .build-fuzz/runs) keeps each target's growing corpus between runs, its
#   log and the inputs of any finding (artifacts/<target>/crash-…, leak-…, timeout-…, oom-…).
# Replay an input without sanitizers: swift run swarmsafe-fuzz <target> <file>.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
runs=-1
timeout=25
rss_mb=2048
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --rss-mb) rss_mb=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(wal snapshot node-key age archive state-json docker-state-json engine-api)
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")

# SwiftPM passes its sanitizers to swiftc as separate flags (-sanitize=fuzzer -sanitize=address)
# and swiftc 6.3 keeps only the last: the Swift objects got ASan but no coverage counters, and
# libFuzzer mutated blindly. One combined -sanitize=fuzzer,address, given last, instruments for
# both; SwiftPM's own --sanitize flags stay for its link step (libFuzzer's main, no renamed
# entry point).
build=${FUZZ_BUILD:-.build-fuzz}
swift build --scratch-path "$build" -c debug --product swarmsafe-fuzz \
  --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
driver=$build/debug/swarmsafe-fuzz
# Refuse to fuzz blind: libFuzzer prints "cov:" only for instrumented code the seeds reach.
# (Read whole before grep: grep -q stops at the first match, and under pipefail the driver's
# SIGPIPE on its next line failed the check at random.)
inited=$(SWARMSAFE_FUZZ_TARGET=engine-api SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
  "$driver" -runs=0 Fuzz/Seeds/engine-api 2>&1 || true)
if ! grep -q 'INITED cov: [0-9]\{4,\}' <<<"$inited"; then
  echo "the Swift code in $driver has no coverage counters (check the -sanitize flags swiftc was given)" >&2
  exit 3
fi
out=${FUZZ_OUT:-.build-fuzz/runs}

findings=0
printf '%-18s %12s %9s %8s %9s  %s\n' target executions exec/s seconds findings inputs
for target in "${targets[@]}"; do
  [[ -d Fuzz/Seeds/$target ]] || { echo "no seeds for target $target" >&2; exit 2; }
  corpus=$out/corpus/$target
  artifacts=$out/artifacts/$target
  scratch=$out/tmp/$target
  log=$out/$target.log
  mkdir -p "$corpus" "$artifacts" "$scratch"
  inputs=(Fuzz/Seeds/"$target")
  [[ -d Fuzz/Regressions/$target ]] && inputs+=(Fuzz/Regressions/"$target")
  started=$(date +%s)
  touch "$log.start"
  # The Swift runtime's backtracer would take over a crash and hold the process; libFuzzer
  # reports it. The decoders that read files write their input under TMPDIR (FuzzScratch).
  status=0
  SWARMSAFE_FUZZ_TARGET=$target TMPDIR=$scratch SWIFT_BACKTRACE=enable=no \
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    LSAN_OPTIONS=suppressions=$PWD/Fuzz/lsan-suppressions.txt:print_suppressions=0 \
    "$driver" "$corpus" "${inputs[@]}" \
      -max_total_time="$seconds" -runs="$runs" -timeout="$timeout" -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" \
      -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - started ))
  rm -rf "$scratch"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -newer "$log.start" 2>/dev/null | sort || true)
  rm -f "$log.start"
  count=$(printf '%s' "$found" | grep -c . || true)
  if [[ $status -ne 0 && $count -eq 0 ]]; then
    count=1
    found="exit status $status, see $log"
  fi
  printf '%-18s %12s %9s %8s %9s  %s\n' "$target" "${executions:-?}" "${rate:-?}" "$elapsed" "$count" "$(echo $found)"
  findings=$((findings + count))
done
[[ $findings -eq 0 ]]
