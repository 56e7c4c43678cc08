#!/usr/bin/env python3
"""Combine the per-seed partial files of the official NRL runs (nrl_rl.py) into the run files
read by ThreeFactor's `AuthorsCodeRun` (data/authors-code/nrl/<experiment>.json).

Seeds that completed the experiment's episodes and seeds whose run diverged (the code raised on a
NaN policy) are included, in seed order, with their status.
Usage: python combine_nrl.py [experiment ...]   (default: every experiment with partials)
"""
import os
import sys

from run_files import combine_all, complete_partials, write_run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BASE = os.path.join(ROOT, "data", "authors-code", "nrl")
BUDGET_NOTE = {"CartPole-v1": "500-step time limit; the code's budget is 20,000 episodes",
               "Acrobot-v1": "500-step time limit, reward -1 per step until the goal; the code's budget is 8,000 episodes"}


def protocol(exp, parts):
    p = parts[0]
    s, v, files = p["settings"], p["versions"], p["files"]
    budget = BUDGET_NOTE[s["env_name"]]
    cut = ("" if s["episodes"] == {"CartPole-v1": 20000, "Acrobot-v1": 8000}[s["env_name"]] else
           f" The run was ended after its {s['episodes']:,}th episode (the first {s['episodes']:,} episodes of "
           f"the code's run, exactly: nothing in its loop reads the budget).")
    return (
        f"Gymnasium {v['gymnasium']} {s['env_name']} ({budget}); PyTorch {v['torch']} on one thread, CPU. "
        f"The official code (github.com/jesusgf96/noise-based-reward-modulated-learning) was executed "
        f"unmodified: training.training_gym called as main.py calls it, with algorithm '{s['algorithm']}', "
        f"{s['hidden_layers']} hidden layer(s) of {s['hidden_units']} units, learning rate {s['learning_rate']}, "
        f"noise std {s['noise_std']}, gamma_avg {p['gamma_avg']} (main.py), n_noisy_passes 1: the "
        f"hyperparameters of our experiment {exp} (papers/nrl/experiments.toml).{cut} Files: no single "
        f"commit of the repository could be fetched here; the code index held main.py and training.py at "
        f"commit 659f25a1371d69252eee0751efec0bb08be95853, models.py at 04dae2063e7bb0e459e31baffcfe216a256f4d08 "
        f"(the same code as at d6b4509a, which adds one comment) and utils.py at "
        f"d6b4509ad4d12cc7774a8b24669a1b2bda3f90e7; git blob SHA-1s of the files run: "
        + ", ".join(f"{name} {sha}" for name, sha in sorted(files.items()))
        + ". This training.py scales NRL's update by the layer's width (lr * n_l * dW), as our "
        f"output_width_factor. Seeds: seed s is passed to the code, whose control_randomness seeds Python, "
        f"NumPy, torch and env.seed(s); every network is then built with seed 42 (torch.manual_seed(42) in "
        f"the ANN constructor), so all seeds share the initial weights and torch's stream of unit noise "
        f"and action samples, and only the environment's starting states differ (ours: independent "
        f"weights and noise per seed). Seeds run: the five the code lists (42, 101, 300, 482, 708). The "
        f"code logs its returns only through wandb: a stand-in module recorded every wandb.log "
        f"call; neurogym (imported, unused on gym tasks) was an empty module. The 2021 gym API is provided "
        f"by our shim (scripts/authors-code/gym_shim): gym.make -> gymnasium.make, env.seed(s) seeds the "
        f"next reset, reset() returns the observation only, step() returns (obs, reward, terminated or "
        f"truncated, info). Metric: the undiscounted return of every training episode, "
        f"{s['episodes']:,} per seed."
        + "".join(f" Seed {p['seed']} diverged: {p['error']}; its curve holds the {len(p['curve'])} episodes before."
                  for p in parts if p["status"] == "diverged")
    )


def combine(exp):
    parts = complete_partials(os.path.join(BASE, "partial", exp),
                              lambda p: p["status"] == "diverged" or len(p["curve"]) == p["settings"]["episodes"],
                              ("commit", "files", "versions", "settings", "gamma_avg"))
    if not parts:
        print(f"{exp}: no complete seed")
        return
    run = {
        "provenance": "authors' code, re-run",
        "repository": "https://github.com/jesusgf96/noise-based-reward-modulated-learning",
        "commit": parts[0]["commit"],
        "date": max(p["date"] for p in parts),
        "versions": parts[0]["versions"],
        "protocol": protocol(exp, parts),
        "experiment": exp,
        "seeds": [p["seed"] for p in parts],
        "curves": [p["curve"] for p in parts],
        "statuses": [p["status"] for p in parts],
    }
    write_run(os.path.join(BASE, exp + ".json"), run, parts, ROOT)


if __name__ == "__main__":
    combine_all(BASE, combine)
