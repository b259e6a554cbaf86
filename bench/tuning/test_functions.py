"""Test functions for the sampler benchmarks: Branin, Hartmann-6, Rosenbrock-4 and a mixed space.

Each function (all minimized) has one space definition (SPACES), from which both its vktrain
space JSON (`space_json`) and its Optuna suggest calls (`suggest`) are made, so the two sides
can never search different domains; and a known optimum (OPTIMA), so a study's simple regret
is its best value minus the optimum.

The mixed space (floats x and log-scaled y, int n, categorical color) is designed so its
optimum is exact and the categorical matters twice: each color adds its own offset and moves
the best x, so a sampler that picks the color independently of x pays for it:
    f = offset[color] + a^2 + a*b + b^2 + 0.05 (n - 7)^2,   a = x - center[color], b = log10(y) + 2
(a^2 + ab + b^2 is positive definite), minimum 0 at color=green, x=1.5, y=0.01, n=7.

As a command (what `vktrain tune --command` runs once per trial; only the standard library is
imported on this path, so a start costs a few ms):
    python3 bench/tuning/test_functions.py eval branin --x1 {x1} --x2 {x2}   -> {"value": ...}
    python3 bench/tuning/test_functions.py space branin                      -> vktrain space JSON
    python3 bench/tuning/test_functions.py list                              -> names, dims, optima
"""
import math
import sys

# json and shlex are imported where used: the eval path imports nothing but math and sys.

# name -> [(param, kind, low, high, log)] or [(param, "categorical", choices)].
SPACES = {
    "branin": [("x1", "float", -5.0, 10.0, False), ("x2", "float", 0.0, 15.0, False)],
    "hartmann6": [(f"x{i}", "float", 0.0, 1.0, False) for i in range(1, 7)],
    "rosenbrock4": [(f"x{i}", "float", -2.0, 2.0, False) for i in range(1, 5)],
    "mixed": [("x", "float", -3.0, 3.0, False), ("y", "float", 1e-3, 1.0, True), ("n", "int", 0, 10, False),
              ("color", "categorical", ["red", "green", "blue"])],
}

# The global minima. Hartmann-6's is the literature value (-3.32237, Surjanovic & Bingham) to
# the digits its minimizer x* = (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573) gives.
OPTIMA = {"branin": 0.397887357729738, "hartmann6": -3.32236801141551, "rosenbrock4": 0.0, "mixed": 0.0}

# A point where each function reaches its optimum (Branin has two more: (pi, 2.275), (9.42478, 2.475)).
ARGMINS = {
    "branin": {"x1": -math.pi, "x2": 12.275},
    "hartmann6": dict(zip([f"x{i}" for i in range(1, 7)], [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573])),
    "rosenbrock4": {f"x{i}": 1.0 for i in range(1, 5)},
    "mixed": {"x": 1.5, "y": 0.01, "n": 7, "color": "green"},
}


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
_H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
_H6_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(x1, x2, x3, x4, x5, x6):
    x = (x1, x2, x3, x4, x5, x6)
    return -sum(alpha * math.exp(-sum(a * (xj - p * 1e-4) ** 2 for a, xj, p in zip(row_a, x, row_p)))
                for alpha, row_a, row_p in zip(_H6_ALPHA, _H6_A, _H6_P))


def rosenbrock4(x1, x2, x3, x4):
    x = (x1, x2, x3, x4)
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


_MIXED_OFFSET = {"red": 1.0, "green": 0.0, "blue": 0.5}
_MIXED_CENTER = {"red": -1.0, "green": 1.5, "blue": 0.0}


def mixed(x, y, n, color):
    a, b = x - _MIXED_CENTER[color], math.log10(y) + 2
    return _MIXED_OFFSET[color] + a * a + a * b + b * b + 0.05 * (n - 7) ** 2


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock4": rosenbrock4, "mixed": mixed}


