#!/usr/bin/env python3
"""Record golden trajectories from the REFERENCE simulators for ThreeFactor's environments.

The Swift environments in Sources/ThreeFactor/Environments/ are checked against these
files by Tests/ThreeFactorTests/GoldenTrajectoryTests.swift: the test sets the recorded
initial internal state, applies the recorded actions and requires the recorded
observations, rewards and flags.

Reference versions used for the committed files (the script refuses other versions unless
--any-version is given, because the float semantics depend on them, e.g. NumPy 2's NEP 50
promotion rules decide whether MountainCarContinuous computes in float32):

  classic control (CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0,
  Pendulum-v1):  gymnasium 1.4.0, numpy 2.4.6, CPython 3.11.7
  Reaching1D-v0: neurogym 2.2.0 (pins gymnasium 0.29.1), numpy 2.1.3, CPython 3.11.7

neurogym cannot share an interpreter with gymnasium 1.x (it pins gymnasium==0.29.*), and
neurogym 2.3.1 imports torch at package import time, so Reaching1D is recorded from 2.2.0,
whose core.py and reaching.py implement the same dynamics (2.3.1 only adds a check that the
timing dictionary is not empty). Two virtual environments therefore:

  python3 -m venv /tmp/gym1  && /tmp/gym1/bin/pip install gymnasium==1.4.0 numpy==2.4.6
  python3 -m venv /tmp/ngym  && /tmp/ngym/bin/pip install neurogym==2.2.0
  /tmp/gym1/bin/python data/golden/record_golden.py classic
  /tmp/ngym/bin/python data/golden/record_golden.py reaching

Every episode: reset the registered env (so the TimeLimit wrapper and the env's own
bookkeeping restart), overwrite the unwrapped env's internal state with a fixed initial
state, then step a recorded action sequence until termination or truncation. Initial states
come from a NumPy generator seeded by the episode index, drawn from each env's documented
start distribution, plus a few hand-picked edge states (near walls, clips and wraps).
Action sequences are uniformly random, or come from a simple noisy controller where random
actions would never reach the terminal state (then the recorded actions are what matters,
not how they were chosen).

Number formats (JSON, one file per environment): float32 values (observations,
continuous actions) with 9 significant digits, which round-trips every float32 exactly;
float64 values (internal states, rewards, targets) with Python's shortest round-trip repr
(at most 17 significant digits), which is exact as well. Nothing is rounded.
"""

import json
import math
import sys

import numpy as np

EPISODES = 20
REACHING_TRIALS = 10  # 300 steps x 32 observations each; keeps the file near 1 MB

CLASSIC_VERSIONS = {"gymnasium": "1.4.0", "numpy": "2.4.6"}
REACHING_VERSIONS = {"neurogym": "2.2.0", "gymnasium": "0.29.1", "numpy": "2.1.3"}


def f32(x):
    """A float32 value, 9 significant digits (exact round trip)."""
    return "%.9g" % float(np.float32(x))


def f64(x):
    """A float64 value, shortest exact repr."""
    x = float(x)
    assert math.isfinite(x), x
    return repr(x)


def flag(b):
    return "1" if bool(b) else "0"


def arr(items):
    return "[" + ",".join(items) + "]"


def write_file(path, header, episodes):
    """Hand-written JSON so that the number formats above are kept exactly."""
    lines = ["{"]
    for k, v in header.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v)},")
    lines.append('  "episodes": [')
    for i, ep in enumerate(episodes):
        fields = [f"{json.dumps(k)}:{v}" for k, v in ep.items()]
        lines.append("    {" + ",\n     ".join(fields) + "}" + ("," if i + 1 < len(episodes) else ""))
    lines.append("  ]")
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def check_versions(expected, allow_other):
    import importlib

    found = {name: importlib.import_module(name).__version__ for name in expected}
    if found != expected:
        msg = f"reference versions differ: expected {expected}, found {found}"
        if not allow_other:
            sys.exit(msg + " (use --any-version to record anyway, and update the README)")
        print("WARNING:", msg)
    return found


# ---------------------------------------------------------------------------------------
# Classic control (gymnasium 1.x)


def run_gym_episode(env, initial_state, policy, rng, action_kind):
    """Steps `env` (already reset, state already set) until termination or truncation."""
    u = env.unwrapped
    obs0 = env_obs(u)
    actions, obs, rewards, terms, truncs = [], [], [], [], []
    while True:
        a = policy(u, rng)
        if action_kind == "discrete":
            step_action = int(a)
            actions.append(str(step_action))
        else:
            step_action = np.array([a], dtype=np.float32)
            actions.append(f32(step_action[0]))
        o, r, term, trunc, _ = env.step(step_action)
        assert o.dtype == np.float32
        obs.append(arr([f32(x) for x in o]))
        rewards.append(f64(r))
        terms.append(flag(term))
        truncs.append(flag(trunc))
        if term or trunc:
            break
    return {
        "initial_state": arr([f64(x) for x in initial_state]),
        "initial_obs": arr([f32(x) for x in obs0]),
        "actions": arr(actions),
        "obs": arr(obs),
        "rewards": arr(rewards),
        "terminated": arr(terms),
        "truncated": arr(truncs),
    }


