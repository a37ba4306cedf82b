"""Strategies and float64 references of ``keras.layers`` core layers (Dense).

Attention is in layers_attention.py (its draft's names are re-exported here).

Convolutions are in layers_conv.py, pooling in layers_pooling.py, normalizations in
layers_normalization.py (BatchNormalization's names are re-exported here).

The records are in specs/layers/ (one module per Keras namespace); what they draw
and what they expect is here, as conformance/families/ holds the ops'. Every
reference takes ``(config, weights, inputs, training)``: ``inputs`` is the call's
structure (``{"args": [...], "kwargs": {...}}``), weights are keyed by variable
path, and nothing here calls Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle

# Re-exported: the first catalog's Attention record (tests/test_object_specs.py) names them here.
from conformance.families.layers_attention import (  # noqa: F401
    attention_conditioning,
    attention_config,
    attention_inputs,
    attention_reference,
)

# Re-exported: the first catalog's normalization records (tests/test_object_specs.py) name them here.
from conformance.families.layers_normalization import (  # noqa: F401
    batch_norm_conditioning,
    batch_norm_config,
    batch_norm_input_shape,
    batch_norm_inputs,
    batch_norm_reference,
    batch_norm_weights,
    scale_and_offset,
)
from conformance.objects import CallInputs, one_input

# -- Dense ---------------------------------------------------------------------------------
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


def dense_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    input_shape = inputs["args"][0].shape
    shapes = {"kernel": (input_shape[-1], config["units"])}
    if config["use_bias"]:
        shapes["bias"] = (config["units"],)
    return shapes


def dense_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                    training: bool) -> np.ndarray:
    x = inputs["args"][0]
    return oracle.dense(x, weights["kernel"], weights.get("bias"), config["activation"])


def dense_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                       ref: np.ndarray) -> np.ndarray:
    """|x|·|kernel| + |bias| times sqrt(fan-in), through the activation's slope, plus |out|."""
    x = inputs["args"][0]
    kernel, bias = weights["kernel"], weights.get("bias")
    products = np.abs(x) @ np.abs(kernel) * np.sqrt(kernel.shape[0])
    if bias is not None:
        products = products + np.abs(bias)
    z = x @ kernel + (bias if bias is not None else 0.0)
    slope: Any = oracle.activation_slope(config["activation"], z)
    return np.abs(ref) + slope * products


dense_inputs = one_input(dense_input_shape)
