#!/usr/bin/env bash
# vktrain's TPE and GP samplers against Optuna on the seed MLP space, Fashion-MNIST: the best
# validation accuracy and the wall time of each study (sampler x seed 1, 2, 3), the mean per
# sampler, then the Optuna anchor (../shared/bench/optuna_anchor.py: Optuna 3.1 random, TPE and
# NSGA-II with seed 0, PyTorch on the CPU) on the same space and budget.
#
#   bash bench/tuning/mlp_study.sh [--no-optuna] [--vktrain PATH] [--samplers "tpe gp"]
#                                  [--seeds "1 2 3"] [--trials 20] [--epochs 2] [-- VKTRAIN_TUNE_ARGS...]
#   (a quick check first: --trials 3 --epochs 1 --seeds 1 --no-optuna)
#
# Space: bench/tuning/mlp_anchor_space.json, the anchor's: hidden int 64..256 (step 1), lr
# 1e-4..1e-2 log, dropout 0.1..0.5, batch {32, 64, 128, 256}; 20 trials x 2 epochs, Adam, the
# same Dense-ReLU-Dropout-Dense network (vktrain's mlp preset).
# Not the same: the validation set. vktrain holds out its default --val-split 0.1 of the
# training set, a fixed shuffled subset of 6,000 images; the anchor validates on the *last*
# 6,000 training images. Same size and distribution, different images: the same network can
# score differently by the validation set's sampling noise (one standard error of an accuracy
# near 0.87 on 6,000 images is 0.4 %).
# Also the initialization (vktrain glorot_uniform, PyTorch kaiming-uniform) and the per-trial
# seeds differ: compare the spread over seeds, not single studies.
#
# Takes 6 studies x 20 trials x 2 epochs of vktrain training (minutes on a GPU), then the
# anchor, about 10 minutes on 2 CPU cores (skip it with --no-optuna).
set -euo pipefail
cd "$(dirname "$0")/../.."
vktrain=build/vktrain
samplers="tpe gp"
seeds="1 2 3"
trials=20
epochs=2
optuna=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-optuna) optuna=0 ;;
    --vktrain) vktrain=$2; shift ;;
    --samplers) samplers=$2; shift ;;
    --seeds) seeds=$2; shift ;;
    --trials) trials=$2; shift ;;
    --epochs) epochs=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "mlp_study.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
anchor=../shared/bench/optuna_anchor.py
space=bench/tuning/mlp_anchor_space.json
[ -x "$vktrain" ] || { echo "mlp_study.sh: $vktrain is not an executable (build first: make build)" >&2; exit 1; }
if [ "$optuna" = 1 ]; then
  [ -f "$anchor" ] || { echo "mlp_study.sh: missing $anchor (or pass --no-optuna)" >&2; exit 1; }
  /usr/bin/python3 -c "import optuna, torch" 2>/dev/null ||
    { echo "mlp_study.sh: the anchor needs python3-optuna and python3-torch (or pass --no-optuna)" >&2; exit 1; }
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }
# The best trial's value and params from the report JSON that `tune --json` prints last.
best_of() {
  /usr/bin/python3 -c '
import json, sys
report = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][-1])
best = report["best"]
print("%.4f %s" % (best["value"], json.dumps(best["params"], sort_keys=True)) if best else "nan -")' "$1"
}

echo "vktrain tune --model mlp --epochs $epochs --trials $trials, space $space"
printf "%-8s %4s %10s %8s  %s\n" sampler seed best_val wall_s best_params
declare -A sum_val sum_wall count
for sampler in $samplers; do
  for seed in $seeds; do
    name="$sampler-$seed"
    start=$(now)
    if ! "$vktrain" tune --space "$space" --study "$out/$name.vkts" --model mlp --optimizer adam --epochs "$epochs" \
        --trials "$trials" --sampler "$sampler" --seed "$seed" --json "${extra[@]}" \
        > "$out/$name.json" 2> "$out/$name.err"; then
      echo "mlp_study.sh: the $sampler study with seed $seed failed:" >&2
      tail -n 5 "$out/$name.err" >&2
      exit 1
    fi
    wall=$(echo "$start $(now)" | awk '{printf "%.1f", $2 - $1}')
    read -r val params <<< "$(best_of "$out/$name.json")"
    printf "%-8s %4s %10s %8s  %s\n" "$sampler" "$seed" "$val" "$wall" "$params"
    sum_val[$sampler]=$(echo "${sum_val[$sampler]:-0} $val" | awk '{print $1 + $2}')
    sum_wall[$sampler]=$(echo "${sum_wall[$sampler]:-0} $wall" | awk '{print $1 + $2}')
    count[$sampler]=$(( ${count[$sampler]:-0} + 1 ))
  done
done
for sampler in $samplers; do
  echo "${sum_val[$sampler]} ${sum_wall[$sampler]} ${count[$sampler]}" |
    awk -v s="$sampler" '{printf "mean %-6s best_val %.4f wall_s %.1f (%d studies)\n", s, $1 / $3, $2 / $3, $3}'
done

if [ "$optuna" = 1 ]; then
  echo
  echo "Optuna anchor: /usr/bin/python3 $anchor $trials $epochs (validation: the last 6,000 training images)"
  /usr/bin/python3 "$anchor" "$trials" "$epochs"
fi
