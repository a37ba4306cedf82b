"""Strategies and float64 references of the activation layers.

Activation (by name), ReLU (max_value, negative_slope, threshold), LeakyReLU,
PReLU (an alpha weight, shared axes), ELU and Softmax (an axis or two, with a
mask). The formulas are the ops' references (conformance/families/nn.py);
values on a kink are drawn on purpose (small integers hit a threshold exactly).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.families import nn
from conformance.families.layers_core import first_input, shape_of_rank
from conformance.objects import CallInputs, LayerResult

#: names every Keras generation spells and computes alike (softmax: over the last axis)
ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": oracle.relu,
    "tanh": np.tanh,
    "sigmoid": oracle.sigmoid,
    "elu": nn.elu,
    "selu": nn.selu,
    "softplus": nn.softplus,
    "softsign": nn.softsign,
    "exponential": np.exp,
    "softmax": lambda x: oracle.softmax(x, axis=-1),
}
#: Keras 3's names whose formula changed from Keras 2 (hard_sigmoid: relu6(x + 3) / 6, not
#: clip(0.2 x + 0.5)) or that Keras 2.3 lacks: a spec of their own
KERAS3_ACTIVATIONS = {
    "hard_sigmoid": nn.hard_sigmoid,
    "gelu": lambda x: oracle.gelu(x, approximate=False),  # keras.activations.gelu's default
    "silu": nn.swish,
    "relu6": nn.relu6,
    "log_softmax": lambda x: oracle.log_softmax(x, axis=-1),
    "mish": lambda x: x * np.tanh(nn.softplus(x)),
}


def activation_config(names: dict) -> Any:
    return lambda dtype: st.fixed_dictionaries({"activation": st.sampled_from(sorted(names))})


def activation_reference(names: dict) -> Any:
    def reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
        return names[config["activation"]](first_input(inputs))

    return reference


def activation_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: np.ndarray) -> np.ndarray:
    """|out| + |x · f'(x)| (by a central difference of the reference): an activation amplifies
    the rounding of its input by its slope; softmax-like ones by |x - max| too."""
    x = first_input(inputs)
    names = {**ACTIVATIONS, **KERAS3_ACTIVATIONS}
    fn = names[config["activation"]]
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    slope = np.abs(fn(x + h) - fn(x - h)) / (2 * h)
    scale = np.abs(ref) + np.abs(x) * slope
    if config["activation"] in ("softmax", "log_softmax"):
        scale = scale + oracle.softmax_scale([x], {"axis": -1}, np.abs(ref)) + np.abs(x).max(axis=-1, keepdims=True)
    return scale


# -- ReLU, LeakyReLU, ELU ------------------------------------------------------------------------
def relu_config(dtype: str) -> st.SearchStrategy:
    """max_value None or drawn (6 takes Keras's relu6 path), a slope, a threshold (above the
    max too: then every value over the threshold is clipped)."""
    return st.fixed_dictionaries({
        "max_value": st.sampled_from((None, 0.5, 1.0, 6.0)),
        "negative_slope": st.sampled_from((0.0, 0.1, 0.5)),
        "threshold": st.sampled_from((0.0, 0.5, 1.0)),
    })


def relu_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    """Keras 3's formula: x kept above the threshold (``where(x > threshold, x, 0)``: +0.0
    below it, where tf_keras's ``x * (x > threshold)`` gives -0.0 for a negative x), clipped
    to [0, max_value], minus negative_slope * relu(threshold - x)."""
    x = first_input(inputs)
    threshold, slope, max_value = config["threshold"], config["negative_slope"], config["max_value"]
    if slope != 0 and max_value is None and threshold == 0:
        return nn.leaky_relu(x, slope)
    negative_part = np.maximum(threshold - x, 0.0)
    y = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        y = np.minimum(np.maximum(y, 0.0), max_value)
    return y - slope * negative_part if slope != 0 else y


def leaky_relu_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"negative_slope": st.sampled_from((0.0, 0.01, 0.3, 1.0, 2.0))})


def leaky_relu_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    return nn.leaky_relu(first_input(inputs), config["negative_slope"])


def elu_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"alpha": st.sampled_from((1.0, 0.5, 2.0, 0.0))})


def elu_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    return nn.elu(first_input(inputs), config["alpha"])


# -- PReLU ---------------------------------------------------------------------------------------
def prelu_config(dtype: str) -> st.SearchStrategy:
    """shared_axes: None or a set of non-batch axes (1 to 3); the input's rank follows."""
    shared = st.lists(st.integers(1, 3), unique=True, min_size=1, max_size=3).map(sorted)
    return st.fixed_dictionaries({"shared_axes": st.one_of(st.none(), shared)})


