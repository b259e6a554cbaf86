"""Tests of the sampler benchmark itself: the test functions' optima and spaces, the eval
command, and sample_efficiency.py's vktrain driver (against a fake `vktrain` that does random
search, since what is measured is the harness, not a sampler) and its goal lines.

  /usr/bin/python3 -B -m unittest discover -s bench/tuning -p 'test_*.py'      (about 10 s)
"""
import contextlib
import io
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import sample_efficiency as se  # noqa: E402
import test_functions as tf  # noqa: E402

# A stand-in for `vktrain tune --command`: random search over the space file, each trial run
# through the shell with {name} replaced by its value, the last {"value": v} line its result;
# prints the report JSON (trials best first) as `--json` does, and logs its argv.
FAKE_VKTRAIN = r'''#!/usr/bin/python3
import json, random, subprocess, sys
argv = sys.argv[1:]
with open(sys.argv[0] + ".log", "a") as f:
    f.write(json.dumps(argv) + "\n")
if "FAIL" in open(sys.argv[0]).read().split("\n")[-1]:
    print("vktrain: error: --command is not an option", file=sys.stderr)
    sys.exit(2)
opt = {argv[i]: argv[i + 1] for i in range(1, len(argv) - 1) if argv[i].startswith("--")}
space = json.load(open(opt["--space"]))
rng = random.Random(int(opt["--seed"]))
trials = []
for i in range(int(opt["--trials"])):
    p = {}
    for name, d in sorted(space.items()):
        if d["type"] == "categorical": p[name] = rng.choice(d["choices"])
        elif d["type"] == "int": p[name] = rng.randint(d["low"], d["high"])
        else: p[name] = rng.uniform(d["low"], d["high"])
    cmd = opt["--command"]
    for name, v in p.items():
        cmd = cmd.replace("{" + name + "}", str(v))
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True, check=True).stdout
    value = [json.loads(l) for l in out.splitlines() if l.startswith("{")][-1]["value"]
    trials.append({"id": i, "state": "complete", "value": value, "params": p})
ranked = sorted(trials, key=lambda t: t["value"])
print(json.dumps({"direction": opt["--direction"], "trials": ranked, "best": ranked[0]}))
'''


def uniform_points(name, n, seed):
    rng = random.Random(seed)
    for _ in range(n):
        p = {}
        for spec in tf.SPACES[name]:
            if spec[1] == "categorical":
                p[spec[0]] = rng.choice(spec[2])
            elif spec[1] == "int":
                p[spec[0]] = rng.randint(spec[2], spec[3])
            else:
                p[spec[0]] = rng.uniform(spec[2], spec[3])
        yield p


class TestFunctions(unittest.TestCase):
    def test_optimum_is_reached_at_the_known_minimizer(self):
        for name in tf.FUNCTIONS:
            # Hartmann-6's minimizer is known to 6 digits: its value is 2e-11 off the optimum.
            self.assertAlmostEqual(tf.evaluate(name, tf.ARGMINS[name]), tf.OPTIMA[name], delta=1e-9, msg=name)
        for x1, x2 in [(3.141592653589793, 2.275), (9.42477796076938, 2.475)]:
            self.assertAlmostEqual(tf.branin(x1, x2), tf.OPTIMA["branin"], delta=1e-9)

    def test_no_point_is_below_the_optimum(self):
        for name in tf.FUNCTIONS:
            values = [tf.evaluate(name, p) for p in uniform_points(name, 20000, seed=1)]
            self.assertGreater(min(values), tf.OPTIMA[name], name)

    def test_mixed_optimum_needs_the_right_color(self):
        best = {}
        for p in uniform_points("mixed", 20000, seed=2):
            best[p["color"]] = min(best.get(p["color"], float("inf")), tf.mixed(**p))
        self.assertGreaterEqual(best["red"], 1.0)
        self.assertGreaterEqual(best["blue"], 0.5)
        self.assertLess(best["green"], 0.5)
        # The best x moves with the color: green's optimum x is poor for blue.
        self.assertGreater(tf.mixed(1.5, 0.01, 7, "blue"), tf.mixed(0.0, 0.01, 7, "blue") + 2)

    def test_optuna_suggestions_match_the_vktrain_space(self):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        for name in tf.FUNCTIONS:
            study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
            study.optimize(lambda t: tf.evaluate(name, tf.suggest(t, name)), n_trials=3)
            space = tf.space_json(name)
            dists = study.trials[0].distributions
            self.assertEqual(sorted(dists), sorted(space), name)
            for key, d in space.items():
                dist = dists[key]
                if d["type"] == "categorical":
                    self.assertEqual(list(dist.choices), d["choices"])
                else:
                    self.assertEqual((dist.low, dist.high, dist.log), (d["low"], d["high"], d.get("log", False)))
                    self.assertEqual(isinstance(dist, optuna.distributions.IntDistribution), d["type"] == "int")


