"""Strategies and float64 references for ``keras.regularizers`` (``reg(x)``: a scalar penalty) and
``keras.constraints`` (``constraint(w)``: the projected weight), each called on one drawn array.

Written from Keras 3.15's keras/src/regularizers/regularizers.py and
keras/src/constraints/constraints.py. Norms are taken over ``axis`` with ``keepdims``
and divided as ``norms + epsilon`` (a zero vector stays zero); the drawn weights have
whole zero vectors and norms on either side of the bounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import strategies

EPSILON = 1e-7  # keras.backend.epsilon()


@st.composite
def _weight(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """A rank-2 (or rank-3 for an axis list) weight; in values mode one vector along the
    constrained axis may be all zeros."""
    rank = 3 if isinstance(config.get("axis"), list) else 2
    shape = tuple(draw(st.integers(2 if "mode" in config else 1, 4)) for _ in range(rank))
    w = draw(strategies.arrays(dtype, shape, mode))
    if mode == strategies.VALUES and draw(st.booleans()):
        w = w.copy()
        w[(slice(None),) * (rank - 1) + (0,)] = 0
    return {"args": [w], "kwargs": {}}


def weight(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _weight(config, dtype, mode)


def _w(inputs: dict) -> np.ndarray:
    return np.asarray(inputs["args"][0], np.float64)


# -- regularizers ----------------------------------------------------------------------------------
def l1_l2(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """l1 sum|x| + l2 sum x^2 (L1, L2 and L1L2 alike: an absent factor is 0)."""
    x = _w(inputs)
    return np.asarray(config.get("l1", 0.0) * np.sum(np.abs(x)) + config.get("l2", 0.0) * np.sum(x * x))


def l1_l2_conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
    x = _w(inputs)
    return np.abs(ref) * (1.0 + np.sqrt(x.size))  # a sum of non-negative terms


def _normalize(x: np.ndarray, axis: int) -> np.ndarray:
    """ops.nn.normalize: x * min(rsqrt(sum x^2), 1 / eps)."""
    with np.errstate(divide="ignore"):
        return x * np.minimum(1.0 / np.sqrt(np.sum(x * x, axis=axis, keepdims=True)), 1.0 / EPSILON)


def orthogonal(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    """factor / 2 * mean over pairs of |cosine| between rows (or columns), the diagonal out."""
    x = _w(inputs)
    rows = config.get("mode", "rows") == "rows"
    unit = _normalize(x, 1 if rows else 0)
    product = unit @ unit.T if rows else unit.T @ unit
    size = product.shape[0]
    off = np.abs(product * (1.0 - np.eye(size)))
    return np.asarray(config["factor"] * 0.5 * np.sum(off) / (size * (size - 1.0) / 2.0))


def orthogonal_conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
    """Each cosine is a dot product of unit vectors: its rounding is relative to 1 per term."""
    x = _w(inputs)
    return np.abs(ref) + config["factor"] * np.sqrt(x.size)


# -- constraints -----------------------------------------------------------------------------------
def _norms(w: np.ndarray, config: dict, default_axis: Any) -> np.ndarray:
    axis = config.get("axis", default_axis)
    axis = tuple(axis) if isinstance(axis, list) else axis
    return np.sqrt(np.sum(w * w, axis=axis, keepdims=True))


def max_norm(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    w = _w(inputs)
    norms = _norms(w, config, 0)
    return w * (np.clip(norms, 0.0, config["max_value"]) / (EPSILON + norms))


def min_max_norm(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    w = _w(inputs)
    norms = _norms(w, config, 0)
    rate = config["rate"]
    desired = rate * np.clip(norms, config["min_value"], config["max_value"]) + (1.0 - rate) * norms
    return w * (desired / (EPSILON + norms))


def unit_norm(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    w = _w(inputs)
    return w / (EPSILON + _norms(w, config, 0))


def non_neg(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    return np.maximum(_w(inputs), 0.0)


def norm_conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
    """A rescaled weight rounds relative to itself, times the norm's sum of sqrt(terms) roundings."""
    w = _w(inputs)
    return np.abs(ref) * (2.0 + np.sqrt(w.size))
