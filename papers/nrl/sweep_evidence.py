#!/usr/bin/env python3
"""One RESULT line per seed from the HDF5 logs of a sweep stage (papers/nrl/evidence/*.txt).

Usage: python3 papers/nrl/sweep_evidence.py papers/nrl/sweep.toml runs/nrl/sweep PREFIX [PREFIX ...]
Reads the experiments of sweep.toml whose id starts with one of the prefixes, in file order,
and their logs <dir>/<id>.h5. Fields: mean = mean return over all units (the selection
metric), first100/last100 = mean of the first/last 100 units, steps = environment steps,
seconds = the seed's wall seconds (runs with --jobs 1). Acrobot lines add goal_first100 /
goal_last100 (episodes of the first/last 100 that reached the goal, i.e. return > -500) and
no_signal (true when the reward prediction error was 0 in every episode: the run never saw
a return other than its first and had no learning signal).
"""
import sys
import tomllib

import h5py
import numpy as np


def value_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def main():
    sweep, logs, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(sweep, "rb") as f:
        experiments = tomllib.load(f)["experiments"]
    for e in experiments:
        if not any(e["id"].startswith(p) for p in prefixes):
            continue
        params = ",".join(f"{k}={value_text(v)}" for k, v in e.get("params", {}).items())
        with h5py.File(f"{logs}/{e['id']}.h5", "r") as log:
            for name in sorted(log.keys(), key=lambda n: int(n.split("_")[1])):
                g = log[name]
                returns = np.asarray(g["episode_return"])
                lengths = np.asarray(g["episode_length"])
                status = g.attrs["status"]
                status = status.decode() if isinstance(status, bytes) else status
                fields = [
                    f"RESULT env={e['env']} rule={e['rule']} params={params}",
                    f"seed={int(g.attrs['seed'])} episodes={len(returns)} diverged={'true' if status == 'diverged' else 'false'}",
                    f"first100={returns[:100].mean():.2f} last100={returns[-100:].mean():.2f}",
                    f"mean={returns.mean():.4f} steps={int(lengths.sum())} seconds={float(g.attrs['wall_seconds']):.1f}",
                ]
                if e["env"].startswith("Acrobot"):
                    goal = returns > -500
                    no_signal = not np.any(np.asarray(g["rpe"]) != 0)
                    fields.append(
                        f"goal_first100={int(goal[:100].sum())} goal_last100={int(goal[-100:].sum())} "
                        f"no_signal={'true' if no_signal else 'false'}")
                if status != "complete":
                    fields.append(f"status={status}")
                print(" ".join(fields))


if __name__ == "__main__":
    main()
