#!/usr/bin/env python3
"""Run the official NRL code (github.com/jesusgf96/noise-based-reward-modulated-learning),
unmodified, for ONE experiment of papers/nrl/experiments.toml and ONE seed, and write that
seed's per-episode returns as a partial JSON.

Ours (ThreeFactor). The authors' `training.training_gym` is called as their `main.py` calls
it, with the experiment's hyperparameters read from our experiments file (rule nrl -> 'ours',
rmhl -> 'RMHL', bp-reinforce -> 'BP'; learning_rate, noise_std, hidden_units, hidden_layers;
gamma_avg 0.66 as in main.py). Around it, and nowhere inside it:

* `wandb` is a stand-in module that records every `wandb.log({"reward": R})` (the code reports
  its returns only through wandb); `neurogym` is an empty module (training.py imports it at the
  top, the gym tasks never use it). The 2021 gym API comes from our shim (gym_shim/).
* Budget: the code runs 20,000 CartPole / 8,000 Acrobot episodes. An experiment with fewer
  episodes (e.g. the depth sweep's 3,000) is the first N episodes of that run: the stand-in
  ends the run after the N-th logged return. Nothing in the code's loop reads the budget, so
  these are exactly the episodes a run of N episodes would have.
* Seeds: the code's `control_randomness(seed, env)` seeds Python, NumPy, torch and `env.seed`;
  every `ANN` is then built with `seed=42`, whose constructor calls `torch.manual_seed(42)`.
  So all seeds share the initial weights and torch's stream (unit noise, action sampling);
  only the environment's starting states differ. Run as it is: that is the authors' protocol.
* PyTorch on one thread (torch.set_num_threads(1)), CPU.
* Divergence: the code's softmax does not subtract the largest logit, so large logits make
  the float32 policy NaN and torch.multinomial raises. That run is recorded as diverged
  (status, the episode and the error), with the returns of the episodes it completed.

The code directory need not be a git checkout: the git blob SHA-1 of each of its four files
is recorded, so a run can be matched to any checkout (`git hash-object <file>`).

Usage (from the repository root):
  nice -n 19 python scripts/authors-code/nrl_rl.py --code /tmp/nrl_code \
      --commit 659f25a1371d69252eee0751efec0bb08be95853 --experiment depth1-nrl --seed 42 --out data/authors-code/nrl/partial/depth1-nrl/seed-42.json
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import sys
import time
import tomllib
import types

from low_priority import keep_low_priority
from run_files import write_json_atomically

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
EXPERIMENTS = os.path.join(ROOT, "papers", "nrl", "experiments.toml")
FILES = ("main.py", "training.py", "models.py", "utils.py")
ALGORITHM = {"nrl": "ours", "rmhl": "RMHL", "bp-reinforce": "BP"}
AUTHORS_BUDGET = {"CartPole-v1": 20000, "Acrobot-v1": 8000}  # training.py's num_episodes
GAMMA_AVG = 0.66  # main.py
DIVERGENCE = "probability tensor contains either `inf`, `nan` or element < 0"  # torch.multinomial's error


class EnoughEpisodes(Exception):
    """Raised by the wandb stand-in after the experiment's last episode."""


def blob_sha1(path):
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def experiment_settings(experiment_id):
    with open(EXPERIMENTS, "rb") as f:
        spec = tomllib.load(f)
    found = [e for e in spec["experiments"] if e["id"] == experiment_id]
    if not found:
        sys.exit(f"{EXPERIMENTS}: no experiment \"{experiment_id}\"")
    e = found[0]
    if e["env"] not in AUTHORS_BUDGET:
        sys.exit(f"experiment {experiment_id}: env {e['env']} is not one of the authors' gym tasks {sorted(AUTHORS_BUDGET)}")
    if e["rule"] not in ALGORITHM:
        sys.exit(f"experiment {experiment_id}: rule {e['rule']} has no counterpart in the authors' code")
    p = e.get("params", {})
    # training.py (the version run) always scales NRL's update by the layer's width on gym tasks.
    if e["rule"] == "nrl" and not p.get("output_width_factor", False):
        sys.exit(f"experiment {experiment_id}: output_width_factor is off, the authors' gym code always applies it")
    if e["units"] > AUTHORS_BUDGET[e["env"]]:
        sys.exit(f"experiment {experiment_id}: {e['units']} episodes exceed the code's {AUTHORS_BUDGET[e['env']]}")
    return {
        "env_name": e["env"],
        "algorithm": ALGORITHM[e["rule"]],
        "learning_rate": p["learning_rate"],
        "noise_std": p.get("noise_std", 0.0),
        "hidden_units": p["hidden_units"],
        "hidden_layers": p.get("hidden_layers", 1),
        "episodes": e["units"],
    }


