"""Strategies and float64 references of the ``keras.layers`` normalization layers.

LayerNormalization, BatchNormalization (inference, and training with the moving
statistics after the call), GroupNormalization, UnitNormalization,
RMSNormalization and SpectralNormalization (its power iteration and ``vector_u``
after a training call). The records are in specs/layers/normalization.py.
Nothing here calls Keras.

Edges drawn on purpose (:func:`norm_inputs`): an input constant over the
normalised axes (zero variance: only epsilon keeps the division finite), an
all-zero input (UnitNormalization's floor on the norm), a batch of one
(BatchNormalization's training statistics of a single sample), length-1 axes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.objects import CallInputs, InputsFactory, LayerResult, one_input, serialized

EPSILONS = (1e-3, 1e-6, 1e-2, 0.5)
#: how an input's values are made: drawn, constant over the normalised axes, or all zero
DRAWN, CONSTANT, ZERO = "drawn", "constant", "zero"


def norm_inputs(input_shape: Callable[[dict], st.SearchStrategy], reduced_axes: Callable[[dict, int], tuple],
                edges: tuple[str, ...] = (CONSTANT,)) -> InputsFactory:
    """One input whose values are drawn, or (values only) one of ``edges``.

    A gradient case keeps drawn values: at zero variance the output's third derivative
    grows like epsilon^-1.5, past what the central differences of the oracle resolve.
    """

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
        shape = tuple(draw(input_shape(config)))
        x = draw(strategies.arrays(dtype, shape, mode))
        kind = DRAWN if mode == strategies.GRAD else draw(st.sampled_from((DRAWN, DRAWN, *edges)))
        if kind == CONSTANT and x.size:  # the first element of each slice, spread over the slice
            axes = reduced_axes(config, x.ndim)
            first = x[tuple(slice(0, 1) if a in axes else slice(None) for a in range(x.ndim))]
            x = np.ascontiguousarray(np.broadcast_to(first, x.shape))
        elif kind == ZERO:
            x = np.zeros_like(x)
        return {"args": [x], "kwargs": {}}

    return draw_inputs


def _listed_axes(config: dict, ndim: int) -> tuple[int, ...]:
    axis = config["axis"]
    return tuple(sorted(a % ndim for a in (axis if isinstance(axis, list) else [axis])))


def _on_axes(weight: np.ndarray | None, axes: tuple[int, ...], x: np.ndarray) -> np.ndarray | None:
    """A weight shaped as the listed axes of ``x``, broadcast along them."""
    if weight is None:
        return None
    return weight.reshape([x.shape[a] if a in axes else 1 for a in range(x.ndim)])


def normalized_conditioning(x: np.ndarray, axes: tuple[int, ...], variance: np.ndarray, largest: np.ndarray,
                            epsilon: float, gamma: np.ndarray | None, beta: np.ndarray | None,
                            ref: np.ndarray) -> np.ndarray:
    """Rounding of x - mean is relative to the group's largest |x|, then divided by the std:
    |gamma| * max|x| / sqrt(var + eps) * sqrt(group size) + |out| + |beta|."""
    group = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    gamma = np.abs(gamma) if gamma is not None else 1.0
    beta = np.abs(beta) if beta is not None else 0.0
    return gamma * largest / np.sqrt(variance + epsilon) * np.sqrt(group) + np.abs(ref) + beta


def scale_and_offset(config: dict, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """A normalization layer's gamma (``scale``) and beta (``center``), when its config has them."""
    return {name: shape for name, flag in (("gamma", "scale"), ("beta", "center")) if config[flag]}


def _ranked_shape(min_rank: int, batch: st.SearchStrategy | None = None) -> st.SearchStrategy:
    batch = batch if batch is not None else st.integers(1, 3)
    return st.integers(min_rank, 4).flatmap(
        lambda rank: st.tuples(batch, *[st.integers(1, 4) for _ in range(rank - 1)]))


