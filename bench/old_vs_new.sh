#!/usr/bin/env bash
# Training throughput of this build against another vktrain binary, taking turns in one run:
# the guide's floor for a change that touches the training step (ratio new/old >= 0.97).
#
#   bash bench/old_vs_new.sh OLD_VKTRAIN [REPEATS] [TRAIN_LIMIT] [-- EXTRA_NEW_ARGS...]
#
# Builds the old binary from a commit with, e.g.:
#   git worktree add /tmp/old HEAD~3 && cmake -S /tmp/old -B /tmp/old/build -DCMAKE_BUILD_TYPE=Release \
#     && cmake --build /tmp/old/build --target vktrain
# Each configuration (MLP at batch 128, the seed CNN at 64 and 256) trains one epoch of
# TRAIN_LIMIT Fashion-MNIST images (default 12,800) with each binary in turn, REPEATS times
# (default 5); prints the median img/s of each and the ratio of the medians. CONFIGS="mlp 128
# 8e-4;cnn 64 1e-3" picks other "model batch lr" configurations. EXTRA_NEW_ARGS go
# to the new binary only (e.g. `--autotune off`). One untimed run of each first warms the
# pipeline and kernel caches: the ratio is of warm runs.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: bench/old_vs_new.sh OLD_VKTRAIN [REPEATS] [TRAIN_LIMIT] [-- EXTRA_NEW_ARGS...]}
shift
repeats=${1:-5}; [ $# -gt 0 ] && shift
limit=${1:-12800}; [ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
extra=("$@")
new=build/vktrain
[ -x "$new" ] || { echo "build first: make build" >&2; exit 1; }
[ -x "$old" ] || { echo "$old: not an executable" >&2; exit 1; }

. bench/median.sh
ips() { sed 's/.*"img_per_s":\([0-9.e+]*\).*/\1/'; }

IFS=';' read -r -a configs <<< "${CONFIGS:-mlp 128 8e-4;cnn 64 1e-3;cnn 256 1e-3}"
declare -A old_ips new_ips
for cfg in "${configs[@]}"; do
  set -- $cfg
  "$old" train --model "$1" --batch "$2" --lr "$3" --epochs 1 --train-limit 1024 --json >/dev/null
  "$new" train --model "$1" --batch "$2" --lr "$3" --epochs 1 --train-limit 1024 --json "${extra[@]}" >/dev/null
done
for r in $(seq "$repeats"); do
  for cfg in "${configs[@]}"; do
    set -- $cfg
    args=(train --model "$1" --batch "$2" --lr "$3" --epochs 1 --train-limit "$limit" --json)
    old_ips["$1 bs$2"]+="$("$old" "${args[@]}" | tail -1 | ips) "
    new_ips["$1 bs$2"]+="$("$new" "${args[@]}" "${extra[@]}" | tail -1 | ips) "
  done
done
printf "%-10s %10s %10s %8s\n" model old new new/old
for cfg in "${configs[@]}"; do
  set -- $cfg
  key="$1 bs$2"
  o=$(echo ${old_ips[$key]} | tr ' ' '\n' | median)
  n=$(echo ${new_ips[$key]} | tr ' ' '\n' | median)
  printf "%-10s %10.0f %10.0f %8.3f   (old: %s; new: %s)\n" "$key" "$o" "$n" "$(echo "$n / $o" | bc -l)" \
    "$(printf '%.0f ' ${old_ips[$key]})" "$(printf '%.0f ' ${new_ips[$key]})"
done
