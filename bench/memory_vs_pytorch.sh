#!/usr/bin/env bash
# Peak device memory of vktrain's training run beside PyTorch's peak memory for the same
# training on CPU (#19's benchmark): the seed MLP and CNN at batch 64 and 256, Adam, the
# whole Fashion-MNIST set.
#
#   bash bench/memory_vs_pytorch.sh [VKTRAIN] [REPEATS]
#
# vktrain: the total of `train --print-model` (the memory plan, nn/train/memory_plan.hpp:
# data set, parameters, gradients, moments, activations, workspaces, staging; tests find it
# equal to the allocator's peak of the real run), with the images on the device (--data-on
# device) and streamed from the host (--data-on host). PyTorch:
# bench/torch_peak_memory.py, the peak resident set size while training 50 steps and
# evaluating, over what the process held before (its data tensors apart, in their own column);
# the RSS varies from run to run, so the PyTorch columns are medians of REPEATS runs (default
# 5). The plan is deterministic: one run each.
# Needs /usr/bin/python3 with python3-torch and libopenblas0-pthread (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
vk=${1:-build/vktrain}
repeats=${2:-5}
[ -x "$vk" ] || { echo "build first: make build" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs PyTorch: apt-get install python3-torch libopenblas0-pthread" >&2; exit 1; }

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# The plan's total in bytes, from its "total  N.N MiB" line.
planned() {
  "$vk" train --print-model "$@" | awk '$1 == "total" {
    u = $3; v = $2; m = (u == "KiB") ? 1024 : (u == "MiB") ? 1048576 : (u == "GiB") ? 1073741824 : 1; printf "%.0f", v * m }'
}
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
. bench/median.sh

printf "%-5s %5s | %14s %14s | %14s %14s %14s | %s\n" model batch "vk device MiB" "vk host MiB" "torch step MiB" "torch data MiB" "torch total" "vk device / torch total, vk host / torch step"
for model in mlp cnn; do
  for batch in 64 256; do
    dev=$(planned --model "$model" --batch "$batch" --data-on device)
    host=$(planned --model "$model" --batch "$batch" --data-on host)
    steps=() datas=()
    for _ in $(seq "$repeats"); do
      t=$(/usr/bin/python3 bench/torch_peak_memory.py "$model" "$batch")
      steps+=("$(echo "$t" | field step_bytes)")
      datas+=("$(echo "$t" | field data_bytes)")
    done
    step=$(printf '%.0f' "$(printf '%s\n' "${steps[@]}" | median)")
    data=$(printf '%.0f' "$(printf '%s\n' "${datas[@]}" | median)")
    printf "%-5s %5s | %14s %14s | %14s %14s %14s | %.2f, %.2f\n" "$model" "$batch" "$(mib "$dev")" "$(mib "$host")" \
      "$(mib "$step")" "$(mib "$data")" "$(mib $((step + data)))" \
      "$(echo "$dev / ($step + $data)" | bc -l)" "$(echo "$host / $step" | bc -l)"
  done
done
