#!/usr/bin/env bash
# Bookkeeping throughput: 8 worker processes on one fresh study with a no-op objective, trials
# finished per second, on a vktrain journal file, vktrain on PostgreSQL, and Optuna 3.1's RDB
# storage on the same PostgreSQL server. Runs the three alternating, R times, prints medians.
#   bash bench/storage_throughput.sh [VKTRAIN=build/vktrain] [R=3] [VK_TRIALS=400] [OPTUNA_TRIALS=200]
# vktrain: 8 separate `vktrain tune` processes (not --workers 8), --sampler random, a --command
# objective that only echoes its result. Optuna: 8 processes of bench/optuna_rdb_worker.py,
# RandomSampler, MaxTrialsCallback. Exit 1 if any run lost or duplicated a trial.
set -euo pipefail
VKTRAIN=$(realpath "${1:-build/vktrain}")
R=${2:-3}
VK_TRIALS=${3:-400}
OPTUNA_TRIALS=${4:-200}
PROCS=8
PGBIN=/usr/lib/postgresql/15/bin
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)

WORK=$(mktemp -d /tmp/vkt-bench.XXXXXX)
chmod 755 "$WORK"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Our own server: trust auth on 127.0.0.1 and the socket in $WORK, a free port.
mkdir "$WORK/pg" "$WORK/sock"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg" "$WORK/sock"
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U bench --auth=trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/sock/log" -w \
  -o "-p $PORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=on" start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U bench bench
VK_URI="postgresql://bench@127.0.0.1:$PORT/bench"
OPTUNA_URL="postgresql+psycopg2://bench@127.0.0.1:$PORT/bench"

echo '{"x": {"type": "float", "low": 0, "high": 1}}' >"$WORK/space.json"
NOOP='echo "{\"value\": {x}}"'
now() { date +%s.%N; }
fail=0

vk_run() {  # $1 study spec; prints trials/s; checks ids 0..N-1 once each
  local study=$1 t0 t1
  t0=$(now)
  for _ in $(seq $PROCS); do
    "$VKTRAIN" tune --space "$WORK/space.json" --study "$study" --command "$NOOP" --sampler random \
      --trials "$VK_TRIALS" --epochs 1 >/dev/null &
  done
  wait
  t1=$(now)
  "$VKTRAIN" report "$study" --json | "$PY" -c '
import json, sys
n = int(sys.argv[1]); ts = json.load(sys.stdin)["trials"]
ids = sorted(t["id"] for t in ts)
ok = ids == list(range(n)) and all(t["state"] == "complete" for t in ts)
sys.exit(0 if ok else 1)' "$VK_TRIALS" || { echo "LOST OR DUPLICATED TRIALS in $study" >&2; fail=1; }
  "$PY" -c "print(f'{$VK_TRIALS / ($t1 - $t0):.1f}')"
}

optuna_run() {  # $1 study name
  local t0 t1
  "$PY" "$HERE/optuna_rdb_worker.py" create "$OPTUNA_URL" "$1"
  t0=$(now)
  for _ in $(seq $PROCS); do "$PY" "$HERE/optuna_rdb_worker.py" work "$OPTUNA_URL" "$1" "$OPTUNA_TRIALS" & done
  wait
  t1=$(now)
  local out
  out=$("$PY" "$HERE/optuna_rdb_worker.py" check "$OPTUNA_URL" "$1" "$OPTUNA_TRIALS") ||
    { echo "OPTUNA LOST OR DUPLICATED TRIALS: $out" >&2; fail=1; }
  # Trials/s on the trials that completed (MaxTrialsCallback may overshoot by a few).
  local done_n=${out#optuna: }; done_n=${done_n%% *}
  "$PY" -c "print(f'{$done_n / ($t1 - $t0):.1f}')"
}

file_r=(); pg_r=(); op_r=()
for i in $(seq "$R"); do
  file_r+=("$(vk_run "$WORK/file-$i.vkts")")
  pg_r+=("$(vk_run "$VK_URI?study=bench-$i")")
  op_r+=("$(optuna_run "optuna-bench-$i")")
  echo "repeat $i: file ${file_r[-1]}  vktrain-pg ${pg_r[-1]}  optuna-pg ${op_r[-1]} trials/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mf=$(median "${file_r[@]}"); mp=$(median "${pg_r[@]}"); mo=$(median "${op_r[@]}")
echo "median trials/s ($PROCS processes, $R repeats): file $mf, vktrain-pg $mp, optuna-pg $mo"
"$PY" -c "print(f'vktrain-pg/optuna-pg {$mp/$mo:.1f}x, file/optuna-pg {$mf/$mo:.1f}x')"
exit $fail