def env_obs(u):
    """The observation the unwrapped env would return for its current state."""
    name = type(u).__name__
    if name in ("AcrobotEnv", "PendulumEnv"):
        return u._get_ob() if name == "AcrobotEnv" else u._get_obs()
    return np.array(u.state, dtype=np.float32)


def record_classic(allow_other):
    import platform

    import gymnasium as gym

    versions = check_versions(CLASSIC_VERSIONS, allow_other)
    reference = f"gymnasium {versions['gymnasium']}, numpy {versions['numpy']}, CPython {platform.python_version()}"

    def record(env_id, layout, action_kind, start, policies, edge_states=(), state_dtype=np.float64):
        env = gym.make(env_id)
        episodes = []
        for k in range(EPISODES):
            rng = np.random.default_rng(1000 + k)
            env.reset(seed=k)
            s = np.asarray(edge_states[k - (EPISODES - len(edge_states))], dtype=np.float64) \
                if k >= EPISODES - len(edge_states) else start(rng)
            s = np.array(s, dtype=state_dtype)
            env.unwrapped.state = s
            name, policy = policies[k % len(policies)]
            ep = {"id": str(k), "policy": json.dumps(name)}
            ep.update(run_gym_episode(env, s, policy, rng, action_kind))
            episodes.append(ep)
        header = {
            "env": env_id,
            "reference": reference,
            "max_episode_steps": env.spec.max_episode_steps,
            "state_layout": layout,
            "action_kind": action_kind,
        }
        path = f"{OUT}/{env_id}.json"
        write_file(path, header, episodes)
        lengths = [ep["obs"].count("],[") + 1 for ep in episodes]
        ends = ["T" if ep["terminated"].endswith("1]") else "t" for ep in episodes]
        print(f"{env_id}: {len(episodes)} episodes, {sum(lengths)} steps, ends {''.join(ends)} -> {path}")

    def uniform_discrete(n):
        return lambda u, rng: int(rng.integers(n))

    # CartPole-v1: reset draws all four variables from U(-0.05, 0.05).
    def cartpole_controller(u, rng):
        x, xd, th, thd = u.state
        if rng.random() < 0.1:
            return int(rng.integers(2))
        return 1 if th + 0.5 * thd + 0.02 * x + 0.1 * xd > 0 else 0

    record(
        "CartPole-v1", ["x", "x_dot", "theta", "theta_dot"], "discrete",
        lambda rng: rng.uniform(-0.05, 0.05, size=4),
        [("uniform random", uniform_discrete(2)), ("noisy linear controller", cartpole_controller)],
        edge_states=[[2.35, 0.5, 0.0, 0.0], [0.0, 0.0, 0.2, 0.5], [-2.3, -1.0, -0.1, 0.3]],
    )

    # Acrobot-v1: reset draws four variables from U(-0.1, 0.1), stored as float32.
    def acrobot_pump(u, rng):
        if rng.random() < 0.1:
            return int(rng.integers(3))
        return 2 if u.state[3] > 0 else 0

    record(
        "Acrobot-v1", ["theta1", "theta2", "dtheta1", "dtheta2"], "discrete",
        lambda rng: rng.uniform(-0.1, 0.1, size=4).astype(np.float32),
        [("uniform random", uniform_discrete(3)), ("noisy energy pumping", acrobot_pump)],
        edge_states=[[3.0, -3.0, 12.0, -28.0], [-3.1, 3.1, -12.5, 28.2]],
        state_dtype=np.float32,
    )

    # MountainCar-v0: position U(-0.6, -0.4), velocity 0.
    def mc_follow(u, rng):
        if rng.random() < 0.1:
            return int(rng.integers(3))
        return 2 if u.state[1] >= 0 else 0

    record(
        "MountainCar-v0", ["position", "velocity"], "discrete",
        lambda rng: np.array([rng.uniform(-0.6, -0.4), 0.0]),
        [("uniform random", uniform_discrete(3)), ("noisy velocity following", mc_follow)],
        edge_states=[[-1.19, -0.05], [0.49, 0.01], [-0.5, 0.07]],
    )

    # MountainCarContinuous-v0: position U(-0.6, -0.4), velocity 0. Actions are float32 and
    # deliberately reach beyond [-1, 1] to exercise the clip (the reward uses the raw action).
    def mcc_random(u, rng):
        return rng.uniform(-1.5, 1.5)

    def mcc_follow(u, rng):
        return (1.0 if u.state[1] >= 0 else -1.0) * rng.uniform(0.6, 1.4)

    record(
        "MountainCarContinuous-v0", ["position", "velocity"], "continuous",
        lambda rng: np.array([rng.uniform(-0.6, -0.4), 0.0]),
        [("uniform random in [-1.5, 1.5]", mcc_random), ("noisy velocity following", mcc_follow)],
        edge_states=[[-1.19, -0.05], [0.44, 0.01], [-0.5, 0.0699]],
    )

    # Pendulum-v1: theta U(-pi, pi), theta_dot U(-1, 1). Actions beyond [-2, 2] test the clip.
    def pendulum_random(u, rng):
        return rng.uniform(-3.0, 3.0)

    def pendulum_swing(u, rng):
        return 2.0 * np.sign(u.state[1] if u.state[1] != 0 else 1.0) * rng.uniform(0.5, 1.2)

    record(
        "Pendulum-v1", ["theta", "theta_dot"], "continuous",
        lambda rng: np.array([rng.uniform(-np.pi, np.pi), rng.uniform(-1.0, 1.0)]),
        [("uniform random in [-3, 3]", pendulum_random), ("noisy energy pumping", pendulum_swing)],
        edge_states=[[3.14, 7.9], [-20.0, -7.95], [0.0, 0.0]],
    )


