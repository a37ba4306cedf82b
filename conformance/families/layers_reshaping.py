"""Strategies and float64 references of the reshaping layers.

Reshape, Flatten, Permute, RepeatVector, Cropping1D/2D/3D, ZeroPadding1D/2D/3D and
UpSampling1D/2D/3D. Every layer with a ``data_format`` draws both; the spatial
layers are computed channels-last here and moved back. Bilinear upsampling is
``ops.image.resize``'s reference (conformance/families/image.py), nearest is a
repeat. Nothing here calls Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import strategies
from conformance.families import image
from conformance.families.layers_core import first_input
from conformance.objects import CallInputs

DATA_FORMATS = ("channels_last", "channels_first")


def _array(draw: Any, dtype: str, shape: tuple[int, ...], mode: str) -> CallInputs:
    return {"args": [draw(strategies.arrays(dtype, tuple(shape), mode))], "kwargs": {}}


def _channels_last(x: np.ndarray, data_format: str) -> np.ndarray:
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def _restore(y: np.ndarray, data_format: str) -> np.ndarray:
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def _spatial_shape(draw: Any, data_format: str, spatial: list[int]) -> tuple[int, ...]:
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    if data_format == "channels_first":
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


# -- Reshape -------------------------------------------------------------------------------------
@st.composite
def _reshape_config(draw: Any, dtype: str) -> dict:
    """A target of rank 1 to 3 (sides 1 to 4), one side possibly -1 (inferred)."""
    target = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 3)))]
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return {"target_shape": target}


def reshape_config(dtype: str) -> st.SearchStrategy:
    return _reshape_config(dtype)


def _factorize(draw: Any, total: int, rank: int) -> list[int]:
    """``total`` as a product of ``rank`` sides, each a drawn divisor of what is left."""
    sides = []
    for _ in range(rank - 1):
        divisors = [d for d in range(1, total + 1) if total % d == 0]
        side = draw(st.sampled_from(divisors))
        sides.append(side)
        total //= side
    return [*sides, total]


@st.composite
def _reshape_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """An input of another factorisation of the target's size (k times the known sides under -1)."""
    known = int(np.prod([s for s in config["target_shape"] if s != -1]))
    total = known * (draw(st.integers(1, 3)) if -1 in config["target_shape"] else 1)
    sides = _factorize(draw, total, draw(st.integers(1, 3)))
    return _array(draw, dtype, (draw(st.integers(1, 3)), *sides), mode)


def reshape_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _reshape_inputs(config, dtype, mode)


def reshape_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    x = first_input(inputs)
    return x.reshape((x.shape[0], *config["target_shape"]))


# -- Flatten, Permute, RepeatVector ----------------------------------------------------------------
def flatten_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"data_format": st.sampled_from(DATA_FORMATS)})


def flatten_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    """channels_first: the channel axis (1) moves last before flattening (rank > 2 only)."""
    x = first_input(inputs)
    if config["data_format"] == "channels_first" and x.ndim > 2:
        x = np.moveaxis(x, 1, -1)
    return x.reshape((x.shape[0], -1))


@st.composite
def _permute_config(draw: Any, dtype: str) -> dict:
    rank = draw(st.integers(1, 4))
    return {"dims": draw(st.permutations(list(range(1, rank + 1))))}


def permute_config(dtype: str) -> st.SearchStrategy:
    return _permute_config(dtype)


@st.composite
def _permute_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    return _array(draw, dtype, (draw(st.integers(1, 3)), *[draw(st.integers(1, 4)) for _ in config["dims"]]),
                  mode)


def permute_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _permute_inputs(config, dtype, mode)


def permute_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    return np.transpose(first_input(inputs), (0, *config["dims"]))


def repeat_vector_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"n": st.integers(1, 4)})


def repeat_vector_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    x = first_input(inputs)
    return np.repeat(x[:, None, :], config["n"], axis=1)


# -- Cropping and ZeroPadding --------------------------------------------------------------------
@st.composite
def _pairs_config(draw: Any, dtype: str, key: str, rank: int, high: int) -> dict:
    """``key``: (before, after) per spatial axis, 0 to ``high``; 1-D layers take one flat pair
    and have no data_format."""
    pairs = [[draw(st.integers(0, high)), draw(st.integers(0, high))] for _ in range(rank)]
    if rank == 1:
        return {key: pairs[0]}
    return {key: pairs, "data_format": draw(st.sampled_from(DATA_FORMATS))}


