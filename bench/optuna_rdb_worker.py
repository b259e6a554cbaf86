"""Optuna side of bench/storage_throughput.sh: one worker process on an RDB study.

  optuna_rdb_worker.py create URL STUDY      create the study (one process, before the workers)
  optuna_rdb_worker.py work URL STUDY N      optimize a no-op objective until N trials complete
  optuna_rdb_worker.py check URL STUDY N     exit 1 unless exactly N complete trials, numbers unique
Run with /usr/bin/python3 (Debian's python3-optuna 3.1, python3-sqlalchemy, python3-psycopg2).
"""
import sys

import optuna
from optuna.study import MaxTrialsCallback
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.WARNING)
cmd, url, name = sys.argv[1], sys.argv[2], sys.argv[3]
if cmd == "create":
    optuna.create_study(storage=url, study_name=name, load_if_exists=True)
    sys.exit(0)
n = int(sys.argv[4])
study = optuna.load_study(storage=url, study_name=name, sampler=optuna.samplers.RandomSampler())
if cmd == "work":
    # MaxTrialsCallback stops each worker once the study holds n complete trials; workers
    # still running then finish theirs, so the study may end a few above n (counted by check).
    study.optimize(lambda t: t.suggest_float("x", 0, 1), callbacks=[MaxTrialsCallback(n, states=(TrialState.COMPLETE,))])
    sys.exit(0)
trials = study.get_trials(deepcopy=False)
numbers = [t.number for t in trials]
complete = sum(t.state == TrialState.COMPLETE for t in trials)
ok = len(set(numbers)) == len(numbers) and complete >= n and complete == len(trials)
print(f"optuna: {complete} complete of {len(trials)} trials, numbers unique: {len(set(numbers)) == len(numbers)}")
sys.exit(0 if ok else 1)
