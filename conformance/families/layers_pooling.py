"""Strategies and float64 references of the ``keras.layers`` pooling layers.

MaxPooling1D/2D/3D and AveragePooling1D/2D/3D (both paddings, strides left to
their default or drawn), GlobalMax/GlobalAveragePooling1D/2D/3D (keepdims), and
AdaptiveMax/AdaptiveAveragePooling1D/2D/3D, composed from the op references
(:func:`conformance.oracle.pool`, :func:`conformance.families.nn_conv.adaptive_pool`).
The records are in specs/layers/pooling.py. Nothing here calls Keras.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.families import nn_conv
from conformance.objects import CallInputs, InputsFactory

MAX, AVERAGE = "max", "avg"


def _image(draw: Any, config: dict, dtype: str, mode: str, spatial: list[int]) -> CallInputs:
    """Batch 1-2, channels 1-3 around ``spatial`` in the config's data format, within the mode's budget."""
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    if batch * channels * int(np.prod(spatial)) > strategies.MAX_ELEMENTS[mode]:
        batch, channels = 1, 1
    shape = ((batch, channels, *spatial) if config["data_format"] == "channels_first"
             else (batch, *spatial, channels))
    return {"args": [draw(strategies.arrays(dtype, shape, mode))], "kwargs": {}}


# -- MaxPooling / AveragePooling ----------------------------------------------------------------
def pool_config(rank: int, data_format: str) -> Callable[[str], st.SearchStrategy]:
    """pool_size 1..3 per axis (1..2 in 3-D), strides None (= pool_size) or drawn 1..3, padding."""
    side = 2 if rank == 3 else 3

    @st.composite
    def draw_config(draw: Any, dtype: str) -> dict:
        strides = draw(st.one_of(st.none(), st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
        return {"pool_size": [draw(st.integers(1, side)) for _ in range(rank)], "strides": strides,
                "padding": draw(st.sampled_from(("valid", "same"))), "data_format": data_format}

    return lambda dtype: draw_config(dtype)


def pool_inputs() -> InputsFactory:
    """"valid" sides from the pool size up (a window as large as the input); "same" from 1
    (a window larger than the input, length-1 axes)."""

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
        extra = 2 if len(config["pool_size"]) == 3 else 4
        spatial = [draw(st.integers(p if config["padding"] == "valid" else 1, p + extra))
                   for p in config["pool_size"]]
        return _image(draw, config, dtype, mode, spatial)

    return draw_inputs


def pool_reference(kind: str) -> Callable[[dict, dict, CallInputs, bool], np.ndarray]:
    """TF's semantics: "same" pads max windows with -inf and averages over the values inside."""

    def reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
        return oracle.pool(inputs["args"][0], config["pool_size"], config["strides"], config["padding"],
                           config["data_format"], mode=kind)

    return reference


def _conditioning(kind: str, averaged: Callable[[dict, np.ndarray], np.ndarray],
                  terms: Callable[[dict, np.ndarray], int]) -> Callable[[dict, dict, CallInputs, np.ndarray], np.ndarray]:
    """A maximum is exact (|out|); an average is a sum of |x| (``averaged``: the pool of |x|)
    rounded over its ``terms``, plus |out|."""

    def conditioning(config: dict, weights: dict, inputs: CallInputs, ref: np.ndarray) -> np.ndarray:
        if kind == MAX:
            return np.abs(ref)
        x = inputs["args"][0]
        return np.abs(ref) + averaged(config, np.abs(x)) * np.sqrt(max(terms(config, x), 1))

    return conditioning


def pool_conditioning(kind: str) -> Callable[[dict, dict, CallInputs, np.ndarray], np.ndarray]:
    return _conditioning(
        kind, lambda config, magnitudes: oracle.pool(magnitudes, config["pool_size"], config["strides"],
                                                     config["padding"], config["data_format"], mode=AVERAGE),
        lambda config, x: int(np.prod(config["pool_size"])))