class TestEvalCommand(unittest.TestCase):
    def run_eval(self, args):
        return subprocess.run([sys.executable, os.path.join(HERE, "test_functions.py"), "eval"] + args,
                              capture_output=True, text=True)

    def test_the_command_template_prints_the_value(self):
        for name in tf.FUNCTIONS:
            cmd = tf.command_template(name).format(**tf.ARGMINS[name])
            out = subprocess.run(shlex.split(cmd), capture_output=True, text=True, check=True).stdout
            self.assertAlmostEqual(json.loads(out)["value"], tf.OPTIMA[name], delta=1e-9, msg=name)

    def test_bad_arguments_are_one_line_errors_naming_the_parameter(self):
        cases = [(["branin", "--x1", "1"], "missing --x2"), (["branin", "--x1", "11", "--x2", "1"], "--x1"),
                 (["mixed", "--x", "0", "--y", "0.1", "--n", "2.5", "--color", "red"], "--n"),
                 (["mixed", "--x", "0", "--y", "0.1", "--n", "2", "--color", "pink"], "--color"),
                 (["branin", "--x1", "1", "--x2", "1", "--x3", "1"], "--x3"), (["sphere"], "sphere")]
        for args, named in cases:
            proc = self.run_eval(args)
            self.assertEqual(proc.returncode, 2, args)
            self.assertEqual(proc.stdout, "", args)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, args)
            self.assertIn(named, proc.stderr, args)


class TestHarness(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.fake = os.path.join(self.dir.name, "vktrain")
        with open(self.fake, "w") as f:
            f.write(FAKE_VKTRAIN)
        os.chmod(self.fake, 0o755)
        self.out = os.path.join(self.dir.name, "out.json")

    def tearDown(self):
        self.dir.cleanup()

    def run_main(self, samplers, jobs="1"):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return se.main(["--vktrain", self.fake, "--functions", "branin,mixed", "--samplers", samplers,
                            "--seeds", "2", "--evals", "6", "--jobs", jobs, "--out", self.out])

    def test_vktrain_and_optuna_runs_give_consistent_regrets(self):
        self.assertEqual(self.run_main("vk-random,vk-tpe-mv,optuna-random", jobs="2"), 0)
        raw = json.load(open(self.out))
        self.assertEqual(raw["seeds"], [1, 2])
        for name in ("branin", "mixed"):
            for sampler in ("vk-random", "vk-tpe-mv", "optuna-random"):
                row = raw["functions"][name][sampler]
                self.assertEqual(len(row["regret"]), 2)
                for regret, curve in zip(row["regret"], row["best_so_far_regret"]):
                    self.assertEqual(len(curve), 6)
                    self.assertTrue(all(a >= b for a, b in zip(curve, curve[1:])), curve)
                    self.assertEqual(curve[-1], regret)
                    self.assertGreater(regret, 0)
            # The fake's random search depends on its seed alone, so the sampler name changes nothing.
            self.assertEqual(raw["functions"][name]["vk-random"]["regret"],
                             raw["functions"][name]["vk-tpe-mv"]["regret"])
        calls = [json.loads(line) for line in open(self.fake + ".log")]
        self.assertEqual(len(calls), 8)
        call = next(c for c in calls if "--seed" in c and c[c.index("--seed") + 1] == "2" and
                    json.dumps({"name": "tpe", "multivariate": True}) in c)
        self.assertEqual(call[0], "tune")
        for flag, value in [("--direction", "minimize"), ("--trials", "6")]:
            self.assertEqual(call[call.index(flag) + 1], value)
        self.assertIn("--json", call)

    def test_a_failing_vktrain_stops_the_run(self):
        with open(self.fake, "a") as f:
            f.write("# FAIL")
        self.assertEqual(self.run_main("vk-gp"), 1)
        self.assertFalse(os.path.exists(self.out))

    def test_report_checks(self):
        good = {"trials": [{"id": 1, "state": "complete", "value": 2.0}, {"id": 0, "state": "complete", "value": 3.0}],
                "best": {"value": 2.0}}
        self.assertEqual(se.values_from_report("trial 0 ...\n" + json.dumps(good), 2), [3.0, 2.0])
        with self.assertRaisesRegex(RuntimeError, "expected 3"):
            se.values_from_report(json.dumps(good), 3)
        failed = dict(good, trials=[dict(good["trials"][0], state="failed"), good["trials"][1]])
        with self.assertRaisesRegex(RuntimeError, "did not complete"):
            se.values_from_report(json.dumps(failed), 2)
        with self.assertRaisesRegex(RuntimeError, "best"):
            se.values_from_report(json.dumps(dict(good, best={"value": 3.0})), 2)


class TestGoalLines(unittest.TestCase):
    F = ["branin", "mixed"]

    def lines(self, stats):
        return se.goal_lines(stats, self.F, ["vk-gp", "vk-tpe", "optuna-tpe"])

    def stats(self, gp, tpe):
        tpe_optuna = (0.1, 0.2, 0.3)
        s = {}
        for f, g, t in zip(self.F, gp, tpe):
            s[f, "vk-gp"], s[f, "vk-tpe"], s[f, "optuna-tpe"] = (0, g, 1), (0, t, 1), tpe_optuna
        return s

    def test_pass_and_fail(self):
        gp_line, tpe_line = self.lines(self.stats(gp=[0.1, 0.15], tpe=[0.25, 0.05]))
        self.assertTrue(gp_line.startswith("PASS"))
        self.assertTrue(tpe_line.startswith("PASS"))
        self.assertIn("below (better)", tpe_line)
        gp_line, tpe_line = self.lines(self.stats(gp=[0.1, 0.2], tpe=[0.25, 0.31]))
        self.assertTrue(gp_line.startswith("FAIL"))  # equal is not below
        self.assertTrue(tpe_line.startswith("FAIL"))

    def test_not_run_without_the_samplers(self):
        lines = se.goal_lines({}, self.F, ["optuna-tpe"])
        self.assertTrue(all(line.startswith("NOT RUN") for line in lines))


if __name__ == "__main__":
    unittest.main()
