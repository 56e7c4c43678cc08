#!/usr/bin/env python3
"""Run the official MAP propagation code (github.com/stephen-chung-mh/map_prop), unmodified,
for ONE seed of one RL task, and write that seed's per-episode returns as a partial JSON.

Ours (ThreeFactor). The authors' files are executed as they are: `main_rl.py` is run with
runpy as __main__ (it imports their `util.py` and `mapprop.py`), on Gymnasium through the
old-API shim in gym_shim/ (see its docstring). Only two things are added around it:

* the run count: the authors' config file is used as shipped except that `n_run = 1` is
  appended to its [USER] section (one run per process, so that each seed is resumable);
  the derived config is written to a scratch directory, never into the authors' checkout;
* seeding (the authors' code seeds nothing): `np.random.seed(seed)` before main_rl.py runs
  (network initialisation, unit noise and action sampling all draw from NumPy's global
  generator), and the first reset of each environment is seeded with the same seed through
  the shim (GYM_SHIM_SEED).

Usage:
  nice -n 19 python map_prop_rl.py --code /tmp/map_prop --task acrobot --seed 0 \
      --out data/authors-code/map-prop/partial/acrobot-map-prop/seed-0.json
"""
import argparse
import datetime
import json
import os
import platform
import resource
import runpy
import subprocess
import sys
import tempfile
import time

from low_priority import keep_low_priority
from run_files import write_json_atomically

TASKS = {
    # task: (authors' config file, our experiment id)
    "acrobot": ("config_ab.ini", "acrobot-map-prop"),
    "mountaincar": ("config_mc.ini", "mountaincar-map-prop"),
    "cartpole": ("config_cp.ini", "cartpole-map-prop"),
    "lunarlander": ("config_ll.ini", "lunarlander-map-prop"),
}

# Environment ids that today's Gymnasium no longer registers, and the id run instead (the
# config's [USER] env_name is replaced in the derived config, nothing else). LunarLander-v2
# was removed in Gymnasium 1.0; v3 keeps its spaces, reward and 1000-step limit (its changes:
# deterministic resets given a seed and wind/turbulence fixes that are off by default).
ENV_REPLACEMENTS = {"LunarLander-v2": "LunarLander-v3"}

HERE = os.path.dirname(os.path.abspath(__file__))


def git(code, *args):
    return subprocess.run(["git", "-C", code, *args], check=True, capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", required=True, help="checkout of stephen-chung-mh/map_prop")
    ap.add_argument("--task", required=True, choices=sorted(TASKS))
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True, help="partial JSON for this seed")
    ap.add_argument("--max-eps", type=int, default=None,
                    help="timing pilots only: override max_eps (the output is then marked as a pilot)")
    args = ap.parse_args()

    keep_low_priority()
    code = os.path.abspath(args.code)
    commit = git(code, "rev-parse", "HEAD")
    dirty = git(code, "status", "--porcelain", "--untracked-files=no")
    if dirty:
        sys.exit("the authors' checkout is modified:\n" + dirty)
    config_name, experiment = TASKS[args.task]
    with open(os.path.join(code, "config", config_name)) as f:
        config_text = f.read()

    scratch = tempfile.mkdtemp(prefix="mapprop-%s-%d-" % (args.task, args.seed))
    os.makedirs(os.path.join(scratch, "result"))
    extra = "\n\n# added by ThreeFactor's driver: one run per process (one process per seed)\nn_run = 1\n"
    if args.max_eps is not None:
        extra += "max_eps = %d\n" % args.max_eps
        # max_eps may already be set in [USER]; configparser rejects duplicates, so drop it
        config_text = "\n".join(l for l in config_text.splitlines() if not l.strip().startswith("max_eps")
                                or "[DEFAULT]" in l)
    env_replaced = None
    for old, new in ENV_REPLACEMENTS.items():
        lines = config_text.splitlines()
        user = lines.index("[USER]") if "[USER]" in lines else len(lines)
        hit = [k for k in range(user, len(lines))
               if lines[k].split("#")[0].strip().replace(" ", "") == "env_name=" + old]
        if hit:
            for k in hit:
                lines[k] = "env_name = %s # replaced by ThreeFactor's driver (was %s)" % (new, old)
            config_text = "\n".join(lines)
            env_replaced = {"from": old, "to": new}
    derived = os.path.join(scratch, config_name)
    with open(derived, "w") as f:
        f.write(config_text + extra)

    # The shim first (it also restores np.float / np.int for NumPy >= 1.24), then the authors' code.
    sys.path.insert(0, os.path.join(HERE, "gym_shim"))
    sys.path.insert(1, code)
    os.environ["GYM_SHIM_SEED"] = str(args.seed)
    os.environ.setdefault("MPLBACKEND", "Agg")  # main_rl.py ends with plt.show(): no window
    import numpy as np
    import gym  # noqa: F401  (the shim)
    import gymnasium
    import matplotlib

    np.random.seed(args.seed)
    os.chdir(scratch)  # main_rl.py reads config/<name> (an absolute -c path is used as is) and writes result/
    sys.argv = ["main_rl.py", "-c", derived]
    t0, c0 = time.time(), time.process_time()
    g = runpy.run_path(os.path.join(code, "main_rl.py"), run_name="__main__")
    wall, cpu = time.time() - t0, time.process_time() - c0

    curves = g["eps_ret_hist_full"]
    assert len(curves) == 1, len(curves)
    curve = [float(x) for x in curves[0]]
    out = {
        "seed": args.seed,
        "task": args.task,
        "experiment": experiment,
        "pilot": args.max_eps is not None,
        "config": config_name,
        "env_name": g["env_name"],
        "env_replaced": env_replaced,
        "max_eps": g["max_eps"],
        "repository": "https://github.com/stephen-chung-mh/map_prop",
        "commit": commit,
        "date": datetime.date.today().isoformat(),
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "loop_iterations": int(g["i"]) + 1,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "gymnasium": gymnasium.__version__,
            "matplotlib": matplotlib.__version__,
        },
        "mean_return": sum(curve) / len(curve),
        "curve": curve,
    }
    write_json_atomically(args.out, out)
    print("seed %d: %d episodes, mean return %.2f, wall %.0f s, cpu %.0f s -> %s"
          % (args.seed, len(curve), out["mean_return"], wall, cpu, args.out), flush=True)


if __name__ == "__main__":
    main()
