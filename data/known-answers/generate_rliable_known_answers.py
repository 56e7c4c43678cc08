#!/usr/bin/env python3
"""Writes data/known-answers/rliable_known_answers.json: inputs and the numbers rliable
(google-research/rliable; Agarwal et al., "Deep Reinforcement Learning at the Edge of the
Statistical Precipice", NeurIPS 2021) computes from them, for the benchmark statistics in
Sources/Replication/Statistics (ScoreMatrix, AggregateMetric, intervalEstimates,
performanceProfile, probabilityOfImprovement, SampleEfficiency, ComputeCost).

Run from the repository root:  python3 data/known-answers/generate_rliable_known_answers.py
The JSON is committed; the Swift tests (Tests/ReplicationTests/RliableKnownAnswerTests.swift)
read it and need no Python. This script installs nothing. It needs rliable and its
dependencies (`pip install rliable`); rliable 1.2.0 imports `arch`, whose 7.2.0 release
fails to import with pandas 3 (a `deprecate_kwarg` signature change), so the environment
that wrote the committed JSON had `pip install rliable "pandas<3"`. The versions used are
recorded in the JSON.

What is computed by rliable itself (not reimplemented here):
- aggregates: rliable.metrics.aggregate_{iqm,mean,median,optimality_gap};
- interval estimates: rliable.library.get_interval_estimates with a vector-valued
  aggregate function (median, IQM, mean, optimality gap — rliable's README order),
  percentile method, 95 %;
- performance profiles: rliable.library.create_performance_profile (both kinds);
- probability of improvement: rliable.metrics.probability_of_improvement, and its interval
  through get_interval_estimates with a list [x, y] (StratifiedIndependentBootstrap).

Bootstrap known answers by replay: rliable's StratifiedBootstrap draws its resample indices
with NumPy's *global* generator (`np.random.choice`, whatever `random_state` says), which
the Swift code cannot reproduce. The script seeds that generator, records every index array
the bootstrap draws (by wrapping `update_indices`, which then runs unchanged) and writes
them, transposed to `indices[resample][task][k]`; the Swift side replays exactly those
resamples (Bootstrap.Draws.supplied) and must reproduce rliable's interval ends.

Monte-Carlo agreement: for drawn (Philox) resamples the Swift intervals differ from
rliable's by the bootstrap's Monte-Carlo error. For those cases the script runs rliable's
bootstrap with `reference_reps` resamples and writes, for each interval end at
probability p, a band [Q(p - 5 s), Q(p + 5 s)] of the reference bootstrap distribution Q
with s = sqrt(p (1 - p) (1 / swift_reps + 1 / reference_reps)): the spread (in
probability) of a p-quantile estimated from swift_reps resamples, plus the reference's own.
A Swift end outside its band is a 5-sigma event, i.e. an error.

Sample efficiency and compute cost have no rliable function; their expected values are
computed here independently with NumPy (cumulative sums rather than the Swift running sum).
"""
import json
import pathlib
import platform
import sys

import numpy as np
import scipy
import scipy.stats
import arch
import rliable
from importlib.metadata import version
from rliable import library, metrics

OUT = pathlib.Path("data/known-answers/rliable_known_answers.json")

# ---------------------------------------------------------------- index capture

recorded = []  # one entry per resample: list of (runs x tasks) index arrays, one per matrix
_original_sb = library.StratifiedBootstrap.update_indices
_original_sib = library.StratifiedIndependentBootstrap.update_indices


def _record_sb(self):
    result = _original_sb(self)
    recorded.append([np.asarray(result[0])])
    return result


def _record_sib(self):
    result = _original_sib(self)
    pos, _ = result
    recorded.append([np.asarray(p[0]) for p in pos])
    return result


library.StratifiedBootstrap.update_indices = _record_sb
library.StratifiedIndependentBootstrap.update_indices = _record_sib


def take_indices():
    """The indices recorded since the last call, as [resample][stratum][k]: the strata
    of the first matrix's tasks, then of the second's (for two matrices)."""
    global recorded
    out = []
    for arrays in recorded:
        strata = []
        for a in arrays:  # a: runs x tasks; a[k, t] = run at position k of task t
            strata.extend(a.T.tolist())
        out.append(strata)
    recorded = []
    return out


def standard_aggregates(x):
    return np.array([metrics.aggregate_median(x), metrics.aggregate_iqm(x),
                     metrics.aggregate_mean(x), metrics.aggregate_optimality_gap(x)])


def fl(a):
    return [float(v) for v in np.asarray(a).ravel()]


def rows(m):
    return [[float(v) for v in r] for r in np.asarray(m)]


# ---------------------------------------------------------------- inputs

rng = np.random.default_rng(20211206)


def scores(runs, tasks, centre=0.6, spread=0.4):
    return rng.normal(centre, spread, (runs, tasks))


