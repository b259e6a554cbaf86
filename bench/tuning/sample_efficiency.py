"""Sample efficiency of vktrain's samplers against Optuna's on the test functions.

Measures, for each test function (test_functions.py: Branin, Hartmann-6, Rosenbrock-4, mixed)
and each sampler, the simple regret (best value found minus the known optimum) of a study of
EVALS evaluations, over SEEDS seeds; prints per function the median and quartiles (25 %, 75 %)
of the regret and the total wall time per sampler, then the two goal lines (pass/fail text; the
exit code says only whether everything ran). All raw regrets and best-so-far curves go to --out.

  /usr/bin/python3 bench/tuning/sample_efficiency.py [--vktrain build/vktrain] [--out FILE]
      [--functions branin,mixed] [--samplers vk-gp,optuna-tpe] [--seeds 20] [--evals 50] [--jobs 2]

A quick check first: --seeds 3 --evals 20 --functions branin (about a minute). The whole run
takes about 30 minutes on the 2-core VM: a vk-* study of 50 evaluations ~10-15 s (50 process
starts, journal writes, the sampler), an Optuna one ~0.5 s (the Optuna part: ~3 minutes).

Samplers (seed K for every one of them):
  vk-gp, vk-tpe, vk-tpe-mv (multivariate), vk-random, vk-NAME (any --sampler name):
      `vktrain tune --command '<python> test_functions.py eval F --x1 {x1} ...' --direction minimize`,
      one study file per run in a temporary directory. Their wall time includes starting one
      Python process per evaluation; the measured cost of one start is printed with the tables.
  optuna-tpe (TPESampler defaults), optuna-tpe-mv (multivariate=True), optuna-cmaes
  (CmaEsSampler; on the mixed space it samples the categorical independently, with its
  RandomSampler fallback, as Optuna does), optuna-random: in-process studies, Optuna 3.1
  (Debian python3-optuna), which is why this runs with /usr/bin/python3.
At most 2 studies run at once (--jobs): the benchmark machine has 2 cores.
"""
import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import test_functions as tf  # noqa: E402

VK_ALIASES = {"vk-tpe-mv": {"name": "tpe", "multivariate": True}}
DEFAULT_SAMPLERS = ["vk-gp", "vk-tpe", "vk-random", "optuna-tpe", "optuna-tpe-mv", "optuna-cmaes", "optuna-random"]
OPTUNA_SAMPLERS = ["optuna-tpe", "optuna-tpe-mv", "optuna-cmaes", "optuna-random"]


def vk_sampler_arg(sampler):
    """The --sampler argument of a vk-* sampler: a name or a JSON object."""
    if sampler in VK_ALIASES:
        return json.dumps(VK_ALIASES[sampler])
    return sampler[len("vk-"):]


def optuna_sampler(sampler, seed):
    import optuna
    if sampler == "optuna-tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if sampler == "optuna-tpe-mv":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if sampler == "optuna-cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if sampler == "optuna-random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown sampler {sampler}")


def run_optuna(function, sampler, seed, evals):
    """The study's values in trial order."""
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # CmaEs warns once per independent draw
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # multivariate TPE
    study = optuna.create_study(direction="minimize", sampler=optuna_sampler(sampler, seed))
    study.optimize(lambda trial: tf.evaluate(function, tf.suggest(trial, function)), n_trials=evals)
    return [t.value for t in study.trials]


def space_file(function, workdir):
    return os.path.join(workdir, f"{function}.space.json")


def vktrain_command(vktrain, function, sampler, seed, evals, workdir):
    """The `vktrain tune` command line of one run (its space file is in `workdir` already)."""
    space = space_file(function, workdir)
    study = os.path.join(workdir, f"{function}-{sampler}-{seed}.vkts")
    return [vktrain, "tune", "--command", tf.command_template(function), "--space", space, "--study", study,
            "--direction", "minimize", "--trials", str(evals), "--seed", str(seed), "--sampler",
            vk_sampler_arg(sampler), "--json"]