# -- LayerNormalization ----------------------------------------------------------------------
def axes_config(draw: Any) -> Any:
    """axis -1, or a sorted list of non-batch axes, positive or negative (Keras accepts both)."""
    tuples = st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True)
    return draw(st.one_of(st.just(-1), tuples.map(sorted), tuples.map(lambda axes: sorted(-a for a in axes))))


def _min_rank(config: dict) -> int:
    axis = config["axis"]
    return max([2] + [a + 1 if a >= 0 else 1 - a for a in (axis if isinstance(axis, list) else [axis])])


def axes_input_shape(config: dict) -> st.SearchStrategy:
    """Rank 2 to 4, enough for every axis without reaching the batch axis."""
    return _ranked_shape(_min_rank(config))


@st.composite
def _layer_norm_config(draw: Any, dtype: str) -> dict:
    return {"axis": axes_config(draw), "epsilon": draw(st.sampled_from(EPSILONS)),
            "center": draw(st.booleans()), "scale": draw(st.booleans())}


def layer_norm_config(dtype: str) -> st.SearchStrategy:
    return _layer_norm_config(dtype)


def layer_norm_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    shape = inputs["args"][0].shape
    return scale_and_offset(config, tuple(shape[a] for a in _listed_axes(config, len(shape))))


def layer_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                         training: bool) -> np.ndarray:
    return oracle.layer_normalization(inputs["args"][0], weights.get("gamma"), weights.get("beta"),
                                      axis=config["axis"], epsilon=config["epsilon"])


def layer_norm_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                            ref: np.ndarray) -> np.ndarray:
    x = inputs["args"][0]
    axes = _listed_axes(config, x.ndim)
    return normalized_conditioning(x, axes, x.var(axis=axes, keepdims=True),
                                   np.abs(x).max(axis=axes, keepdims=True), config["epsilon"],
                                   _on_axes(weights.get("gamma"), axes, x), _on_axes(weights.get("beta"), axes, x),
                                   ref)


layer_norm_inputs = norm_inputs(axes_input_shape, _listed_axes)


# -- BatchNormalization ------------------------------------------------------------------------
@st.composite
def _batch_norm_config(draw: Any, dtype: str) -> dict:
    """axis -1 (channels last) or a positive axis 1..3 (channels first and others); momentum
    and epsilon away from their defaults. renorm is not drawn (a spec of its own: its r/d
    corrections and clipping are another algorithm)."""
    return {"axis": draw(st.sampled_from((-1, -1, 1, 2, 3))), "momentum": draw(st.sampled_from((0.99, 0.9, 0.5))),
            "epsilon": draw(st.sampled_from((1e-3, 1e-2, 0.5))), "center": draw(st.booleans()),
            "scale": draw(st.booleans())}


def batch_norm_config(dtype: str) -> st.SearchStrategy:
    return _batch_norm_config(dtype)


def batch_norm_input_shape(config: dict) -> st.SearchStrategy:
    """Rank 2 to 4 holding the axis; a batch of one now and then (its training variance is 0)."""
    return _ranked_shape(max(2, config["axis"] + 1), st.sampled_from((1, 2, 3, 4)))


def _channel_axis(config: dict, ndim: int) -> int:
    return config["axis"] % ndim


def _batch_axes(config: dict, ndim: int) -> tuple[int, ...]:
    channel = _channel_axis(config, ndim)
    return tuple(a for a in range(ndim) if a != channel)


def batch_norm_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    x = inputs["args"][0]
    channels = (x.shape[_channel_axis(config, x.ndim)],)
    return {"moving_mean": channels, "moving_variance": channels, **scale_and_offset(config, channels)}


