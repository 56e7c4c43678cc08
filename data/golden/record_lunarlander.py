#!/usr/bin/env python3
"""Records LunarLander-v3 reference data from Gymnasium for ThreeFactor's golden tests.

Setup (once):
    python3 -m venv /tmp/lunar-venv
    /tmp/lunar-venv/bin/pip install "gymnasium[box2d]"     # needs swig + a C++ compiler
    /tmp/lunar-venv/bin/python data/golden/record_lunarlander.py

Writes data/golden/lunarlander_v3.json (compact JSON) with

* "trajectories": for several seeds and both action modes, the episode's random initial
  conditions exactly as Gymnasium drew them (12 raw terrain heights, the initial force),
  the engine dispersion draws of every step, and the first STEPS observations, rewards and
  termination flags under a fixed action sequence. With these, the Swift environment can
  start from Gymnasium's exact initial conditions and fire its engines with Gymnasium's
  noise, so any remaining difference is the physics engine (Box2D 2.3 here, 2.4 there).
  The leg joint angles after every step are recorded too (see leg_joint_angles).
* "heuristic_episodes": whole episodes of Gymnasium's heuristic controller (landing,
  leg contacts, coming to rest included), by seed only: the observation every
  CHECKPOINT_EVERY steps and at the last step, the first step with a leg on the ground,
  the length, the last reward and the return. Replaying them needs NumPy's generator
  (the Swift tests carry a port of default_rng) and the heuristic.
* "distributions": per-episode returns and lengths (TimeLimit of 1000 steps applied) of a
  uniform random policy and of Gymnasium's heuristic controller
  (gymnasium.envs.box2d.lunar_lander.heuristic), discrete and continuous.

The environment's own random draws are reconstructed, not guessed: the script rebuilds
the generator that `reset(seed=s)` creates, replays the draws `reset` makes (12 heights,
2 force components, 2 dispersion values of the no-op step inside reset) and asserts that
its generator state then equals the environment's, and that the terrain it implies equals
the terrain edges in the Box2D world.
"""

import copy
import json
import math
import os
import platform
import sys

import numpy as np
import gymnasium as gym
import Box2D
from gymnasium.utils import seeding
from gymnasium.envs.box2d import lunar_lander as ll

STEPS = 50
TRAJECTORY_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7]
EPISODES = 200
DISTRIBUTION_SEED_BASE = 10_000  # episode i resets with seed BASE + i
HEURISTIC_EPISODE_SEEDS = list(range(100, 116))
CHECKPOINT_EVERY = 10


def discrete_action(t, seed):
    """A fixed action sequence that exercises every engine: bursts of main engine with
    left/right corrections and idle steps."""
    pattern = [2, 2, 2, 1, 2, 2, 3, 0, 2, 3, 3, 2, 1, 1, 0, 2]
    return pattern[(t + seed) % len(pattern)]


def continuous_action(t, seed):
    """A fixed smooth throttle sequence covering off, partial and full throttle of both
    the main and the side engines (values outside [-1, 1] test the clipping)."""
    main = 1.2 * math.sin(0.37 * t + 0.5 * seed)
    lateral = 1.1 * math.sin(0.23 * t + 1.3 + 0.7 * seed)
    return np.array([main, lateral], dtype=np.float64)


def f32(x):
    """A float32 value written with the 9 significant digits that identify it exactly."""
    return float(f"{float(np.float32(x)):.9g}")


def initial_conditions(env, seed):
    rng, _ = seeding.np_random(seed)
    H = ll.VIEWPORT_H / ll.SCALE
    heights = rng.uniform(0, H / 2, size=(12,))
    force = [rng.uniform(-ll.INITIAL_RANDOM, ll.INITIAL_RANDOM) for _ in range(2)]
    _ = [rng.uniform(-1.0, 1.0) for _ in range(2)]  # dispersion of the no-op reset step
    u = env.unwrapped
    assert rng.bit_generator.state == u.np_random.bit_generator.state, "draw order changed"
    # The terrain edges in the world must be the smoothed heights we reconstruct.
    h = heights.copy()
    for k in range(3, 8):
        h[k] = u.helipad_y
    smooth = [0.33 * (h[i - 1] + h[i] + h[i + 1]) for i in range(11)]
    edges = u.moon.fixtures[1:]
    for i, fixture in enumerate(edges):
        v1, v2 = fixture.shape.vertices
        assert abs(v1[1] - smooth[i]) < 1e-5 and abs(v2[1] - smooth[i + 1]) < 1e-5
    return [float(x) for x in heights], [float(x) for x in force]


def leg_joint_angles(u):
    """Angles of the two leg joints (b2RevoluteJoint::GetJointAngle, float32): whether a
    joint starts a step beyond its limit decides whether Box2D enforces the limit in it."""
    return [f32(leg.joint.angle) for leg in u.legs]


