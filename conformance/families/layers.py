"""Strategies and float64 references of ``keras.layers``, composed from the op references.

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


# -- Conv2D --------------------------------------------------------------------------------
CONV_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")


def conv2d_config(data_format: str) -> Any:
    """A config factory: filters, kernel_size, strides or dilation_rate, padding, activation.

    Keras rejects strides > 1 together with dilation_rate > 1, so a case
    either strides or dilates (or neither).
    """

    @st.composite
    def draw_config(draw: Any, dtype: str) -> dict:
        kernel_size = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
        strides, dilation = [1, 1], [1, 1]
        mode = draw(st.sampled_from(("plain", "strided", "dilated")))
        if mode == "strided":
            strides = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
        elif mode == "dilated":
            dilation = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
        return {
            "filters": draw(st.integers(1, 4)),
            "kernel_size": kernel_size,
            "strides": strides,
            "padding": draw(st.sampled_from(("valid", "same"))),
            "dilation_rate": dilation,
            "data_format": data_format,
            "activation": draw(st.sampled_from(CONV_ACTIVATIONS)),
            "use_bias": draw(st.booleans()),
        }

    return lambda dtype: draw_config(dtype)


@st.composite
def _conv2d_input_shape(draw: Any, config: dict) -> tuple[int, ...]:
    """Batch, two spatial sides large enough for a "valid" window, channels."""
    spatial = []
    for k, d in zip(config["kernel_size"], config["dilation_rate"]):
        reach = (k - 1) * d + 1
        spatial.append(draw(st.integers(reach, reach + 4)))
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    if config["data_format"] == "channels_first":
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


def conv2d_input_shape(config: dict) -> st.SearchStrategy:
    return _conv2d_input_shape(config)


def _channels(config: dict, input_shape: tuple[int, ...]) -> int:
    return input_shape[1] if config["data_format"] == "channels_first" else input_shape[-1]


def conv2d_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    input_shape = inputs["args"][0].shape
    """Keras's kernel layout is (kh, kw, in, out) for either data format."""
    shapes = {"kernel": (*config["kernel_size"], _channels(config, input_shape), config["filters"])}
    if config["use_bias"]:
        shapes["bias"] = (config["filters"],)
    return shapes


def _conv_kwargs(config: dict) -> dict:
    return {k: config[k] for k in ("strides", "padding", "data_format", "dilation_rate")}


def conv2d_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                     training: bool) -> np.ndarray:
    x = inputs["args"][0]
    return oracle.conv_layer(x, weights["kernel"], weights.get("bias"), activation=config["activation"],
                             **_conv_kwargs(config))


def conv2d_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                        ref: np.ndarray) -> np.ndarray:
    """conv(|x|, |kernel|) + |bias| times sqrt(terms per output), through the activation's slope."""
    x = inputs["args"][0]
    kernel, bias = weights["kernel"], weights.get("bias")
    kwargs = _conv_kwargs(config)
    products = oracle.conv_layer(np.abs(x), np.abs(kernel), None if bias is None else np.abs(bias),
                                 **kwargs)
    products = products * np.sqrt(oracle.conv_terms(x, kernel))
    z = oracle.conv_layer(x, kernel, bias, **kwargs)
    return np.abs(ref) + oracle.activation_slope(config["activation"], z) * products


# -- LayerNormalization ----------------------------------------------------------------------
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


def layer_norm_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    input_shape = inputs["args"][0].shape
    return scale_and_offset(config, tuple(input_shape[a] for a in _axes(config, len(input_shape))))


def scale_and_offset(config: dict, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """A normalization layer's gamma (``scale``) and beta (``center``), when its config has them."""
    return {name: shape for name, flag in (("gamma", "scale"), ("beta", "center")) if config[flag]}


def layer_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                         training: bool) -> np.ndarray:
    x = inputs["args"][0]
    return oracle.layer_normalization(x, weights.get("gamma"), weights.get("beta"),
                                      axis=config["axis"], epsilon=config["epsilon"])


