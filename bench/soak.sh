#!/usr/bin/env bash
# Soak: a tuning study whose workers are killed with SIGKILL at random moments, resumed each
# time, checked against the same study run without interruption.
#   bash bench/soak.sh [ROUNDS=50] [TRIALS=40] [VKTRAIN=build/vktrain] [SEED=1]
# Each round starts two `vktrain tune` workers on one journal and kills the first at a random
# moment (0.3-3 s after its start: loading data, sampling, training, mid-write) and the
# second 0-1 s later. After the rounds one worker finishes the study. Checks, exit 1 if any fails:
#   - the study has exactly TRIALS trials, ids 0..TRIALS-1, each complete with every epoch;
#   - every trial that a kill left running with a checkpoint (an orphan) was taken over
#     (its `resumed` count grew) and no worker printed "starts over" (a checkpoint it could not use);
#   - every trial's curve (validation accuracy and training loss per epoch) equals the
#     uninterrupted study's to the bit: each resume went on from its checkpoint exactly;
#   - no temporary checkpoint file (*.tmp.*) is left behind.
# Trials: the MLP on 6,000 Fashion-MNIST images, 3 epochs, checkpoints every 20 steps
# (mid-epoch) as well as at epoch ends, random sampler (its draws follow the journal), no pruner
# (its decisions would depend on which trials the other worker had finished).
set -euo pipefail
ROUNDS=${1:-50}
TRIALS=${2:-40}
VKTRAIN=$(realpath "${3:-build/vktrain}")
SEED=${4:-1}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/vkt-soak.XXXXXX)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

common=(tune --space "$HERE/examples/mlp_space.json" --model mlp --epochs 3 --train-limit 6000
        --trials "$TRIALS" --seed "$SEED" --sampler random --pruner none --checkpoint-every 20)
report() { "$VKTRAIN" report "$1" --json; }

t0=$(date +%s)
"$VKTRAIN" "${common[@]}" --study "$WORK/reference.vkts" >"$WORK/reference.log" 2>&1
echo "reference study: $TRIALS trials uninterrupted in $(($(date +%s) - t0)) s"

study=$WORK/soak.vkts
: >"$WORK/orphans"
kills=0
for ((round = 1; round <= ROUNDS; ++round)); do
  "$VKTRAIN" "${common[@]}" --study "$study" >>"$WORK/workers.log" 2>&1 &
  a=$!
  sleep 0.2
  "$VKTRAIN" "${common[@]}" --study "$study" >>"$WORK/workers.log" 2>&1 &
  b=$!
  sleep "$($PY -c "import random; print(random.uniform(0.1, 2.8))")"
  kill -9 "$a" 2>/dev/null && kills=$((kills + 1)) || true
  sleep "$($PY -c "import random; print(random.uniform(0, 1))")"
  kill -9 "$b" 2>/dev/null && kills=$((kills + 1)) || true
  wait "$a" "$b" 2>/dev/null || true
  # The trials this round left running with a checkpoint: the next worker must take them over.
  report "$study" 2>/dev/null | $PY -c '
import json, sys
r = json.load(sys.stdin)
for t in r["trials"]:
    if t["state"] == "running" and "checkpoint_epoch" in t:
        print(t["id"], t.get("resumed", 0), t["checkpoint_epoch"])' >>"$WORK/orphans" || true
  done_now=$(report "$study" 2>/dev/null | $PY -c '
import json, sys
print(sum(t["state"] != "running" for t in json.load(sys.stdin)["trials"]))' || echo 0)
  if [ "$done_now" -ge "$TRIALS" ]; then
    echo "soak: the study finished in round $round of $ROUNDS: raise TRIALS so every kill lands mid-study" >&2
    exit 1
  fi
done
"$VKTRAIN" "${common[@]}" --study "$study" >>"$WORK/workers.log" 2>&1
echo "killed $kills workers in $ROUNDS rounds, then finished the study with one worker"

report "$WORK/reference.vkts" >"$WORK/reference.json"
report "$study" >"$WORK/soak.json"
leftover=$(find "$WORK" -name '*.tmp.*' | wc -l)
starts_over=$(grep -c "starts over" "$WORK/workers.log" || true)
$PY - "$WORK/reference.json" "$WORK/soak.json" "$WORK/orphans" "$TRIALS" "$leftover" "$starts_over" <<'EOF'
import json, sys
ref, got = (json.load(open(p)) for p in sys.argv[1:3])
trials = int(sys.argv[4])
leftover, starts_over = int(sys.argv[5]), int(sys.argv[6])
orphans = {}  # id -> the resumed count it had when a kill left it running with a checkpoint
for line in open(sys.argv[3]):
    i, resumed, epoch = map(int, line.split())
    orphans.setdefault(i, resumed)
by_id = {t["id"]: t for t in got["trials"]}
want = {t["id"]: t for t in ref["trials"]}
failures = []
if sorted(by_id) != list(range(trials)) or len(got["trials"]) != trials:
    failures.append(f"trial ids {sorted(by_id)} are not 0..{trials - 1} once each")
for i, t in by_id.items():
    if t["state"] != "complete":
        failures.append(f"trial {i} is {t['state']}")
    if t["curve"] != want[i]["curve"] or t["params"] != want[i]["params"]:
        failures.append(f"trial {i}: curve {t['curve']} differs from the uninterrupted {want[i]['curve']}")
not_resumed = [i for i, r in orphans.items() if by_id.get(i, {}).get("resumed", 0) <= r]
if not_resumed:
    failures.append(f"orphans never taken over: {not_resumed}")
if starts_over:
    failures.append(f"{starts_over} resumes could not use their checkpoint and started over")
if leftover:
    failures.append(f"{leftover} temporary files left behind")
resumes = sum(t.get("resumed", 0) for t in got["trials"])
print(f"{trials} trials, all complete: {all(t['state'] == 'complete' for t in got['trials'])}; "
      f"{len(orphans)} trials orphaned with a checkpoint, {resumes} take-overs in all; "
      f"curves equal to the uninterrupted study: {sum(by_id[i]['curve'] == want[i]['curve'] for i in by_id)}/{trials}")
for f in failures:
    print("soak: FAIL:", f)
sys.exit(1 if failures else 0)
EOF
