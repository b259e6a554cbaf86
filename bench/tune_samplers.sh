#!/usr/bin/env bash
# Genetic vs random search on the MLP space (examples/mlp_space.json), Fashion-MNIST,
# 2 epochs per trial, 30 trials, seeds 1-3: the best validation accuracy of each study, and
# the per-trial time outside training (setup: model, buffers, cached pipelines, recording;
# other: validation, checkpoints, journal), from VKTRAIN_TRIAL_TIMING.
#
#   bash bench/tune_samplers.sh [TRIALS] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-30}
epochs=${2:-2}
out=$(mktemp -d)
printf "%-8s %4s %10s %12s %12s\n" sampler seed best_val setup_med_s other_med_s
for sampler in random genetic; do
  for seed in 1 2 3; do
    study="$out/$sampler-$seed.vkts"
    VKTRAIN_TRIAL_TIMING=1 build/vktrain tune --space examples/mlp_space.json --study "$study" --model mlp \
      --epochs "$epochs" --trials "$trials" --sampler "$sampler" --seed "$seed" --json \
      > "$out/$sampler-$seed.json" 2> "$out/$sampler-$seed.err"
    best=$(build/vktrain report "$study" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["best"]["value"])')
    med() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
    setup=$(grep -o 'setup [0-9.]*' "$out/$sampler-$seed.err" | awk '{print $2}' | med)
    other=$(grep -o 'other [0-9.]*' "$out/$sampler-$seed.err" | awk '{print $2}' | med)
    printf "%-8s %4s %10.4f %12s %12s\n" "$sampler" "$seed" "$best" "$setup" "$other"
  done
done
rm -rf "$out"
