#!/usr/bin/env python3
"""The random anchors (normalised score 0) of data/benchmark/benchmark.toml, computed by the
toolkit itself. Usage: calibrate_random_anchors.py <threefactor binary> <scratch dir>.
Prints one line per task; needs h5py and numpy.

- Episodic tasks: the mean return of the `random` rule (uniform random actions),
  100 episodes x seeds 0..9.
- LineFollower-v0: the reflex alone (`reflex-only`), the benchmark's task settings,
  300 blocks x seeds 0..9, mean of abs_error_mean over the final 10 % of the blocks (the
  benchmark's score window).
- Regression: a constant output of 0, reward -(0 - y)^2, i.e. -E[y^2] over the task's input
  distribution x ~ N(0, I_8), estimated from 10^6 draws (numpy seed 0) with the weights of
  papers/map-prop/regression_target.json.
"""
import json, os, subprocess, sys
import h5py, numpy as np

binary, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
commit = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()

for task in ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1",
             "LunarLander-v3", "LunarLanderContinuous-v3", "Reaching1D-v0"]:
    path = f"{out}/random-{task}.h5"
    subprocess.run([binary, "run", "--env", task, "--rule", "random", "--seeds", "0..9", "--episodes", "100",
                    "--out", path], check=True, capture_output=True)
    with h5py.File(path, "r") as f:
        returns = np.concatenate([f[f"seed_{s}/episode_return"][:] for s in range(10)])
    print(f"{task}: {returns.mean():.4f} (sd {returns.std(ddof=1):.4f}, n {returns.size}; {commit})")

# The reflex alone on the line follower, as a one-experiment module run by `replicate`.
module = f"{out}/reflex-module"
os.makedirs(f"{module}/papers/anchors", exist_ok=True)
with open(f"{module}/papers/anchors/experiments.toml", "w") as f:
    f.write("""paper = "anchors"
[profiles]
full = "the anchor run"
[[experiments]]
id = "reflex-only"
kind = "closed-loop"
env = "LineFollower-v0"
rule = "reflex-only"
units = 300
seeds = "0..9"
  [experiments.env_options]
  error_gain = 50.0
  motor_noise = 0.05
  start_heading = 0.7
  start_jitter_heading = 0.05
  start_jitter_position = 1.0
""")
# No reference file: `replicate` runs the experiment, then reports that it cannot verify.
subprocess.run([binary, "replicate", "anchors", "--root", module, "--out", f"{out}/reflex"], capture_output=True)
with h5py.File(f"{out}/reflex/reflex-only.h5", "r") as f:
    finals = [f[f"seed_{s}/abs_error_mean"][-30:].mean() for s in range(10)]
print(f"LineFollower-v0: {np.mean(finals):.4f} (sd over seeds {np.std(finals, ddof=1):.4f}, n 10; {commit})")

with open(f"{root}/papers/map-prop/regression_target.json") as f:
    target = json.load(f)
w0, w1 = np.array(target["W0"]), np.array(target["W1"])
x = np.random.default_rng(0).standard_normal((1_000_000, 8))
y = np.maximum(np.maximum(x @ w0, 0) @ w1, 0).ravel()
print(f"Regression: {-np.mean(y ** 2):.4f} (Monte Carlo, 10^6 draws, standard error {np.std(y ** 2) / 1000:.4f})")