def batch_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                         training: bool) -> Any:
    """Inference: the moving statistics; training: the batch's (biased variance), and the
    moving statistics after ``moving = momentum * moving + (1 - momentum) * batch``."""
    x = inputs["args"][0]
    axes = _batch_axes(config, x.ndim)
    channel = (_channel_axis(config, x.ndim),)
    moving_mean, moving_variance = weights["moving_mean"], weights["moving_variance"]
    if training:
        mean, variance = x.mean(axis=axes), x.var(axis=axes)
    else:
        mean, variance = moving_mean, moving_variance
    out = (x - _on_axes(mean, channel, x)) / np.sqrt(_on_axes(variance, channel, x) + config["epsilon"])
    if "gamma" in weights:
        out = out * _on_axes(weights["gamma"], channel, x)
    if "beta" in weights:
        out = out + _on_axes(weights["beta"], channel, x)
    state = {}
    if training:
        momentum = config["momentum"]
        state = {"moving_mean": momentum * moving_mean + (1 - momentum) * mean,
                 "moving_variance": momentum * moving_variance + (1 - momentum) * variance}
    return LayerResult(out, state=state)


def batch_norm_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                            ref: np.ndarray) -> np.ndarray:
    """As layer normalization's, with the smaller of the batch and moving variances."""
    x = inputs["args"][0]
    axes = _batch_axes(config, x.ndim)
    channel = (_channel_axis(config, x.ndim),)
    variance = np.minimum(x.var(axis=axes), weights["moving_variance"])
    largest = np.maximum(np.abs(x).max(axis=axes), np.abs(weights["moving_mean"]))
    return normalized_conditioning(x, axes, _on_axes(variance, channel, x), _on_axes(largest, channel, x),
                                   config["epsilon"], _on_axes(weights.get("gamma"), channel, x), None, ref)


batch_norm_inputs = norm_inputs(batch_norm_input_shape, _batch_axes)


# -- GroupNormalization ------------------------------------------------------------------------
@st.composite
def _group_norm_config(draw: Any, dtype: str) -> dict:
    """groups 1..3 (the channels are drawn as a multiple), channels last or first."""
    return {"groups": draw(st.integers(1, 3)), "axis": draw(st.sampled_from((-1, 1))),
            "epsilon": draw(st.sampled_from(EPSILONS)), "center": draw(st.booleans()),
            "scale": draw(st.booleans())}


def group_norm_config(dtype: str) -> st.SearchStrategy:
    return _group_norm_config(dtype)


@st.composite
def _group_norm_input_shape(draw: Any, config: dict) -> tuple[int, ...]:
    """Rank 2 to 4; the channel axis holds groups x (1 or 2) channels, group size 1 included."""
    rank = draw(st.integers(2, 4))
    channels = config["groups"] * draw(st.integers(1, 2))
    shape = [draw(st.integers(1, 3))] + [draw(st.integers(1, 3)) for _ in range(rank - 1)]
    shape[config["axis"]] = channels
    return tuple(shape)


def group_norm_input_shape(config: dict) -> st.SearchStrategy:
    return _group_norm_input_shape(config)


