"""Strategies and float64 references of ``keras.layers`` core layers (Dense, Attention).

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


# -- Attention (dot-product, two inputs and their masks) ------------------------------------------
def attention_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"use_scale": st.just(False), "score_mode": st.just("dot"),
                                  "dropout": st.just(0.0)})


@st.composite
def _attention_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """query (B, Tq, D) and value (B, Tv, D), a query mask and a value mask with at least one
    key kept per row (an all-masked row is an edge of its own: the softmax of a constant)."""
    from conformance import strategies  # noqa: PLC0415

    batch, tq, tv, dim = (draw(st.integers(1, 3)) for _ in range(4))
    query = draw(strategies.arrays(dtype, (batch, tq, dim), mode))
    value = draw(strategies.arrays(dtype, (batch, tv, dim), mode))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    query_mask = rng.random((batch, tq)) < 0.7
    value_mask = rng.random((batch, tv)) < 0.7
    value_mask[:, 0] = True
    return {"args": [[query, value]], "kwargs": {"mask": [query_mask, value_mask]}}


def attention_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _attention_inputs(config, dtype, mode)


def attention_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                        training: bool) -> Any:
    """softmax(q·vᵀ, masked keys at -1e9) · v, rows of masked queries zeroed; the mask is the query's."""
    from conformance.objects import LayerResult  # noqa: PLC0415

    query, value = inputs["args"][0]
    query_mask, value_mask = inputs["kwargs"]["mask"]
    scores = query @ np.swapaxes(value, -1, -2)
    scores = scores - 1e9 * (~value_mask[:, None, :])
    out = oracle.softmax(scores, axis=-1) @ value
    out = out * query_mask[..., None]
    return LayerResult(out, mask=query_mask)


def attention_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                           ref: np.ndarray) -> np.ndarray:
    """|q|·|v|ᵀ scores feed a softmax; its error, times max|v|, plus the value products."""
    query, value = inputs["args"][0]
    score_scale = np.abs(query) @ np.abs(np.swapaxes(value, -1, -2))
    largest_value = np.abs(value).max(axis=(-2, -1), keepdims=True)
    return np.abs(ref) + score_scale.max(axis=-1, keepdims=True) * largest_value * np.sqrt(value.shape[-1])
