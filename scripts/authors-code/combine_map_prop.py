#!/usr/bin/env python3
"""Combine the per-seed partial files of the official MAP propagation runs into the run files
read by ThreeFactor's `AuthorsCodeRun` (data/authors-code/map-prop/<experiment>.json).

Only complete seeds (not pilots, exactly max_eps episodes) are included, in seed order.
Usage: python combine_map_prop.py [experiment ...]   (default: every experiment with partials)
"""
import json
import os
import statistics
import sys

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
    pdir = os.path.join(BASE, "partial", exp)
    parts = []
    for name in os.listdir(pdir):
        if name.startswith("seed-") and name.endswith(".json"):
            with open(os.path.join(pdir, name)) as f:
                p = json.load(f)
            if p.get("pilot") or len(p["curve"]) != p["max_eps"]:
                print(f"{exp}: skip {name} (pilot or incomplete)")
                continue
            parts.append(p)
    if not parts:
        print(f"{exp}: no complete seed")
        return
    parts.sort(key=lambda p: p["seed"])
    for key in ("commit", "versions", "config", "env_name", "max_eps"):
        values = {json.dumps(p[key], sort_keys=True) for p in parts}
        if len(values) != 1:
            sys.exit(f"{exp}: seeds differ in {key}: {values}")
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
    out = os.path.join(BASE, exp + ".json")
    with open(out + ".tmp", "w") as f:
        json.dump(run, f, indent=1)
        f.write("\n")
    os.replace(out + ".tmp", out)
    means = [statistics.fmean(c) for c in run["curves"]]
    print(f"{exp}: seeds {run['seeds']}")
    print("  per-seed mean return: " + " ".join(f"{m:.2f}" for m in means))
    print(f"  mean {statistics.fmean(means):.2f}, population std {statistics.pstdev(means):.2f}")
    print("  wall s per seed: " + " ".join(f"{p['wall_seconds']:.0f}" for p in parts)
          + "; cpu s per seed: " + " ".join(f"{p['cpu_seconds']:.0f}" for p in parts))
    print(f"  -> {os.path.relpath(out, ROOT)}")


def main():
    exps = sys.argv[1:] or sorted(os.listdir(os.path.join(BASE, "partial")))
    for exp in exps:
        combine(exp)


if __name__ == "__main__":
    main()
