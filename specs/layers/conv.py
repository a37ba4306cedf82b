"""Specs of ``keras.layers`` convolutions: Conv2D.

Two specs share one strategy: ``layers.Conv2D`` draws channels_last inputs,
``layers.Conv2D.channels_first`` channels_first ones, so that a divergence
of one data format (TensorFlow's CPU kernels only support NHWC) is recorded
without hiding the other. The reference is :func:`conformance.oracle.conv_layer`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle
from conformance.spec import LayerSpec

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


def conv2d_weights(config: dict, input_shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Keras's kernel layout is (kh, kw, in, out) for either data format."""
    shapes = {"kernel": (*config["kernel_size"], _channels(config, input_shape), config["filters"])}
    if config["use_bias"]:
        shapes["bias"] = (config["filters"],)
    return shapes


def _conv_kwargs(config: dict) -> dict:
    return {k: config[k] for k in ("strides", "padding", "data_format", "dilation_rate")}


def conv2d_reference(config: dict, weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return oracle.conv_layer(x, weights["kernel"], weights.get("bias"), activation=config["activation"],
                             **_conv_kwargs(config))


def conv2d_conditioning(config: dict, weights: dict[str, np.ndarray], x: np.ndarray,
                        ref: np.ndarray) -> np.ndarray:
    """conv(|x|, |kernel|) + |bias| times sqrt(terms per output), through the activation's slope."""
    kernel, bias = weights["kernel"], weights.get("bias")
    kwargs = _conv_kwargs(config)
    products = oracle.conv_layer(np.abs(x), np.abs(kernel), None if bias is None else np.abs(bias),
                                 **kwargs)
    products = products * np.sqrt(oracle.conv_terms(x, kernel))
    z = oracle.conv_layer(x, kernel, bias, **kwargs)
    return np.abs(ref) + oracle.activation_slope(config["activation"], z) * products


# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum, x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.Conv2D", conv2d_config("channels_last"), conv2d_input_shape, conv2d_weights,
              conv2d_reference, conditioning=conv2d_conditioning, signed_zeros=False),
    LayerSpec("layers.Conv2D", conv2d_config("channels_first"), conv2d_input_shape, conv2d_weights,
              conv2d_reference, conditioning=conv2d_conditioning, signed_zeros=False, name="layers.Conv2D.channels_first"),
]