def layer_norm_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                            ref: np.ndarray) -> np.ndarray:
    """Rounding of x - mean is relative to the group's largest |x|, then divided by the std.

    Scale: |gamma| * max|x| / sqrt(var + eps) * sqrt(group size) + |gamma * normalised| + |beta|.
    """
    x = inputs["args"][0]
    axes = tuple(_axes(config, x.ndim))
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    gamma = np.abs(weights["gamma"]).reshape(shape) if "gamma" in weights else np.ones(shape)
    beta = np.abs(weights["beta"]).reshape(shape) if "beta" in weights else np.zeros(shape)
    group = int(np.prod([x.shape[a] for a in axes]))
    std = np.sqrt(x.var(axis=axes, keepdims=True) + config["epsilon"])
    largest = np.abs(x).max(axis=axes, keepdims=True)
    normalised = oracle.layer_normalization(x, None, None, axis=config["axis"], epsilon=config["epsilon"])
    return gamma * largest / std * np.sqrt(group) + np.abs(gamma * normalised) + beta


dense_inputs = one_input(dense_input_shape)
conv2d_inputs = one_input(conv2d_input_shape)
layer_norm_inputs = one_input(layer_norm_input_shape)


# -- BatchNormalization ------------------------------------------------------------------------
def batch_norm_config(dtype: str) -> st.SearchStrategy:
    """axis -1 (channels last); momentum and epsilon drawn away from their defaults."""
    return st.fixed_dictionaries({
        "axis": st.just(-1),
        "momentum": st.sampled_from((0.99, 0.9, 0.5)),
        "epsilon": st.sampled_from((1e-3, 1e-2, 0.5)),
        "center": st.booleans(),
        "scale": st.booleans(),
    })


def batch_norm_input_shape(config: dict) -> st.SearchStrategy:
    """Rank 2 to 4 with a batch of at least 2 (a batch of one has zero variance: drawn elsewhere)."""
    return st.integers(2, 4).flatmap(
        lambda rank: st.tuples(st.integers(2, 4), *[st.integers(1, 4) for _ in range(rank - 1)]))


def batch_norm_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    channels = (inputs["args"][0].shape[-1],)
    return {"moving_mean": channels, "moving_variance": channels, **scale_and_offset(config, channels)}


def batch_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                         training: bool) -> Any:
    """Inference: the moving statistics; training: the batch's (biased variance), and the
    moving statistics after ``moving = momentum * moving + (1 - momentum) * batch``."""
    from conformance.objects import LayerResult  # noqa: PLC0415 - the engine's result record

    x = inputs["args"][0]
    axes = tuple(range(x.ndim - 1))
    moving_mean, moving_variance = weights["moving_mean"], weights["moving_variance"]
    if training:
        mean, variance = x.mean(axis=axes), x.var(axis=axes)
    else:
        mean, variance = moving_mean, moving_variance
    out = (x - mean) / np.sqrt(variance + config["epsilon"])
    out = out * weights.get("gamma", 1.0) + weights.get("beta", 0.0)
    state = {}
    if training:
        momentum = config["momentum"]
        state = {"moving_mean": momentum * moving_mean + (1 - momentum) * mean,
                 "moving_variance": momentum * moving_variance + (1 - momentum) * variance}
    return LayerResult(out, state=state)


def batch_norm_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                            ref: np.ndarray) -> np.ndarray:
    """As layer normalization's: the rounding of x - mean relative to max|x|, over the std."""
    x = inputs["args"][0]
    axes = tuple(range(x.ndim - 1))
    gamma = np.abs(weights.get("gamma", 1.0))
    std = np.sqrt(np.minimum(x.var(axis=axes), weights["moving_variance"]) + config["epsilon"])
    largest = np.maximum(np.abs(x).max(axis=axes), np.abs(weights["moving_mean"]))
    group = int(np.prod([x.shape[a] for a in axes]))
    return np.abs(ref) + gamma * largest / std * np.sqrt(group)


batch_norm_inputs = one_input(batch_norm_input_shape)


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