def values_from_report(stdout, evals):
    """The complete trials' values in id order, from the report JSON that `--json` prints last."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError("no report JSON on stdout")
    report = json.loads(lines[-1])
    trials = sorted(report["trials"], key=lambda t: t["id"])
    if len(trials) != evals:
        raise RuntimeError(f"the study has {len(trials)} trials, expected {evals}")
    not_complete = [t for t in trials if t["state"] != "complete"]
    if not_complete:
        t = not_complete[0]
        raise RuntimeError(f"{len(not_complete)} trials did not complete; trial {t['id']}: {t['state']} "
                           f"{t.get('reason', '')}")
    values = [t["value"] for t in trials]
    if report.get("best") is None or report["best"]["value"] != min(values):
        raise RuntimeError("the report's best is not the least value of its trials")
    return values


def run_vktrain(vktrain, function, sampler, seed, evals, workdir):
    cmd = vktrain_command(vktrain, function, sampler, seed, evals, workdir)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"vktrain exited {proc.returncode}: {' | '.join(tail)}")
    return values_from_report(proc.stdout, evals)


def run_one(job):
    """One study: (function, sampler, seed, evals, vktrain, workdir) -> its result record."""
    function, sampler, seed, evals, vktrain, workdir = job
    start = time.perf_counter()
    try:
        if sampler.startswith("vk-"):
            values = run_vktrain(vktrain, function, sampler, seed, evals, workdir)
        else:
            values = run_optuna(function, sampler, seed, evals)
    except Exception as e:  # reported by the parent, which stops the benchmark
        return {"function": function, "sampler": sampler, "seed": seed, "error": f"{type(e).__name__}: {e}"}
    wall = time.perf_counter() - start
    best, curve = float("inf"), []
    for v in values:
        best = min(best, v)
        curve.append(best - tf.OPTIMA[function])
    return {"function": function, "sampler": sampler, "seed": seed, "regret": curve[-1], "curve": curve,
            "wall_s": wall}


def quartiles(xs):
    """25th, 50th and 75th percentiles, linear interpolation between order statistics."""
    import numpy as np
    q25, q50, q75 = np.percentile(np.asarray(xs, dtype=float), [25, 50, 75])
    return float(q25), float(q50), float(q75)


def launch_ms(function, repeats=10):
    """What starting one evaluation process costs (the part of vktrain's wall time that is not the sampler)."""
    import shlex
    p = {name: tf.ARGMINS[function][name] for name in tf.ARGMINS[function]}
    cmd = tf.command_template(function).format(**p)
    start = time.perf_counter()
    for _ in range(repeats):
        subprocess.run(shlex.split(cmd), check=True, capture_output=True)
    return (time.perf_counter() - start) / repeats * 1e3


def print_tables(results, functions, samplers, seeds, evals):
    stats = {}
    for function in functions:
        dims = len(tf.SPACES[function])
        print(f"\n{function} ({dims}-D, optimum {tf.OPTIMA[function]:.6g}): simple regret after {evals} "
              f"evaluations, {len(seeds)} seeds")
        print(f"  {'sampler':<16}{'median':>11}{'q25':>11}{'q75':>11}{'wall_s':>9}")
        for sampler in samplers:
            runs = [r for r in results if r["function"] == function and r["sampler"] == sampler]
            q25, q50, q75 = quartiles([r["regret"] for r in runs])
            wall = sum(r["wall_s"] for r in runs)
            stats[function, sampler] = (q25, q50, q75)
            print(f"  {sampler:<16}{q50:>11.3g}{q25:>11.3g}{q75:>11.3g}{wall:>9.1f}")
    return stats


def goal_lines(stats, functions, samplers):
    """The two goals as pass/fail lines (or why they were not judged)."""
    lines = []
    goal = "vktrain gp median regret below Optuna TPE's on every function"
    if {"vk-gp", "optuna-tpe"} <= set(samplers):
        detail = [f"{f} {stats[f, 'vk-gp'][1]:.3g} vs {stats[f, 'optuna-tpe'][1]:.3g}" for f in functions]
        ok = all(stats[f, "vk-gp"][1] < stats[f, "optuna-tpe"][1] for f in functions)
        lines.append(f"{'PASS' if ok else 'FAIL'}: {goal} ({'; '.join(detail)})")
    else:
        lines.append(f"NOT RUN: {goal} (needs vk-gp and optuna-tpe)")
    # A median below Optuna's 25th percentile is better than its spread, which is no failure.
    goal = "vktrain tpe within the seed spread (interquartile range) of Optuna TPE"
    if {"vk-tpe", "optuna-tpe"} <= set(samplers):
        detail, ok = [], True
        for f in functions:
            med, (q25, _, q75) = stats[f, "vk-tpe"][1], stats[f, "optuna-tpe"]
            where = "above" if med > q75 else "below (better)" if med < q25 else "in"
            ok = ok and med <= q75
            detail.append(f"{f} {med:.3g} {where} [{q25:.3g}, {q75:.3g}]")
        lines.append(f"{'PASS' if ok else 'FAIL'}: {goal}, i.e. its median not above Optuna's 75th percentile "
                     f"({'; '.join(detail)})")
    else:
        lines.append(f"NOT RUN: {goal} (needs vk-tpe and optuna-tpe)")
    return lines


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vktrain", default=os.path.join(ROOT, "build", "vktrain"), help="vktrain binary")
    ap.add_argument("--functions", default=",".join(tf.FUNCTIONS), help="comma-separated")
    ap.add_argument("--samplers", default=",".join(DEFAULT_SAMPLERS), help="comma-separated")
    ap.add_argument("--seeds", type=int, default=20, help="seeds 1..SEEDS")
    ap.add_argument("--evals", type=int, default=50, help="evaluations per study")
    ap.add_argument("--jobs", type=int, default=2, help="studies at once (1 or 2)")
    ap.add_argument("--tmp", default=None, help="where the study files go (default: the system's temporary directory)")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "vktrain_sample_efficiency.json"),
                    help="raw regrets and best-so-far curves (JSON)")
    a = ap.parse_args(argv)
    a.functions = [f for f in a.functions.split(",") if f]
    a.samplers = [s for s in a.samplers.split(",") if s]
    for f in a.functions:
        if f not in tf.FUNCTIONS:
            ap.error(f"--functions: unknown function '{f}' (use {', '.join(tf.FUNCTIONS)})")
    for s in a.samplers:
        if not (s.startswith("vk-") and len(s) > 3) and s not in OPTUNA_SAMPLERS:
            ap.error(f"--samplers: unknown sampler '{s}' (use vk-NAME or {', '.join(OPTUNA_SAMPLERS)})")
    if not a.functions or not a.samplers:
        ap.error("--functions and --samplers need at least one name each")
    if a.seeds < 1 or a.evals < 1:
        ap.error("--seeds and --evals must be at least 1")
    if a.jobs not in (1, 2):
        ap.error("--jobs must be 1 or 2 (the benchmark machine has 2 cores)")
    if any(s.startswith("vk-") for s in a.samplers) and not os.access(a.vktrain, os.X_OK):
        ap.error(f"--vktrain: {a.vktrain} is not an executable (build it, or leave the vk-* samplers out)")
    return a


