"""A minimal old-API `gym` on top of Gymnasium, for running 2020-21 research code unmodified.

Ours (ThreeFactor), not the authors'. What it maps:

* ``gym.make(id)`` -> ``gymnasium.make(id)`` wrapped in ``OldAPIEnv``.
* ``env.reset()`` -> observation only (Gymnasium returns ``(obs, info)``). The first reset of
  every environment made by this shim is seeded with ``GYM_SHIM_SEED`` (environment variable;
  unset = unseeded, Gymnasium then seeds from the OS); later resets continue that stream.
* ``env.step(a)`` -> ``(obs, reward, done, info)`` with ``done = terminated or truncated`` and
  ``info['TimeLimit.truncated'] = truncated and not terminated`` only when the time limit
  ended the episode, as gym's ``TimeLimit`` wrapper set it in gym 0.17-0.21.
* ``gym.spaces`` is Gymnasium's spaces module (so ``gym.spaces.box.Box`` is Gymnasium's Box).
* NumPy >= 1.24 removed the aliases ``np.float``, ``np.int``, ``np.bool`` (deprecated in
  1.20); importing this shim restores them as the builtins they always were
  (``np.float is float``), so old code that uses them runs unchanged.

Nothing else changes: environment dynamics, rewards and time limits are Gymnasium's.
"""
import os

import numpy as _np

for _name, _value in (("float", float), ("int", int), ("bool", bool), ("object", object)):
    if _name not in _np.__dict__:
        setattr(_np, _name, _value)

import gymnasium as _gymnasium
from gymnasium import spaces  # noqa: F401  (gym.spaces.box.Box, gym.spaces.discrete.Discrete)
import gymnasium.spaces.box  # noqa: F401
import gymnasium.spaces.discrete  # noqa: F401

__version__ = "0.21.0-shim-on-gymnasium-" + _gymnasium.__version__


def _seed_from_env():
    value = os.environ.get("GYM_SHIM_SEED")
    return None if value in (None, "") else int(value)


class OldAPIEnv:
    """Gymnasium env seen through the old 4-tuple API."""

    def __init__(self, env):
        self.env = env
        self._first_reset = True
        self._pending_seed = None

    def __getattr__(self, name):
        return getattr(self.env, name)

    @property
    def action_space(self):
        return self.env.action_space

    @property
    def observation_space(self):
        return self.env.observation_space

    @property
    def unwrapped(self):
        return self.env.unwrapped

    def seed(self, seed=None):
        # gym <= 0.21 API; the next reset uses this seed.
        self._pending_seed = seed
        self._first_reset = True
        return [seed]

    def reset(self, **kwargs):
        if self._first_reset:
            self._first_reset = False
            seed = self._pending_seed
            if seed is None:
                seed = _seed_from_env()
            obs, _info = self.env.reset(seed=seed, **kwargs)
        else:
            obs, _info = self.env.reset(**kwargs)
        return obs

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        info = dict(info)
        done = bool(terminated or truncated)
        if truncated and not terminated:
            info["TimeLimit.truncated"] = True
        return obs, reward, done, info

    def render(self, *args, **kwargs):
        return self.env.render(*args, **kwargs)

    def close(self):
        return self.env.close()


def make(id, **kwargs):
    return OldAPIEnv(_gymnasium.make(id, **kwargs))
