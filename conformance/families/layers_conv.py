"""Strategies and float64 references of the ``keras.layers`` convolutions.

Conv1D/2D/3D, Conv1D/2D/3DTranspose, DepthwiseConv1D/2D and SeparableConv1D/2D,
from one config strategy per kind (:func:`conv_config`) and one reference per
kind (:func:`conv_reference`), composed from the op references
(:func:`conformance.oracle.conv` and conformance/families/nn_conv.py). The
records are in specs/layers/conv.py. Nothing here calls Keras.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.families import nn_conv
from conformance.objects import CallInputs, InputsFactory

CONV_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")
#: the kinds of convolution layer: what their kernels look like and how they are applied
CONV, TRANSPOSE, DEPTHWISE, SEPARABLE = "conv", "transpose", "depthwise", "separable"


#: variants of a transposed convolution, each a divergence of TensorFlow's kept out of the main spec
DILATED, SAME_OUTPUT_PADDING = "dilated", "same_output_padding"


def conv_config(rank: int, kind: str, data_format: str, variant: str | None = None,
                ) -> Callable[[str], st.SearchStrategy]:
    """A config factory of a ``rank``-D convolution layer of ``kind``.

    Keras rejects strides > 1 together with dilation_rate > 1, so a case strides or
    dilates (or neither). "causal" padding exists for Conv1D only. A 3-D kernel is
    kept at sides <= 2 and dilation <= 2 (the numerical gradient walks every input
    element). A transposed convolution draws ``output_padding`` below each stride
    (Keras's rule) or leaves it None.

    Two variants of a transposed convolution hold what TensorFlow's CPU kernels
    reject, so that those divergences do not hide the rest: ``DILATED`` (always
    dilated; the main spec never dilates a transpose) and ``SAME_OUTPUT_PADDING``
    ("same" padding, strided, with an output_padding; the main spec draws
    output_padding with "valid" only).
    """
    side = 2 if rank == 3 else 3

    @st.composite
    def draw_config(draw: Any, dtype: str) -> dict:
        kernel_size = [draw(st.integers(1, side)) for _ in range(rank)]
        strides, dilation = [1] * rank, [1] * rank
        if variant == DILATED:
            modes: tuple[str, ...] = ("dilated",)
        elif variant == SAME_OUTPUT_PADDING:
            modes = ("strided",)
        else:
            modes = ("plain", "strided") if kind == TRANSPOSE else ("plain", "strided", "dilated")
        mode = draw(st.sampled_from(modes))
        if mode == "strided":
            strides = [draw(st.integers(2 if variant else 1, 3)) for _ in range(rank)]
        elif mode == "dilated":
            dilation = [draw(st.integers(1, side)) for _ in range(rank)]
        paddings = ("valid", "same", "causal") if rank == 1 and kind == CONV else ("valid", "same")
        padding = "same" if variant == SAME_OUTPUT_PADDING else draw(st.sampled_from(paddings))
        config: dict[str, Any] = {"kernel_size": kernel_size, "strides": strides, "padding": padding,
                                  "dilation_rate": dilation, "data_format": data_format}
        if kind != DEPTHWISE:
            config["filters"] = draw(st.integers(1, 3))
        if kind in (DEPTHWISE, SEPARABLE):
            config["depth_multiplier"] = draw(st.integers(1, 2))
        padded = variant == SAME_OUTPUT_PADDING or (kind == TRANSPOSE and padding == "valid" and max(strides) > 1
                                                     and draw(st.booleans()))
        if padded:
            config["output_padding"] = [draw(st.integers(0, s - 1)) for s in strides]
        config["activation"] = draw(st.sampled_from(CONV_ACTIVATIONS))
        config["use_bias"] = draw(st.booleans())
        return config

    return lambda dtype: draw_config(dtype)


def conv_inputs(kind: str) -> InputsFactory:
    """One input: batch, spatial sides, channels in the config's data format.

    "valid" windows need a side of at least the dilated kernel's reach, drawn down to
    exactly that reach (a kernel as large as the input); "same" and "causal" pad, so
    sides go down to 1 (a kernel larger than the input, length-1 axes); a transposed
    convolution takes any side. Cases over the mode's element budget keep one batch
    and one channel.
    """

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
        spatial = []
        for k, d in zip(config["kernel_size"], config["dilation_rate"]):
            reach = (k - 1) * d + 1
            low = reach if config["padding"] == "valid" and kind != TRANSPOSE else 1
            spatial.append(draw(st.integers(low, reach + (2 if len(config["kernel_size"]) == 3 else 4))))
        batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 3))
        if batch * channels * int(np.prod(spatial)) > strategies.MAX_ELEMENTS[mode]:
            batch, channels = 1, min(channels, 2)
        shape = ((batch, channels, *spatial) if config["data_format"] == "channels_first"
                 else (batch, *spatial, channels))
        return {"args": [draw(strategies.arrays(dtype, shape, mode))], "kwargs": {}}

    return draw_inputs


def _channels(config: dict, input_shape: tuple[int, ...]) -> int:
    return input_shape[1] if config["data_format"] == "channels_first" else input_shape[-1]


def conv_weights(kind: str) -> Callable[[dict, CallInputs], dict[str, tuple[int, ...]]]:
    """Keras 3's kernels, for either data format: conv (k..., in, filters), transpose
    (k..., filters, in), depthwise ``kernel`` (k..., in, multiplier), separable
    ``depthwise_kernel`` as that and ``pointwise_kernel`` (1..., in * multiplier, filters)."""

    def weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
        channels = _channels(config, inputs["args"][0].shape)
        kernel_size = tuple(config["kernel_size"])
        if kind == CONV:
            shapes = {"kernel": (*kernel_size, channels, config["filters"])}
        elif kind == TRANSPOSE:
            shapes = {"kernel": (*kernel_size, config["filters"], channels)}
        elif kind == DEPTHWISE:
            shapes = {"kernel": (*kernel_size, channels, config["depth_multiplier"])}
        else:
            inner = channels * config["depth_multiplier"]
            shapes = {"depthwise_kernel": (*kernel_size, channels, config["depth_multiplier"]),
                      "pointwise_kernel": (*(1,) * len(kernel_size), inner, config["filters"])}
        if config["use_bias"]:
            out_channels = config["filters"] if kind != DEPTHWISE else channels * config["depth_multiplier"]
            shapes["bias"] = (out_channels,)
        return shapes

    return weights


def _linear(kind: str, config: dict, weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The layer before its bias and activation."""
    data_format, padding = config["data_format"], config["padding"]
    strides, dilation = config["strides"], config["dilation_rate"]
    if kind == CONV:
        if padding == "causal":  # Keras pads (k - 1) * dilation on the left, then "valid"
            left = (config["kernel_size"][0] - 1) * dilation[0]
            pads = [(0, 0), (0, 0), (left, 0)] if data_format == "channels_first" else [(0, 0), (left, 0), (0, 0)]
            x, padding = np.pad(x, pads), "valid"
        return oracle.conv(x, weights["kernel"], strides, padding, data_format, dilation)
    if kind == TRANSPOSE:
        return nn_conv.conv_transpose(x, weights["kernel"], strides, padding, config.get("output_padding"),
                                      data_format, dilation)
    if kind == DEPTHWISE:
        return nn_conv.depthwise_conv(x, weights["kernel"], strides, padding, data_format, dilation)
    return nn_conv.separable_conv(x, weights["depthwise_kernel"], weights["pointwise_kernel"], strides,
                                  padding, data_format, dilation)


def _with_bias(config: dict, y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    if bias is None:
        return y
    return y + (bias.reshape((-1,) + (1,) * (y.ndim - 2)) if config["data_format"] == "channels_first" else bias)


def conv_reference(kind: str) -> Callable[[dict, dict, CallInputs, bool], np.ndarray]:
    def reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs, training: bool) -> np.ndarray:
        y = _with_bias(config, _linear(kind, config, weights, inputs["args"][0]), weights.get("bias"))
        return oracle.ACTIVATIONS[config["activation"]](y)

    return reference


def _terms(kind: str, weights: dict[str, np.ndarray]) -> int:
    """Products summed into one output: the kernel taps times the channels they mix."""
    if kind == SEPARABLE:
        kernel = weights["depthwise_kernel"]
        return int(np.prod(kernel.shape[:-2])) * int(weights["pointwise_kernel"].shape[-2])
    kernel = weights["kernel"]
    if kind == DEPTHWISE:
        return int(np.prod(kernel.shape[:-2]))
    if kind == TRANSPOSE:
        return int(np.prod(kernel.shape)) // int(kernel.shape[-2])
    return int(np.prod(kernel.shape[:-1]))


def conv_conditioning(kind: str) -> Callable[[dict, dict, CallInputs, np.ndarray], np.ndarray]:
    """The layer on |x| and |weights| (+ |bias|) times sqrt(terms per output), through the
    activation's slope at the pre-activation, plus |out|."""

    def conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                     ref: np.ndarray) -> np.ndarray:
        x = inputs["args"][0]
        magnitudes = {k: np.abs(v) for k, v in weights.items()}
        products = _with_bias(config, _linear(kind, config, magnitudes, np.abs(x)), magnitudes.get("bias"))
        z = _with_bias(config, _linear(kind, config, weights, x), weights.get("bias"))
        slope = oracle.activation_slope(config["activation"], z)
        return np.abs(ref) + slope * products * np.sqrt(max(_terms(kind, weights), 1))

    return conditioning


# -- Conv2D under the names the first catalog used -------------------------------------------
def conv2d_config(data_format: str) -> Callable[[str], st.SearchStrategy]:
    return conv_config(2, CONV, data_format)


conv2d_inputs = conv_inputs(CONV)
conv2d_weights = conv_weights(CONV)
conv2d_reference = conv_reference(CONV)
conv2d_conditioning = conv_conditioning(CONV)