def install_stand_ins(episodes, returns):
    wandb = types.ModuleType("wandb")
    wandb.init = lambda **kwargs: None

    def log(values):
        if "reward" in values:
            returns.append(float(values["reward"]))
            if len(returns) >= episodes:
                raise EnoughEpisodes()

    wandb.log = log
    sys.modules["wandb"] = wandb
    sys.modules["neurogym"] = types.ModuleType("neurogym")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", required=True, help="directory with the authors' main.py, training.py, models.py, utils.py")
    ap.add_argument("--commit", required=True,
                    help="the commit the files are from (recorded as given; the blob hashes are recorded too)")
    ap.add_argument("--experiment", required=True, help="an experiment id of papers/nrl/experiments.toml")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True, help="partial JSON for this seed")
    args = ap.parse_args()

    keep_low_priority()
    code = os.path.abspath(args.code)
    missing = [f for f in FILES if not os.path.isfile(os.path.join(code, f))]
    if missing:
        sys.exit(f"--code {code}: missing {', '.join(missing)}")
    settings = experiment_settings(args.experiment)

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.path.insert(0, os.path.join(HERE, "gym_shim"))
    sys.path.insert(1, code)
    import numpy as np
    import torch
    import gymnasium

    torch.set_num_threads(1)
    returns = []
    install_stand_ins(settings["episodes"], returns)
    import training  # the authors' module (imports gym = our shim, utils, models)

    t0, c0 = time.time(), time.process_time()
    status, error = "complete", None
    try:
        training.training_gym(settings["env_name"], settings["algorithm"], settings["noise_std"], GAMMA_AVG,
                              settings["hidden_units"], settings["hidden_layers"], settings["learning_rate"],
                              torch.device("cpu"), True, args.seed, 1)
    except EnoughEpisodes:
        pass
    except RuntimeError as e:
        # The code's softmax does not subtract the largest logit: once a logit passes ~88 the
        # float32 exp overflows, the policy is NaN and torch.multinomial raises. The run has
        # diverged; its returns so far are kept.
        if DIVERGENCE not in str(e):
            raise
        status, error = "diverged", f"episode {len(returns) + 1}: {type(e).__name__}: {e} (torch.multinomial in training.py)"
    wall, cpu = time.time() - t0, time.process_time() - c0
    if status == "complete" and len(returns) != settings["episodes"]:
        sys.exit(f"expected {settings['episodes']} episodes, the code logged {len(returns)}")

    out = {
        "seed": args.seed,
        "experiment": args.experiment,
        "status": status,
        "error": error,
        "settings": settings,
        "gamma_avg": GAMMA_AVG,
        "repository": "https://github.com/jesusgf96/noise-based-reward-modulated-learning",
        "commit": args.commit,
        "files": {f: blob_sha1(os.path.join(code, f)) for f in FILES},
        "date": datetime.date.today().isoformat(),
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "gymnasium": gymnasium.__version__,
        },
        "mean_return": sum(returns) / len(returns) if returns else None,
        "curve": returns,
    }
    write_json_atomically(args.out, out)
    print("seed %d: %s, %d episodes, mean return %s, wall %.0f s, cpu %.0f s -> %s"
          % (args.seed, status if error is None else error, len(returns), out["mean_return"], wall, cpu, args.out),
          flush=True)


if __name__ == "__main__":
    main()