matrices = {
    "typical 10 runs x 5 tasks": scores(10, 5),
    "weaker 10 runs x 5 tasks": scores(10, 5, centre=0.35, spread=0.3),
    "ties on a 0.25 grid, 6 runs x 4 tasks": np.round(scores(6, 4) * 4) / 4,
    "one run, one task": np.array([[0.7]]),
    "two runs, one task": np.array([[0.2], [1.3]]),
    "three runs, two tasks (median of an even count)": scores(3, 2),
    "seven runs, three tasks, wide scores": scores(7, 3, centre=1.0, spread=2.0),
    "all equal": np.full((4, 3), 0.5),
    "above gamma everywhere": 1.5 + np.abs(scores(5, 2)),
}

# ---------------------------------------------------------------- aggregates

aggregates = []
for name, m in matrices.items():
    aggregates.append({
        "name": name, "scores": rows(m),
        "iqm": float(metrics.aggregate_iqm(m)),
        "mean": float(metrics.aggregate_mean(m)),
        "median": float(metrics.aggregate_median(m)),
        "optimality_gap": float(metrics.aggregate_optimality_gap(m)),
        "optimality_gap_gamma": 0.8,
        "optimality_gap_at_gamma": float(metrics.aggregate_optimality_gap(m, gamma=0.8)),
        "per_task_iqm": [float(metrics.aggregate_iqm(m[:, [t]])) for t in range(m.shape[1])],
    })

# ---------------------------------------------------------------- interval estimates (replayed)

interval_estimates = []
for seed, (name, reps) in enumerate([("typical 10 runs x 5 tasks", 200),
                                     ("ties on a 0.25 grid, 6 runs x 4 tasks", 200),
                                     ("two runs, one task", 50),
                                     ("three runs, two tasks (median of an even count)", 120),
                                     ("seven runs, three tasks, wide scores", 300)]):
    m = matrices[name]
    np.random.seed(1000 + seed)
    take_indices()
    point, ci = library.get_interval_estimates({"a": m}, standard_aggregates, reps=reps)
    idx = take_indices()
    assert len(idx) == reps
    interval_estimates.append({
        "name": name, "scores": rows(m), "level": 0.95,
        "metrics": ["median", "iqm", "mean", "optimality_gap"],
        "indices": idx, "point": fl(point["a"]), "low": fl(ci["a"][0]), "high": fl(ci["a"][1]),
    })

# ---------------------------------------------------------------- performance profiles (replayed)

profiles = []
taus = np.linspace(-0.5, 2.0, 26)
for seed, (name, reps, use_runs) in enumerate([("typical 10 runs x 5 tasks", 200, True),
                                               ("ties on a 0.25 grid, 6 runs x 4 tasks", 200, True),
                                               ("ties on a 0.25 grid, 6 runs x 4 tasks", 150, False),
                                               ("one run, one task", 20, True)]):
    m = matrices[name]
    np.random.seed(2000 + seed)
    take_indices()
    prof, prof_ci = library.create_performance_profile(
        {"a": m}, taus, use_score_distribution=use_runs, reps=reps)
    idx = take_indices()
    assert len(idx) == reps
    profiles.append({
        "name": name, "scores": rows(m), "taus": fl(taus), "kind": "runs" if use_runs else "taskMeans",
        "level": 0.95, "indices": idx,
        "fractions": fl(prof["a"]), "low": fl(prof_ci["a"][0]), "high": fl(prof_ci["a"][1]),
    })

# ---------------------------------------------------------------- probability of improvement (replayed)

x_uneven = scores(7, 3, centre=0.7)
y_uneven = scores(4, 3, centre=0.5)
tie_x = matrices["ties on a 0.25 grid, 6 runs x 4 tasks"]
tie_y = np.round(scores(6, 4, centre=0.5) * 4) / 4
tie_y[:, 1] = tie_x[:, 1]  # an identical task column: rliable's array_equal branch
poi_pairs = [
    ("typical over weaker", matrices["typical 10 runs x 5 tasks"], matrices["weaker 10 runs x 5 tasks"], 200),
    ("ties, one identical task", tie_x, tie_y, 200),
    ("uneven runs 7 vs 4", x_uneven, y_uneven, 200),
    ("equal matrices", matrices["all equal"], matrices["all equal"], 20),
    ("one run each", np.array([[0.3, 0.9]]), np.array([[0.5, 0.9]]), 20),
]
probability_of_improvement = []
for seed, (name, x, y, reps) in enumerate(poi_pairs):
    np.random.seed(3000 + seed)
    take_indices()
    point, ci = library.get_interval_estimates(
        {"xy": [x, y]}, metrics.probability_of_improvement, reps=reps)
    idx = take_indices()
    assert len(idx) == reps
    probability_of_improvement.append({
        "name": name, "x": rows(x), "y": rows(y), "level": 0.95, "indices": idx,
        "point": float(point["xy"]), "low": float(np.ravel(ci["xy"][0])[0]), "high": float(np.ravel(ci["xy"][1])[0]),
        "per_task": [float(metrics.probability_of_improvement(x[:, [t]], y[:, [t]])) for t in range(x.shape[1])],
    })

# ---------------------------------------------------------------- Monte-Carlo bands

SWIFT_REPS = 2000
REFERENCE_REPS = 20000
LEVEL = 0.95