@st.composite
def _prelu_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """Rank 2 to 4, enough for every shared axis."""
    low = max(config["shared_axes"] or [1]) + 1
    return {"args": [draw(strategies.arrays(dtype, draw(shape_of_rank(low, 4, 4)), mode))], "kwargs": {}}


def prelu_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _prelu_inputs(config, dtype, mode)


def prelu_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    shape = list(first_input(inputs).shape[1:])
    for axis in config["shared_axes"] or []:
        shape[axis - 1] = 1
    return {"alpha": tuple(shape)}


def prelu_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    """relu(x) - alpha * relu(-x), alpha broadcast along the shared axes."""
    x = first_input(inputs)
    return np.maximum(x, 0.0) - weights["alpha"] * np.maximum(-x, 0.0)


def prelu_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: np.ndarray) -> np.ndarray:
    return np.abs(ref) + np.abs(first_input(inputs)) * (1 + np.abs(weights["alpha"]))


# -- Softmax -------------------------------------------------------------------------------------
@st.composite
def _softmax_config(draw: Any, dtype: str) -> dict:
    """axis -1, another single axis, or two axes (Keras then subtracts a logsumexp)."""
    return {"axis": draw(st.sampled_from((-1, 1, -2, [1, 2], [-2, -1])))}


def softmax_config(dtype: str) -> st.SearchStrategy:
    return _softmax_config(dtype)


def _softmax_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    return tuple(sorted(a % ndim for a in (axis if isinstance(axis, list) else [axis])))


@st.composite
def _softmax_inputs(draw: Any, config: dict, dtype: str, mode: str, all_masked: bool) -> CallInputs:
    """x of rank 3 (or 2 for one axis) and a boolean mask of its shape; each slice along the
    axes keeps one position at least, unless ``all_masked``: then the first batch's slices are
    wholly masked (Keras 3 returns zeros there)."""
    axis = config["axis"]
    low = 3 if isinstance(axis, list) or axis in (1, -2) else 2
    x = draw(strategies.arrays(dtype, draw(shape_of_rank(low, 3, 4)), mode))
    axes = _softmax_axes(axis, x.ndim)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mask = rng.random(x.shape) < draw(st.sampled_from((1.0, 0.6)))
    moved = np.moveaxis(mask, axes, tuple(range(-len(axes), 0)))
    flat = moved.reshape(*moved.shape[:moved.ndim - len(axes)], -1)
    flat[..., rng.integers(0, flat.shape[-1])] = True  # one kept position per slice
    mask = np.moveaxis(flat.reshape(moved.shape), tuple(range(-len(axes), 0)), axes)
    if all_masked:
        mask[0] = False
    return {"args": [x], "kwargs": {"mask": mask}}


def softmax_inputs(all_masked: bool) -> Any:
    return lambda config, dtype, mode: _softmax_inputs(config, dtype, mode, all_masked)


def softmax_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
    """Softmax over the kept positions, 0 at the masked ones (Keras 3 zeroes them after
    replacing them with a large negative number: a wholly masked slice gives zeros)."""
    x, mask = first_input(inputs), inputs["kwargs"]["mask"]
    axes = _softmax_axes(config["axis"], x.ndim)
    shifted = np.where(mask, x, -np.inf)
    peak = np.max(shifted, axis=axes, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0)
    e = np.where(mask, np.exp(shifted - peak), 0.0)
    total = np.sum(e, axis=axes, keepdims=True)
    return LayerResult(np.where(mask, e / np.where(total == 0, 1.0, total), 0.0))


def softmax_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: Any) -> np.ndarray:
    """|out| · (1 + |x - max|): exp amplifies the rounding of x - max."""
    x, mask = first_input(inputs), inputs["kwargs"]["mask"]
    axes = _softmax_axes(config["axis"], x.ndim)
    peak = np.max(np.where(mask, x, -np.inf), axis=axes, keepdims=True)
    shift = np.where(mask & np.isfinite(peak), np.abs(x - peak), 0.0)
    return np.abs(ref) * (1.0 + shift)
