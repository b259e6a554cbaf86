#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS_PER_TARGET]  (default 60; tests/fuzz/README.md)
# Builds the libFuzzer targets with clang in $BUILD (default build-sanitize/, the build that
# `make test-asan` shares), writes the binary seeds, replays every
# saved crash of tests/fuzz/regressions/<format>/ through its target, then fuzzes each format for
# SECONDS_PER_TARGET. Exits non-zero if a replay fails or a target finds a crash, leak, timeout or
# OOM, printing the file that reproduces it. JOBS sets the build's parallelism (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS_PER_TARGET]" >&2; exit 2; }
build=${BUILD:-build-sanitize}
formats=(json safetensors training_state idx journal space model)

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DVKTRAIN_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz -j "${JOBS:-$(nproc)}"

"$build/fuzz/fuzz_write_seeds" "$build/seeds"

# Whatever a target leaves in its temporary directory stays inside the build folder.
export TMPDIR="$PWD/$build/tmp"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
mkdir -p "$TMPDIR" "$build/logs"

failed=0
fail() {  # format, log, what happened
  echo "fuzz: $1: $3; log: $2" >&2
  tail -n 60 "$2" >&2
  failed=1
}

for f in "${formats[@]}"; do
  dir=tests/fuzz/regressions/$f
  [ -d "$dir" ] || continue
  mapfile -t inputs < <(find "$dir" -type f | sort)
  [ ${#inputs[@]} -gt 0 ] || continue
  log=$build/logs/$f.regressions.log
  if "$build/fuzz/fuzz_$f" -rss_limit_mb=2048 -timeout=10 "${inputs[@]}" >"$log" 2>&1; then
    echo "fuzz: $f: ${#inputs[@]} regression input(s) pass"
  else
    fail "$f" "$log" "a regression input of $dir fails again"
  fi
done

for f in "${formats[@]}"; do
  corpus=$build/corpus/$f crashes=$build/crashes/$f log=$build/logs/$f.log
  rm -rf "$crashes"
  mkdir -p "$corpus" "$crashes"
  seeds=()
  for d in "tests/fuzz/seeds/$f" "$build/seeds/$f"; do [ -d "$d" ] && seeds+=("$d"); done
  # The first directory is the corpus libFuzzer grows; the seed directories are only read.
  if "$build/fuzz/fuzz_$f" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    echo "fuzz: $f: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs," \
         "corpus $(find "$corpus" -type f | wc -l) files, no crash in ${seconds}s"
  else
    artifacts=$(find "$crashes" -type f | sort | tr "\n" " ")
    fail "$f" "$log" "found a bug; reproduce with: $build/fuzz/fuzz_$f ${artifacts:-(no artifact written)}"
  fi
done

exit $failed