def _pairs(config: dict, key: str) -> list[list[int]]:
    value = config[key]
    return [value] if isinstance(value[0], int) else value


def cropping_config(rank: int) -> Any:
    # at most 1 per side in 3-D: a volume stays small enough for the gradient check
    return lambda dtype: _pairs_config(dtype, "cropping", rank, 2 if rank < 3 else 1)


def padding_config(rank: int) -> Any:
    return lambda dtype: _pairs_config(dtype, "padding", rank, 2 if rank < 3 else 1)


@st.composite
def _spatial_inputs(draw: Any, config: dict, dtype: str, mode: str, rank: int) -> CallInputs:
    """Spatial sides 1 to 3 (2 in 3-D), plus what cropping removes (at least one element is left)."""
    cropped = [sum(pair) for pair in _pairs(config, "cropping")] if "cropping" in config else [0] * rank
    spatial = [cropped[i] + draw(st.integers(1, 3 if rank < 3 else 2)) for i in range(rank)]
    return _array(draw, dtype, _spatial_shape(draw, config.get("data_format", "channels_last"), spatial), mode)


def spatial_inputs(rank: int) -> Any:
    """An inputs factory: (batch, spatial..., channels) or channels first, as the config says."""
    return lambda config, dtype, mode: _spatial_inputs(config, dtype, mode, rank)


def cropping_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    data_format = config.get("data_format", "channels_last")
    x = _channels_last(first_input(inputs), data_format)
    index = tuple(slice(before, x.shape[1 + i] - after) for i, (before, after) in enumerate(_pairs(config, "cropping")))
    return _restore(x[(slice(None), *index)], data_format)


def padding_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    data_format = config.get("data_format", "channels_last")
    x = _channels_last(first_input(inputs), data_format)
    widths = [(0, 0), *[tuple(pair) for pair in _pairs(config, "padding")], (0, 0)]
    return _restore(np.pad(x, widths), data_format)


# -- UpSampling ----------------------------------------------------------------------------------
@st.composite
def _upsampling_config(draw: Any, dtype: str, rank: int, interpolation: str | None) -> dict:
    """size 1 (a no-op) to 3 per axis; UpSampling2D names its interpolation."""
    sizes = [draw(st.integers(1, 3)) for _ in range(rank)]
    if rank == 1:
        return {"size": sizes[0]}
    config = {"size": sizes, "data_format": draw(st.sampled_from(DATA_FORMATS))}
    if interpolation is not None:
        config["interpolation"] = interpolation
    return config


def upsampling_config(rank: int, interpolation: str | None = None) -> Any:
    return lambda dtype: _upsampling_config(dtype, rank, interpolation)


def upsampling_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    """nearest: each element repeated ``size`` times per axis; bilinear: resize at half-pixel centres."""
    data_format = config.get("data_format", "channels_last")
    x = _channels_last(first_input(inputs), data_format)
    sizes = config["size"] if isinstance(config["size"], list) else [config["size"]]
    if config.get("interpolation", "nearest") == "nearest":
        for axis, size in enumerate(sizes, start=1):
            x = np.repeat(x, size, axis=axis)
        return _restore(x, data_format)
    target = [x.shape[1] * sizes[0], x.shape[2] * sizes[1]]
    return _restore(image.resize(x, target, "bilinear"), data_format)


def upsampling_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: np.ndarray) -> np.ndarray:
    """Bilinear: the |weights| applied to |x|, plus their rounding in the layer's dtype
    (conformance/families/image.py); nearest copies."""
    if config.get("interpolation", "nearest") == "nearest":
        return np.abs(ref)
    data_format = config["data_format"]
    x = _channels_last(first_input(inputs), data_format)
    target = [x.shape[1] * config["size"][0], x.shape[2] * config["size"][1]]
    return _restore(image.resize_scale([x], {"size": target, "interpolation": "bilinear"}, None,
                                        config["dtype"]), data_format)