# -- GlobalMaxPooling / GlobalAveragePooling -------------------------------------------------
def global_pool_config(data_format: str) -> Callable[[str], st.SearchStrategy]:
    return lambda dtype: st.fixed_dictionaries({"data_format": st.just(data_format), "keepdims": st.booleans()})


def global_pool_inputs(rank: int) -> InputsFactory:
    """Sides 1..4 (1..3 in 3-D): length-1 axes included."""

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
        spatial = [draw(st.integers(1, 3 if rank == 3 else 4)) for _ in range(rank)]
        return _image(draw, config, dtype, mode, spatial)

    return draw_inputs


def _spatial_axes(config: dict, ndim: int) -> tuple[int, ...]:
    return tuple(range(2, ndim)) if config["data_format"] == "channels_first" else tuple(range(1, ndim - 1))


def global_pool_reference(kind: str) -> Callable[[dict, dict, CallInputs, bool], np.ndarray]:
    def reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
        x = inputs["args"][0]
        reduce = np.max if kind == MAX else np.mean
        return reduce(x, axis=_spatial_axes(config, x.ndim), keepdims=config["keepdims"])

    return reference


def global_pool_conditioning(kind: str) -> Callable[[dict, dict, CallInputs, np.ndarray], np.ndarray]:
    return _conditioning(
        kind, lambda config, magnitudes: np.mean(magnitudes, axis=_spatial_axes(config, magnitudes.ndim),
                                                 keepdims=config["keepdims"]),
        lambda config, x: int(np.prod([x.shape[a] for a in _spatial_axes(config, x.ndim)])))


# -- AdaptiveMaxPooling / AdaptiveAveragePooling ------------------------------------------------
def adaptive_pool_config(rank: int, kind: str, data_format: str) -> Callable[[str], st.SearchStrategy]:
    """output_size an int (every side) or a list, 1..3 per axis (2..3 for max pooling: see
    :func:`adaptive_pool_inputs`)."""

    @st.composite
    def draw_config(draw: Any, dtype: str) -> dict:
        sizes = st.integers(2 if kind == MAX else 1, 3)
        output_size = draw(st.one_of(sizes, st.lists(sizes, min_size=rank, max_size=rank)))
        return {"output_size": output_size, "data_format": data_format}

    return lambda dtype: draw_config(dtype)


def _output_size(config: dict, rank: int) -> tuple[int, ...]:
    return oracle.as_tuple(config["output_size"], rank)


def adaptive_pool_inputs(rank: int) -> InputsFactory:
    """Each side n from the output size m up to 6 (m + 2 in 3-D), n = m included.

    With m >= 2 and n >= m, Keras's second, longer window (ceil(n/m) + 1) stays inside
    the input; an output size of 1 for max pooling is not drawn: there that window is
    longer than the input and TensorFlow's max pool over an empty output kills the
    process (SIGFPE), a crash recorded for ``ops.nn.adaptive_max_pool.any_size``,
    which draws those sizes.
    """

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
        spatial = [draw(st.integers(m, m + 2 if rank == 3 else 6)) for m in _output_size(config, rank)]
        return _image(draw, config, dtype, mode, spatial)

    return draw_inputs


def adaptive_pool_reference(kind: str) -> Callable[[dict, dict, CallInputs, bool], np.ndarray]:
    """PyTorch's windows: output i pools [floor(i·n/m), ceil((i+1)·n/m))."""

    def reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
        return nn_conv.adaptive_pool(inputs["args"][0], config["output_size"], config["data_format"], kind)

    return reference


def _largest_adaptive_window(config: dict, x: np.ndarray) -> int:
    spatial = [x.shape[a] for a in _spatial_axes(config, x.ndim)]
    return int(np.prod([-(-n // m) + 1 for n, m in zip(spatial, _output_size(config, len(spatial)))]))


def adaptive_pool_conditioning(kind: str) -> Callable[[dict, dict, CallInputs, np.ndarray], np.ndarray]:
    return _conditioning(
        kind, lambda config, magnitudes: nn_conv.adaptive_pool(magnitudes, config["output_size"],
                                                               config["data_format"], AVERAGE),
        _largest_adaptive_window)
