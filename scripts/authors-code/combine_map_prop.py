#!/usr/bin/env python3
"""Combine the per-seed partial files of the official MAP propagation runs into the run files
read by ThreeFactor's `AuthorsCodeRun` (data/authors-code/map-prop/<experiment>.json).

Only complete seeds (not pilots, exactly max_eps episodes) are included, in seed order.
Usage: python combine_map_prop.py [experiment ...]   (default: every experiment with partials)
"""
import os
import sys

from run_files import combine_all, complete_partials, write_run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BASE = os.path.join(ROOT, "data", "authors-code", "map-prop")

ENV = {
    "acrobot-map-prop": ("Acrobot-v1", "500-step time limit, reward -1 per step until the goal"),
    "mountaincar-map-prop": ("MountainCarContinuous-v0", "999-step time limit"),
    "cartpole-map-prop": ("CartPole-v1", "500-step time limit"),
    "lunarlander-map-prop": ("LunarLander-v3", "1000-step time limit; v2 in the paper"),
}


def protocol(exp, parts):
    p = parts[0]
    env_id, env_note = ENV[exp]
    v = p["versions"]
    return (
        f"Gymnasium {v['gymnasium']} {env_id} ({env_note}). The official code "
        f"(github.com/stephen-chung-mh/map_prop at commit {p['commit']}) was executed unmodified: "
        f"main_rl.py run as __main__ (runpy) with its util.py and mapprop.py, hyperparameters from the "
        f"authors' config file config/{p['config']} as shipped, to which only 'n_run = 1' was appended "
        f"(one run per process, one process per seed); batch_size 1, {p['max_eps']} episodes per seed. "
        f"Seeds: the authors' code seeds nothing; for seed s our driver calls np.random.seed(s) before "
        f"main_rl.py starts (network initialisation, unit noise and action sampling all draw from NumPy's "
        f"global generator) and the first reset of the environment is Gymnasium's reset(seed=s), later "
        f"resets continuing that stream. The 2020-21 gym API is provided by our shim "
        f"(scripts/authors-code/gym_shim): gym.make -> gymnasium.make; reset() returns the observation "
        f"only; step() returns (obs, reward, terminated or truncated, info) with "
        f"info['TimeLimit.truncated'] = True only when the time limit ended a non-terminated episode, as "
        f"gym 0.17-0.21's TimeLimit wrapper did; gym.spaces is Gymnasium's; np.float/np.int/np.bool are "
        f"restored as the builtins they aliased (NumPy {v['numpy']} removed them). Nothing else changes. "
        f"Metric: the undiscounted return of every training episode (the authors' eps_ret_hist), "
        f"{p['max_eps']} per seed."
    )


def combine(exp):
    parts = complete_partials(os.path.join(BASE, "partial", exp),
                              lambda p: not p.get("pilot") and len(p["curve"]) == p["max_eps"],
                              ("commit", "versions", "config", "env_name", "max_eps"))
    if not parts:
        print(f"{exp}: no complete seed")
        return
    versions = dict(parts[0]["versions"])
    versions["torch"] = "not used (NumPy code)"
    run = {
        "provenance": "authors' code, re-run",
        "repository": "https://github.com/stephen-chung-mh/map_prop",
        "commit": parts[0]["commit"],
        "date": max(p["date"] for p in parts),
        "versions": versions,
        "protocol": protocol(exp, parts),
        "experiment": exp,
        "seeds": [p["seed"] for p in parts],
        "curves": [p["curve"] for p in parts],
    }
    write_run(os.path.join(BASE, exp + ".json"), run, parts, ROOT)


if __name__ == "__main__":
    combine_all(BASE, combine)
