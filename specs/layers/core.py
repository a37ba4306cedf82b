"""Specs of ``keras.layers`` core layers: Dense.

Weights (kernel, bias) are drawn by the engine and injected by variable path;
the reference is :func:`conformance.oracle.dense` in float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle
from conformance.spec import LayerSpec

DENSE_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")


def dense_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({
        "units": st.integers(1, 6),
        "activation": st.sampled_from(DENSE_ACTIVATIONS),
        "use_bias": st.booleans(),
    })


def dense_input_shape(config: dict) -> st.SearchStrategy:
    """Rank 2 (batch, features) or rank 3 (batch, steps, features)."""
    side = st.integers(1, 5)
    return st.one_of(st.tuples(side, st.integers(1, 8)), st.tuples(side, side, st.integers(1, 8)))


def dense_weights(config: dict, input_shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    shapes = {"kernel": (input_shape[-1], config["units"])}
    if config["use_bias"]:
        shapes["bias"] = (config["units"],)
    return shapes


def dense_reference(config: dict, weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return oracle.dense(x, weights["kernel"], weights.get("bias"), config["activation"])


def dense_conditioning(config: dict, weights: dict[str, np.ndarray], x: np.ndarray,
                       ref: np.ndarray) -> np.ndarray:
    """|x|·|kernel| + |bias| times sqrt(fan-in), through the activation's slope, plus |out|."""
    kernel, bias = weights["kernel"], weights.get("bias")
    products = np.abs(x) @ np.abs(kernel) * np.sqrt(kernel.shape[0])
    if bias is not None:
        products = products + np.abs(bias)
    z = x @ kernel + (bias if bias is not None else 0.0)
    slope: Any = oracle.activation_slope(config["activation"], z)
    return np.abs(ref) + slope * products


# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum, x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.Dense", dense_config, dense_input_shape, dense_weights, dense_reference,
              conditioning=dense_conditioning, signed_zeros=False),
]