def main(argv):
    a = parse_args(argv)
    seeds = list(range(1, a.seeds + 1))
    if any(s in OPTUNA_SAMPLERS for s in a.samplers):
        import optuna  # noqa: F401  once, before the workers fork: not in the first studies' wall times
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vkt-sample-eff-", dir=a.tmp) as workdir:
        for f in a.functions:
            with open(space_file(f, workdir), "w") as out:
                json.dump(tf.space_json(f), out, indent=2)
        jobs = [(f, s, k, a.evals, a.vktrain, workdir) for f in a.functions for s in a.samplers for k in seeds]
        left = {(f, s): len(seeds) for f in a.functions for s in a.samplers}
        results = []
        with multiprocessing.get_context("fork").Pool(a.jobs) as pool:
            for r in pool.imap_unordered(run_one, jobs):
                if "error" in r:
                    pool.terminate()
                    print(f"sample_efficiency: {r['sampler']} on {r['function']} seed {r['seed']}: {r['error']}",
                          file=sys.stderr)
                    return 1
                results.append(r)
                key = r["function"], r["sampler"]
                left[key] -= 1
                if left[key] == 0:
                    done = [x["regret"] for x in results if (x["function"], x["sampler"]) == key]
                    print(f"[{len(results)}/{len(jobs)}, {time.perf_counter() - start:.0f} s] {r['function']} "
                          f"{r['sampler']}: median regret {quartiles(done)[1]:.3g}", file=sys.stderr, flush=True)
    stats = print_tables(results, a.functions, a.samplers, seeds, a.evals)
    if any(s.startswith("vk-") for s in a.samplers):
        ms = launch_ms(a.functions[0])
        print(f"\nvk-* wall times include one evaluation process per trial: {ms:.0f} ms each here, "
              f"{ms * a.evals * len(seeds) / 1e3:.1f} s per row")
    print()
    for line in goal_lines(stats, a.functions, a.samplers):
        print(line)
    raw = {"evals": a.evals, "seeds": seeds, "optima": {f: tf.OPTIMA[f] for f in a.functions}, "functions": {}}
    for r in sorted(results, key=lambda r: (r["function"], r["sampler"], r["seed"])):
        row = raw["functions"].setdefault(r["function"], {}).setdefault(
            r["sampler"], {"regret": [], "wall_s": [], "best_so_far_regret": []})
        row["regret"].append(r["regret"])
        row["wall_s"].append(r["wall_s"])
        row["best_so_far_regret"].append(r["curve"])
    with open(a.out, "w") as f:
        json.dump(raw, f)
    print(f"\nraw regrets (per seed, in seed order) and best-so-far curves: {a.out}; "
          f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
