#!/usr/bin/env bash
# Training throughput of vktrain vs PyTorch on this machine, side by side in one run:
# the same models, batch sizes, learning rates and data (Fashion-MNIST), one epoch each.
# Prints each framework's img/s (median, then every run) and test accuracy, and the ratio of
# the medians vktrain / PyTorch.
#
#   bash bench/train_vs_pytorch.sh [REPEATS]      (median of REPEATS runs each, default 3)
#
# PyTorch side: ../shared/bench/torch_cpu_anchor.py run with Debian's python3-torch
# (apt-get install python3-torch libopenblas0-pthread; the default python3 may lack torch).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
anchor=../shared/bench/torch_cpu_anchor.py
vktrain=build/vktrain
[ -x "$vktrain" ] || { echo "build first: make build" >&2; exit 1; }
[ -f "$anchor" ] || { echo "missing $anchor (the PyTorch reference script)" >&2; exit 1; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "needs: apt-get install python3-torch libopenblas0-pthread" >&2; exit 1; }

. bench/median.sh

# The two frameworks take turns, one PyTorch run (all three configurations) then one vktrain
# run of each, REPEATS times: this VM's speed drifts over minutes, and running all of one
# before all of the other turned that drift into the ratio.
configs=("mlp 128 8e-4" "cnn 64 1e-3" "cnn 256 1e-3")
declare -A torch_ips torch_acc vk_ips vk_acc
for r in $(seq "$repeats"); do
  while read -r name bs _ _ ips _ acc; do
    torch_ips["$name bs$bs"]+="$ips "
    torch_acc["$name bs$bs"]=$acc
  done < <(/usr/bin/python3 "$anchor" 1 | awk '/ bs[0-9]+:/ {sub(":","",$2); sub("bs","",$2); print $1, $2, $3, $4, $6, $7, $8}')
  for cfg in "${configs[@]}"; do
    set -- $cfg
    out=$("$vktrain" train --model "$1" --batch "$2" --lr "$3" --epochs 1 --json)
    vk_ips["$1 bs$2"]+="$(echo "$out" | sed 's/.*"img_per_s":\([0-9.e+]*\).*/\1/') "
    vk_acc["$1 bs$2"]=$(echo "$out" | sed 's/.*"test_acc":\([0-9.e+]*\).*/\1/')
  done
done

printf "%-10s %12s %12s %8s %10s %10s\n" model "vktrain" "pytorch" ratio "vk_acc" "pt_acc"
for cfg in "${configs[@]}"; do
  set -- $cfg
  key="$1 bs$2"
  vk=$(echo ${vk_ips[$key]} | tr ' ' '\n' | median)
  pt=$(echo ${torch_ips[$key]} | tr ' ' '\n' | median)
  printf "%-10s %12.0f %12.0f %8.2f %10.4f %10s   (vktrain: %s; pytorch: %s)\n" "$key" "$vk" "$pt" "$(echo "$vk / $pt" | bc -l)" \
    "${vk_acc[$key]}" "${torch_acc[$key]}" "$(printf '%.0f ' ${vk_ips[$key]})" "$(printf '%.0f ' ${torch_ips[$key]})"
done