def record_trajectory(seed, continuous):
    env = gym.make("LunarLander-v3", continuous=continuous)
    obs, _ = env.reset(seed=seed)
    heights, force = initial_conditions(env, seed)
    u = env.unwrapped
    traj = {
        "seed": seed,
        "continuous": continuous,
        "terrain_heights": heights,
        "initial_force": force,
        "reset_observation": [f32(x) for x in obs],
        "reset_leg_joint_angles": leg_joint_angles(u),
        "actions": [],
        "dispersion": [],
        "observations": [],
        "rewards": [],
        "terminated": [],
        "leg_joint_angles": [],
    }
    for t in range(STEPS):
        probe = copy.deepcopy(u.np_random)
        d = [float(probe.uniform(-1.0, 1.0)) for _ in range(2)]
        a = continuous_action(t, seed) if continuous else discrete_action(t, seed)
        obs, r, term, trunc, _ = env.step(a)
        assert probe.bit_generator.state == u.np_random.bit_generator.state
        traj["actions"].append([float(x) for x in a] if continuous else int(a))
        traj["dispersion"].append(d)
        traj["observations"].append([f32(x) for x in obs])
        traj["rewards"].append(float(r))
        traj["terminated"].append(bool(term))
        traj["leg_joint_angles"].append(leg_joint_angles(u))
        if term or trunc:
            break
    env.close()
    return traj


def record_heuristic_episode(seed, continuous):
    env = gym.make("LunarLander-v3", continuous=continuous)
    obs, _ = env.reset(seed=seed)
    checkpoints, total, first_contact, t = [], 0.0, -1, 0
    while True:
        obs, r, term, trunc, _ = env.step(ll.heuristic(env, obs))
        total += float(r)
        if first_contact < 0 and (obs[6] or obs[7]):
            first_contact = t
        done = term or trunc
        if (t + 1) % CHECKPOINT_EVERY == 0 or done:
            checkpoints.append([t] + [f32(x) for x in obs])
        t += 1
        if done:
            break
    env.close()
    return {
        "seed": seed,
        "continuous": continuous,
        "length": t,
        "terminated": bool(term),
        "last_reward": float(r),
        "return": total,
        "first_contact_step": first_contact,
        "checkpoints": checkpoints,
    }


def run_distribution(policy, continuous):
    env = gym.make("LunarLander-v3", continuous=continuous)
    env.action_space.seed(DISTRIBUTION_SEED_BASE)
    returns, lengths = [], []
    for i in range(EPISODES):
        obs, _ = env.reset(seed=DISTRIBUTION_SEED_BASE + i)
        total, steps = 0.0, 0
        while True:
            a = env.action_space.sample() if policy == "random" else ll.heuristic(env, obs)
            obs, r, term, trunc, _ = env.step(a)
            total += float(r)
            steps += 1
            if term or trunc:
                break
        returns.append(total)
        lengths.append(steps)
    env.close()
    return {
        "policy": policy,
        "continuous": continuous,
        "episodes": EPISODES,
        "first_seed": DISTRIBUTION_SEED_BASE,
        "returns": returns,
        "lengths": lengths,
        "mean_return": float(np.mean(returns)),
        "std_return": float(np.std(returns, ddof=1)),
        "mean_length": float(np.mean(lengths)),
    }


def main():
    out = {
        "source": "Gymnasium LunarLander-v3 / LunarLanderContinuous-v3 (gymnasium.make)",
        "versions": {
            "gymnasium": gym.__version__,
            "Box2D (pybox2d, bundles Box2D 2.3)": Box2D.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "steps_recorded": STEPS,
        "notes": "dispersion values are the raw uniform(-1,1) draws; the engine offset is value/SCALE (SCALE=30). "
        "observations are float32 values; rewards are float64.",
        "checkpoint_every": CHECKPOINT_EVERY,
        "trajectories": [],
        "heuristic_episodes": [],
        "distributions": [],
    }
    for continuous in (False, True):
        for seed in TRAJECTORY_SEEDS:
            out["trajectories"].append(record_trajectory(seed, continuous))
    for continuous in (False, True):
        for seed in HEURISTIC_EPISODE_SEEDS:
            out["heuristic_episodes"].append(record_heuristic_episode(seed, continuous))
    for continuous in (False, True):
        for policy in ("random", "heuristic"):
            d = run_distribution(policy, continuous)
            print(f"{policy:9s} continuous={continuous}: mean return {d['mean_return']:.2f} "
                  f"(sd {d['std_return']:.2f}), mean length {d['mean_length']:.1f}", file=sys.stderr)
            out["distributions"].append(d)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lunarlander_v3.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