def evaluate(name, params):
    """The function's value at `params` (a dict param -> value, every param of its space)."""
    return FUNCTIONS[name](**{p[0]: params[p[0]] for p in SPACES[name]})


def space_json(name):
    """The vktrain search space (tuning/space.hpp format) of function `name`."""
    out = {}
    for p in SPACES[name]:
        if p[1] == "categorical":
            out[p[0]] = {"type": "categorical", "choices": list(p[2])}
        else:
            out[p[0]] = {"type": p[1], "low": p[2], "high": p[3]}
            if p[4]:
                out[p[0]]["log"] = True
    return out


def suggest(trial, name):
    """The same space as Optuna suggest calls on `trial`; returns the params dict."""
    params = {}
    for p in SPACES[name]:
        if p[1] == "categorical":
            params[p[0]] = trial.suggest_categorical(p[0], list(p[2]))
        elif p[1] == "int":
            params[p[0]] = trial.suggest_int(p[0], p[2], p[3], log=p[4])
        else:
            params[p[0]] = trial.suggest_float(p[0], p[2], p[3], log=p[4])
    return params


def command_template(name, python=None):
    """The `vktrain tune --command` template that evaluates function `name` once per trial.
    Python runs with -S (no site module): this file needs only the standard library, and it
    halves the start-up that every trial pays."""
    import os
    import shlex
    parts = [shlex.quote(python or sys.executable), "-S", shlex.quote(os.path.abspath(__file__)), "eval", name]
    return " ".join(parts + [f"--{p[0]} {{{p[0]}}}" for p in SPACES[name]])


def parse_eval_args(name, args):
    """`--param value` pairs -> params dict, checked against the space; ValueError names the problem."""
    if len(args) % 2:
        raise ValueError("expected --param value pairs")
    given = {}
    for flag, text in zip(args[::2], args[1::2]):
        if not flag.startswith("--"):
            raise ValueError(f"expected --param, got '{flag}'")
        given[flag[2:]] = text
    params = {}
    for p in SPACES[name]:
        if p[0] not in given:
            raise ValueError(f"missing --{p[0]}")
        text = given.pop(p[0])
        if p[1] == "categorical":
            if text not in p[2]:
                raise ValueError(f"--{p[0]}: '{text}' is not one of {', '.join(p[2])}")
            params[p[0]] = text
            continue
        value = float(text)  # ValueError for non-numbers
        if not p[2] <= value <= p[3]:
            raise ValueError(f"--{p[0]}: {text} is outside [{p[2]}, {p[3]}]")
        if p[1] == "int":
            if value != int(value):
                raise ValueError(f"--{p[0]}: {text} is not a whole number")
            value = int(value)
        params[p[0]] = value
    if given:
        raise ValueError(f"unknown parameter --{sorted(given)[0]} for {name}")
    return params


def main(argv):
    usage = "usage: test_functions.py eval NAME --param value ... | space NAME | list"
    if argv[:1] == ["list"]:
        for name in FUNCTIONS:
            print(f"{name}: {len(SPACES[name])} params, optimum {OPTIMA[name]}")
        return 0
    if len(argv) < 2 or argv[0] not in ("eval", "space"):
        print(usage, file=sys.stderr)
        return 2
    name = argv[1]
    if name not in FUNCTIONS:
        print(f"test_functions.py: unknown function '{name}' (use {', '.join(FUNCTIONS)})", file=sys.stderr)
        return 2
    if argv[0] == "space":
        import json
        print(json.dumps(space_json(name), indent=2))
        return 0
    try:
        params = parse_eval_args(name, argv[2:])
    except ValueError as e:
        print(f"test_functions.py eval {name}: {e}", file=sys.stderr)
        return 2
    value = evaluate(name, params)
    # repr() of a finite float is valid JSON and reads back to the same double.
    print('{"value": %s}' % (repr(value) if math.isfinite(value) else "null"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