def band(distribution, p):
    s = np.sqrt(p * (1 - p) * (1 / SWIFT_REPS + 1 / REFERENCE_REPS))
    lo, hi = max(p - 5 * s, 0.0), min(p + 5 * s, 1.0)
    return [float(np.percentile(distribution, 100 * lo)), float(np.percentile(distribution, 100 * hi))]


def bands(results):
    alpha = (1 - LEVEL) / 2
    return ([band(results[:, i], alpha) for i in range(results.shape[1])],
            [band(results[:, i], 1 - alpha) for i in range(results.shape[1])])


monte_carlo = []
for seed, name in enumerate(["typical 10 runs x 5 tasks", "seven runs, three tasks, wide scores"]):
    m = matrices[name]
    np.random.seed(4000 + seed)
    results = library.StratifiedBootstrap(m).apply(standard_aggregates, REFERENCE_REPS)
    take_indices()
    lows, highs = bands(results)
    monte_carlo.append({
        "name": name, "kind": "aggregates", "scores": rows(m), "y": None,
        "swift_reps": SWIFT_REPS, "reference_reps": REFERENCE_REPS, "level": LEVEL,
        "point": fl(standard_aggregates(m)), "low_band": lows, "high_band": highs,
    })
np.random.seed(4100)
x, y = matrices["typical 10 runs x 5 tasks"], matrices["weaker 10 runs x 5 tasks"]
results = library.StratifiedIndependentBootstrap(x, y).apply(
    lambda a, b: np.array([metrics.probability_of_improvement(a, b)]), REFERENCE_REPS)
take_indices()
lows, highs = bands(results)
monte_carlo.append({
    "name": "typical over weaker", "kind": "probability_of_improvement", "scores": rows(x), "y": rows(y),
    "swift_reps": SWIFT_REPS, "reference_reps": REFERENCE_REPS, "level": LEVEL,
    "point": [float(metrics.probability_of_improvement(x, y))], "low_band": lows, "high_band": highs,
})

# ---------------------------------------------------------------- sample efficiency (NumPy)


def running_average(x, window):
    c = np.concatenate([[0.0], np.cumsum(x)])
    k = np.arange(1, len(x) + 1)
    start = np.maximum(k - window, 0)
    return (c[k] - c[start]) / (k - start)


sample_efficiency = []
curves = [
    ("rising returns", np.linspace(10, 500, 60) + rng.normal(0, 30, 60), 10, (9.0, 500.0), 400.0, "above"),
    ("never reaches", rng.normal(100, 20, 40), 5, (0.0, 200.0), 300.0, "above"),
    ("falling error", np.exp(-np.arange(30) / 8.0) + rng.normal(0, 0.02, 30), 3, None, 0.1, "below"),
    ("window 1, hits on unit 1", np.array([5.0, 1.0, 2.0]), 1, (0.0, 4.0), 4.0, "above"),
    ("window longer than the series", rng.normal(0, 1, 7), 20, (-1.0, 1.0), 0.0, "above"),
]
for name, x, window, norm, threshold, direction in curves:
    curve = running_average(x, window)
    area = float(np.mean(curve))
    hits = np.nonzero(curve >= threshold if direction == "above" else curve <= threshold)[0]
    sample_efficiency.append({
        "name": name, "series": fl(x), "window": window,
        "low": None if norm is None else norm[0], "high": None if norm is None else norm[1],
        "curve": fl(curve),
        "auc": area if norm is None else (area - norm[0]) / (norm[1] - norm[0]),
        "threshold": threshold, "direction": direction,
        "units": int(hits[0] + 1) if len(hits) else len(x) + 1, "censored": len(hits) == 0,
    })

# ---------------------------------------------------------------- compute cost (rliable's mean, NumPy)

compute_cost = []
for name, costs, m in [
    ("cpu seconds, typical", np.abs(rng.normal(30, 5, (10, 5))), matrices["typical 10 runs x 5 tasks"]),
    ("steps, wide scores", np.round(np.abs(rng.normal(2e5, 3e4, (7, 3)))), matrices["seven runs, three tasks, wide scores"]),
    ("score mean not positive", np.full((2, 1), 4.0), np.array([[-0.5], [0.25]])),
]:
    per_run = float(metrics.aggregate_mean(costs))
    s = float(metrics.aggregate_mean(m))
    compute_cost.append({
        "name": name, "costs": rows(costs), "scores": rows(m), "per_run": per_run,
        "per_unit_score": per_run / s if s > 0 else None,
    })

# ---------------------------------------------------------------- write

doc = {
    "generator": "data/known-answers/generate_rliable_known_answers.py",
    "versions": {
        "rliable": version("rliable"), "arch": arch.__version__, "numpy": np.__version__,
        "scipy": scipy.__version__, "python": platform.python_version(),
    },
    "aggregates": aggregates,
    "interval_estimates": interval_estimates,
    "performance_profiles": profiles,
    "probability_of_improvement": probability_of_improvement,
    "monte_carlo": monte_carlo,
    "sample_efficiency": sample_efficiency,
    "compute_cost": compute_cost,
}
OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)