def _grouped(config: dict, x: np.ndarray) -> np.ndarray:
    """Channels last, split as (..., groups, channels per group)."""
    last = np.moveaxis(x, config["axis"], -1)
    return last.reshape(*last.shape[:-1], config["groups"], last.shape[-1] // config["groups"])


def _group_axes(grouped: np.ndarray) -> tuple[int, ...]:
    """Every axis of the grouped array but the batch and the group axis."""
    return (*range(1, grouped.ndim - 2), grouped.ndim - 1)


def group_norm_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    x = inputs["args"][0]
    return scale_and_offset(config, (x.shape[config["axis"]],))


def _group_statistics(config: dict, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple]:
    grouped = _grouped(config, x)
    axes = _group_axes(grouped)
    return grouped, grouped.mean(axis=axes, keepdims=True), grouped.var(axis=axes, keepdims=True), axes


def _ungrouped(config: dict, grouped: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.moveaxis(grouped.reshape(*grouped.shape[:-2], -1), -1, config["axis"] % x.ndim)


def group_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                         training: bool) -> np.ndarray:
    """Per sample and group: (x - mean) / sqrt(var + eps) over the spatial axes and the
    group's channels; gamma and beta per channel."""
    x = inputs["args"][0]
    grouped, mean, variance, _ = _group_statistics(config, x)
    out = _ungrouped(config, (grouped - mean) / np.sqrt(variance + config["epsilon"]), x)
    channel = (config["axis"] % x.ndim,)
    if "gamma" in weights:
        out = out * _on_axes(weights["gamma"], channel, x)
    if "beta" in weights:
        out = out + _on_axes(weights["beta"], channel, x)
    return out


def group_norm_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                            ref: np.ndarray) -> np.ndarray:
    x = inputs["args"][0]
    grouped, _, variance, axes = _group_statistics(config, x)
    largest = np.abs(grouped).max(axis=axes, keepdims=True)
    spread = _ungrouped(config, np.broadcast_to(largest / np.sqrt(variance + config["epsilon"]), grouped.shape), x)
    group = int(np.prod([grouped.shape[a] for a in axes]))
    channel = (config["axis"] % x.ndim,)
    gamma = np.abs(_on_axes(weights["gamma"], channel, x)) if "gamma" in weights else 1.0
    beta = np.abs(_on_axes(weights["beta"], channel, x)) if "beta" in weights else 0.0
    return gamma * spread * np.sqrt(group) + np.abs(ref) + beta


def _group_reduced_axes(config: dict, ndim: int) -> tuple[int, ...]:
    """Constant inputs: constant over every non-batch axis (hence over each group)."""
    return tuple(range(1, ndim))


group_norm_inputs = norm_inputs(group_norm_input_shape, _group_reduced_axes)


# -- UnitNormalization and RMSNormalization ----------------------------------------------------
@st.composite
def _unit_norm_config(draw: Any, dtype: str) -> dict:
    return {"axis": axes_config(draw)}


def unit_norm_config(dtype: str) -> st.SearchStrategy:
    return _unit_norm_config(dtype)


def unit_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                        training: bool) -> np.ndarray:
    """x / ||x|| over the axes, the inverse norm capped at 1e12 (Keras's epsilon): a zero slice stays 0."""
    x = inputs["args"][0]
    axes = _listed_axes(config, x.ndim)
    with np.errstate(divide="ignore"):
        inverse = np.minimum(1.0 / np.sqrt(np.sum(x * x, axis=axes, keepdims=True)), 1e12)
    return x * inverse


def _ratio_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                        ref: np.ndarray) -> np.ndarray:
    """x over a root of a sum of squares: the sum's rounding grows with sqrt(terms), relative."""
    x = inputs["args"][0]
    axes = _listed_axes(config, x.ndim)
    group = int(np.prod([x.shape[a] for a in axes]))
    return np.abs(ref) * np.sqrt(group)


unit_norm_conditioning = rms_norm_conditioning = _ratio_conditioning
unit_norm_inputs = norm_inputs(axes_input_shape, _listed_axes, (CONSTANT, ZERO))


@st.composite
def _rms_norm_config(draw: Any, dtype: str, trailing: bool) -> dict:
    """Trailing axes (-1, or [-k, ..., -1]); or (``trailing=False``) axis 1 of a rank 3-4
    input: Keras multiplies by ``scale`` without laying it on the axes, so only trailing
    axes broadcast (a divergence of every Keras 3 adapter, kept out of the main spec)."""
    if trailing:
        count = draw(st.integers(0, 3))
        axis: Any = -1 if count == 0 else list(range(-count, 0))
    else:
        axis = draw(st.sampled_from((1, [1])))
    return {"axis": axis, "epsilon": draw(st.sampled_from(EPSILONS))}


def rms_norm_config(trailing: bool) -> Callable[[str], st.SearchStrategy]:
    return lambda dtype: _rms_norm_config(dtype, trailing)