# ---------------------------------------------------------------------------------------
# Reaching1D-v0 (neurogym), configured as the NRL paper's code does.


def record_reaching(allow_other):
    import platform

    import gymnasium as gym
    import neurogym  # noqa: F401  (registers the tasks)

    versions = check_versions(REACHING_VERSIONS, allow_other)
    reference = (f"neurogym {versions['neurogym']}, gymnasium {versions['gymnasium']}, "
                 f"numpy {versions['numpy']}, CPython {platform.python_version()}")
    timing = {"fixation": ("constant", 0), "reach": ("constant", 3000)}
    env = gym.make("Reaching1D-v0", dt=10, timing=timing)
    u = env.unwrapped
    episodes = []
    steps_total = 0
    for k in range(REACHING_TRIALS):
        rng = np.random.default_rng(2000 + k)
        u.seed(k)
        env.reset()  # neurogym's reset also takes one step with a random action
        target = rng.uniform(0.0, 2.0 * np.pi)
        angle = np.pi if k < REACHING_TRIALS - 3 else [0.02, 6.27, 1.0][k - (REACHING_TRIALS - 3)]
        # A fresh trial with the chosen target: neurogym's _new_trial lets keyword arguments
        # override the sampled trial variables.
        u.new_trial(ground_truth=target)
        u.t = u.t_ind = 0
        u.performance = 0
        u.state = angle
        ob0, _, _, _, _ = u.post_step(u.ob[0].copy(), 0.0, False, False, {})
        policy_name = ["uniform random", "always 1", "always 2", "noisy greedy"][k % 4]
        actions, obs, rewards, terms, truncs, new_trials = [], [], [], [], [], []
        next_target = None
        while True:
            if policy_name == "uniform random":
                a = int(rng.integers(3))
            elif policy_name == "always 1":
                a = 1
            elif policy_name == "always 2":
                a = 2
            else:
                d = (target - u.state + np.pi) % (2 * np.pi) - np.pi
                a = (1 if d > 0 else 2) if rng.random() > 0.2 else int(rng.integers(3))
            o, r, term, trunc, info = env.step(a)
            actions.append(str(a))
            obs.append(arr([f32(x) for x in o]))
            rewards.append(f64(r))
            terms.append(flag(term))
            truncs.append(flag(trunc))
            new_trials.append(flag(info["new_trial"]))
            if info["new_trial"]:
                next_target = info["trial"]["ground_truth"]
                break
            assert not term and not trunc
        steps_total += len(actions)
        episodes.append({
            "id": str(k),
            "policy": json.dumps(policy_name),
            "initial_state": arr([f64(target), f64(angle)]),
            "initial_obs": arr([f32(x) for x in ob0]),
            "actions": arr(actions),
            "obs": arr(obs),
            "rewards": arr(rewards),
            "terminated": arr(terms),
            "truncated": arr(truncs),
            "new_trial": arr(new_trials),
            "next_target": f64(next_target),
        })
    header = {
        "env": "Reaching1D-v0",
        "reference": reference,
        "configuration": "gym.make('Reaching1D-v0', dt=10, timing={'fixation': ('constant', 0), "
                         "'reach': ('constant', 3000)}) as in the NRL code",
        "max_episode_steps": 300,
        "state_layout": ["target", "angle"],
        "action_kind": "discrete",
        "note": "neurogym never sets terminated/truncated; a trial ends where new_trial is 1, and "
                "the observation of that step is already the first one of the next trial "
                "(target next_target, angle pi).",
    }
    path = f"{OUT}/Reaching1D-v0.json"
    write_file(path, header, episodes)
    print(f"Reaching1D-v0: {len(episodes)} trials, {steps_total} steps -> {path}")


if __name__ == "__main__":
    import os

    OUT = os.path.dirname(os.path.abspath(__file__))
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    allow = "--any-version" in sys.argv
    if not args or args[0] not in ("classic", "reaching"):
        sys.exit("usage: record_golden.py classic|reaching [--any-version]")
    if args[0] == "classic":
        record_classic(allow)
    else:
        record_reaching(allow)
