"""Specs of ``keras.layers`` normalization layers: LayerNormalization.

gamma and beta are drawn (never the default ones and zeros) and have the
shape of the normalised axes; the reference is
:func:`conformance.oracle.layer_normalization`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from conformance import oracle
from conformance.spec import LayerSpec

EPSILONS = (1e-3, 1e-6, 1e-2, 0.5)


def layer_norm_config(dtype: str) -> st.SearchStrategy:
    """axis -1, or a sorted tuple of non-batch axes, positive or negative; the input rank follows."""
    tuples = st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True)
    axis = st.one_of(
        st.just(-1),
        tuples.map(sorted),
        tuples.map(lambda axes: sorted(-a for a in axes)),  # Keras accepts negative axes too
    )
    return st.fixed_dictionaries({
        "axis": axis,
        "epsilon": st.sampled_from(EPSILONS),
        "center": st.booleans(),
        "scale": st.booleans(),
    })


def layer_norm_input_shape(config: dict) -> st.SearchStrategy:
    """Rank 2 to 4, enough for every axis without reaching the batch axis."""
    axis = config["axis"]
    axes = axis if isinstance(axis, list) else [axis]
    min_rank = max([2] + [a + 1 if a >= 0 else 1 - a for a in axes])
    return st.integers(min_rank, 4).flatmap(
        lambda rank: st.tuples(st.integers(1, 3), *[st.integers(1, 5) for _ in range(rank - 1)]))


def _axes(config: dict, ndim: int) -> list[int]:
    axis = config["axis"]
    return sorted(a % ndim for a in (axis if isinstance(axis, list) else [axis]))


def layer_norm_weights(config: dict, input_shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    shape = tuple(input_shape[a] for a in _axes(config, len(input_shape)))
    shapes = {}
    if config["scale"]:
        shapes["gamma"] = shape
    if config["center"]:
        shapes["beta"] = shape
    return shapes


def layer_norm_reference(config: dict, weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return oracle.layer_normalization(x, weights.get("gamma"), weights.get("beta"),
                                      axis=config["axis"], epsilon=config["epsilon"])


def layer_norm_conditioning(config: dict, weights: dict[str, np.ndarray], x: np.ndarray,
                            ref: np.ndarray) -> np.ndarray:
    """Rounding of x - mean is relative to the group's largest |x|, then divided by the std.

    Scale: |gamma| * max|x| / sqrt(var + eps) * sqrt(group size) + |gamma * normalised| + |beta|.
    """
    axes = tuple(_axes(config, x.ndim))
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    gamma = np.abs(weights["gamma"]).reshape(shape) if "gamma" in weights else np.ones(shape)
    beta = np.abs(weights["beta"]).reshape(shape) if "beta" in weights else np.zeros(shape)
    group = int(np.prod([x.shape[a] for a in axes]))
    std = np.sqrt(x.var(axis=axes, keepdims=True) + config["epsilon"])
    largest = np.abs(x).max(axis=axes, keepdims=True)
    normalised = oracle.layer_normalization(x, None, None, axis=config["axis"], epsilon=config["epsilon"])
    return gamma * largest / std * np.sqrt(group) + np.abs(gamma * normalised) + beta


# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum, x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.LayerNormalization", layer_norm_config, layer_norm_input_shape,
              layer_norm_weights, layer_norm_reference, conditioning=layer_norm_conditioning,
              signed_zeros=False),
]