def rms_norm_input_shape(config: dict) -> st.SearchStrategy:
    return _ranked_shape(_min_rank(config) if config["axis"] not in (1, [1]) else 3)


def rms_norm_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    shape = inputs["args"][0].shape
    return {"scale": tuple(shape[a] for a in _listed_axes(config, len(shape)))}


def rms_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                       training: bool) -> np.ndarray:
    """x / sqrt(mean(x²) + eps) over the axes, times ``scale`` laid on those axes."""
    x = inputs["args"][0]
    axes = _listed_axes(config, x.ndim)
    out = x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + config["epsilon"])
    return out * _on_axes(weights["scale"], axes, x)


rms_norm_inputs = norm_inputs(rms_norm_input_shape, _listed_axes, (CONSTANT, ZERO))


# -- SpectralNormalization (wrapping a Dense layer) ----------------------------------------------
@st.composite
def _spectral_norm_config(draw: Any, dtype: str) -> dict:
    """The wrapped Dense (in the case's dtype, else its kernel would be floatx) and 1..3 iterations."""
    dense = {"units": draw(st.integers(1, 4)), "use_bias": draw(st.booleans()), "dtype": dtype}
    return {"layer": serialized("layers.Dense", dense), "power_iterations": draw(st.integers(1, 3))}


def spectral_norm_config(dtype: str) -> st.SearchStrategy:
    return _spectral_norm_config(dtype)


def spectral_norm_input_shape(config: dict) -> st.SearchStrategy:
    return st.tuples(st.integers(1, 3), st.integers(1, 4))


def spectral_norm_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    dense = config["layer"]["config"]
    shapes = {"kernel": (inputs["args"][0].shape[-1], dense["units"]), "vector_u": (1, dense["units"])}
    if dense["use_bias"]:
        shapes["bias"] = (dense["units"],)
    return shapes


def _l2_normalized(v: np.ndarray) -> np.ndarray:
    """Keras's ``ops.normalize`` over every element: v * min(1 / ||v||, 1 / 1e-7)."""
    with np.errstate(divide="ignore"):
        return v * np.minimum(1.0 / np.sqrt(np.sum(v * v)), 1e7)


def spectral_sigma(config: dict, kernel: np.ndarray, vector_u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The power iteration from ``vector_u``: (u after it, sigma = v · W · uᵀ)."""
    u = vector_u
    v = u @ kernel.T
    for _ in range(config["power_iterations"]):
        v = _l2_normalized(u @ kernel.T)
        u = _l2_normalized(v @ kernel)
    return u, v @ kernel @ u.T


def spectral_norm_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                            training: bool) -> LayerResult:
    """Inference: the wrapped Dense as it is. Training: its kernel divided by the spectral norm
    estimated by power iteration, and ``vector_u`` after the iteration as the state."""
    x, kernel = inputs["args"][0], weights["kernel"]
    if not training:
        return LayerResult(oracle.dense(x, kernel, weights.get("bias"), "linear"))
    u, sigma = spectral_sigma(config, kernel, weights["vector_u"])
    return LayerResult(oracle.dense(x, kernel / sigma, weights.get("bias"), "linear"), state={"vector_u": u})


def spectral_norm_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                               ref: np.ndarray) -> np.ndarray:
    """|x|·|W| / sigma + |bias| times sqrt(terms), and sigma's own rounding (relative, through
    every element of W and the iterations)."""
    x, kernel = inputs["args"][0], weights["kernel"]
    _, sigma = spectral_sigma(config, kernel, weights["vector_u"])
    products = np.abs(x) @ np.abs(kernel) / min(abs(float(sigma.squeeze())), 1.0)
    if "bias" in weights:
        products = products + np.abs(weights["bias"])
    return np.abs(ref) + products * np.sqrt(kernel.size * (config["power_iterations"] + 1))


spectral_norm_inputs = one_input(spectral_norm_input_shape)
