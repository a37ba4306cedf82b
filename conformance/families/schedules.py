"""Strategies and float64 references for ``keras.optimizers.schedules``: ``schedule(step)``.

A learning-rate schedule is a callable object: the engine sends it as Keras serializes it
and calls it on a scalar step (``{"args": [step], "kwargs": {}}``), judged against these
references written from Keras 3.15's keras/src/optimizers/schedules/learning_rate_schedule.py.
The steps drawn are the edges each schedule special-cases: 0, exactly a boundary or
``decay_steps`` (``<=`` against ``<``; the end of a decay), multiples of it (staircase
floors, restarts, polynomial cycles), the end of a warmup, and beyond every one of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

LEARNING_RATES = st.sampled_from((0.1, 1.0, 0.005))
DECAY_STEPS = st.sampled_from((1, 3, 10))


@st.composite
def _step(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """A scalar int32 step: 0, a boundary, a multiple of the decay steps, or any."""
    marks = [config.get(k) for k in ("decay_steps", "first_decay_steps", "warmup_steps") if config.get(k)]
    marks += list(config.get("boundaries", []))
    candidates = [0, *marks, *(2 * m for m in marks), *(m + 1 for m in marks)]
    step = draw(st.one_of(st.sampled_from(candidates), st.integers(0, 40)))
    return {"args": [np.asarray(step, np.int32)], "kwargs": {}}


def step(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _step(config, dtype, mode)


def _step_of(inputs: dict) -> float:
    return float(inputs["args"][0])


def exponential_decay(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """lr * rate ^ (step / decay_steps), the exponent floored with staircase."""
    p = _step_of(inputs) / config["decay_steps"]
    p = np.floor(p) if config.get("staircase") else p
    return np.asarray(config["initial_learning_rate"] * config["decay_rate"] ** p)


def exponential_conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
    """The power's rounding is relative to its exponent's size: p log(rate)."""
    p = _step_of(inputs) / config["decay_steps"]
    return np.abs(ref) * (2.0 + abs(p * np.log(config["decay_rate"])))


def inverse_time_decay(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """lr / (1 + rate * step / decay_steps), floored with staircase."""
    p = _step_of(inputs) / config["decay_steps"]
    p = np.floor(p) if config.get("staircase") else p
    return np.asarray(config["initial_learning_rate"] / (1.0 + config["decay_rate"] * p))


def piecewise_constant_decay(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """values[i] for boundaries[i-1] < step <= boundaries[i] (the first through boundaries[0] included)."""
    s = _step_of(inputs)
    boundaries, values = config["boundaries"], config["values"]
    index = sum(1 for b in boundaries if s > b)
    return np.asarray(values[index], np.float64)


def polynomial_decay(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """(lr - end) (1 - p)^power + end, p = min(step, decay) / decay; cycle stretches decay to the next
    multiple of itself (step 0 keeps one)."""
    s, decay = _step_of(inputs), float(config["decay_steps"])
    if config.get("cycle"):
        decay = decay * (1.0 if s == 0 else np.ceil(s / decay))
    else:
        s = min(s, decay)
    lr, end = config["initial_learning_rate"], config["end_learning_rate"]
    return np.asarray((lr - end) * (1.0 - s / decay) ** config["power"] + end)


def cosine_decay(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """A linear warmup from lr to warmup_target over warmup_steps (if a target is given), then
    decay_from * ((1 - alpha) (1 + cos(pi min(t, decay) / decay)) / 2 + alpha)."""
    s, decay, alpha = _step_of(inputs), float(config["decay_steps"]), config["alpha"]
    lr, target, warmup = config["initial_learning_rate"], config.get("warmup_target"), config.get("warmup_steps", 0)
    if target is None:
        decay_from, t = lr, min(s, decay)
    else:
        s = min(s, decay + warmup)
        if s < warmup:
            return np.asarray((target - lr) * s / warmup + lr)
        decay_from, t = target, s - warmup
    return np.asarray(decay_from * ((1.0 - alpha) * 0.5 * (1.0 + np.cos(np.pi * t / decay)) + alpha))


def cosine_decay_restarts(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """Restart i lasts first_decay_steps t_mul^i steps and starts from lr m_mul^i."""
    fraction = _step_of(inputs) / config["first_decay_steps"]
    t_mul, m_mul, alpha = config["t_mul"], config["m_mul"], config["alpha"]
    if t_mul == 1.0:
        restart = np.floor(fraction)
        fraction -= restart
    else:
        restart = np.floor(np.log(1.0 - fraction * (1.0 - t_mul)) / np.log(t_mul))
        fraction = (fraction - (1.0 - t_mul**restart) / (1.0 - t_mul)) / t_mul**restart
    cosine = 0.5 * m_mul**restart * (1.0 + np.cos(np.pi * fraction))
    return np.asarray(config["initial_learning_rate"] * ((1.0 - alpha) * cosine + alpha))


def sum_conditioning(*keys: str) -> Any:
    """|ref| + the sizes of the terms the schedule adds (their rounding is relative to them)."""

    def conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
        return np.abs(ref) + sum(abs(float(config.get(k) or 0.0)) for k in keys)

    return conditioning


def cosine_restarts_conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
    """The restart index comes from a log: a fraction near a restart rounds by log(t_mul)'s
    conditioning, times the number of steps the restart spans."""
    fraction = _step_of(inputs) / config["first_decay_steps"]
    return np.abs(ref) + config["initial_learning_rate"] * (1.0 + fraction)
