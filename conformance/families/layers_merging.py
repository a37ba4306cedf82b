"""Strategies and float64 references of the merging layers.

Add, Subtract, Multiply, Average, Maximum, Minimum (several inputs that broadcast
as Keras merges them), Concatenate (an axis) and Dot (axes, normalize). Each is
called on a list of inputs: ``{"args": [[x0, x1, ...]], "kwargs": {}}``.

Masks are not drawn: a merge layer's ``call`` takes no ``mask`` (passing one
raises TypeError in Keras 2 and 3); Keras merges masks only when they travel on
the tensors of a functional model (``_keras_mask``), which a layer case cannot
carry (see the report of issue 17: it needs a model-level spec).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import strategies
from conformance.objects import CallInputs

EPSILON = 1e-7  # keras.backend.epsilon(): Dot's normalize floors the norm with it


def _merged(inputs: CallInputs) -> list[np.ndarray]:
    return list(inputs["args"][0])


# -- elementwise merges -------------------------------------------------------------------------
@st.composite
def _elementwise_inputs(draw: Any, config: dict, dtype: str, mode: str, count: tuple[int, int]) -> CallInputs:
    """A base shape (batch, 1 to 3 sides); each other input has its shape, a suffix of it
    (Keras expands a lower rank at axis 1, after the batch), or 1 for some of its sides.

    A gradient case shifts input k by k/4: ties (which shrinking makes, from equal seeds)
    have no derivative in Maximum/Minimum, and backends split it differently (TF gives it
    all to the first input, torch halves it)."""
    batch = draw(st.integers(1, 3))
    sides = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 3)))]
    arrays = []
    for index in range(draw(st.integers(*count))):
        shape = list(sides)
        if index > 0:
            form = draw(st.sampled_from(("same", "suffix", "ones")))
            if form == "suffix":
                shape = shape[draw(st.integers(0, len(shape) - 1)):]
            elif form == "ones":
                shape = [1 if draw(st.booleans()) else s for s in shape]
        array = draw(strategies.arrays(dtype, (batch, *shape), mode))
        arrays.append((array + index / 4).astype(array.dtype) if mode == strategies.GRAD else array)
    order = draw(st.permutations(range(len(arrays))))  # the base is not always first
    return {"args": [[arrays[i] for i in order]], "kwargs": {}}


def elementwise_inputs(count: tuple[int, int]) -> Any:
    """An inputs factory of ``count`` (min, max) inputs merged elementwise."""
    return lambda config, dtype, mode: _elementwise_inputs(config, dtype, mode, count)


@st.composite
def _column_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """x (n, n) and a column c (n, 1), n >= 2: the operand that Keras 3's TF ops.add mistakes
    for a bias (it squeezes to a vector of x's last side) and adds as a row. Its own spec, so
    that the known divergence names it and the general draw stays unlisted."""
    n = draw(st.integers(2, 4))
    x = draw(strategies.arrays(dtype, (n, n), mode))
    column = draw(strategies.arrays(dtype, (n, 1), mode))
    return {"args": [[x, (column + 0.25).astype(column.dtype) if mode == strategies.GRAD else column]],
            "kwargs": {}}


def column_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _column_inputs(config, dtype, mode)


def _aligned(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Lower ranks expanded at axis 1 until every rank is the largest (Keras's merge rule)."""
    rank = max(a.ndim for a in arrays)
    out = []
    for a in arrays:
        while a.ndim < rank:
            a = np.expand_dims(a, 1)
        out.append(a)
    return out


def _reduce(op: Any) -> Any:
    def reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
        arrays = _aligned(_merged(inputs))
        out = arrays[0]
        for a in arrays[1:]:
            out = op(out, a)
        return out

    return reference


add_reference = _reduce(np.add)
subtract_reference = _reduce(np.subtract)
multiply_reference = _reduce(np.multiply)
maximum_reference = _reduce(np.maximum)
minimum_reference = _reduce(np.minimum)


def average_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    return add_reference(config, weights, inputs, training) / len(_merged(inputs))


def sum_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: np.ndarray) -> np.ndarray:
    """The sum of |inputs| (a sum's rounding is relative to its terms, not to the result)."""
    return _reduce(lambda a, b: np.abs(a) + np.abs(b))(config, weights, inputs, False) + np.abs(ref)


def product_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: np.ndarray) -> np.ndarray:
    return np.abs(ref) * len(_merged(inputs))


# -- Concatenate ---------------------------------------------------------------------------------
@st.composite
def _concatenate_config(draw: Any, dtype: str) -> dict:
    """An axis from 1 to 3, positive or negative (never the batch axis); the rank follows."""
    axis = draw(st.integers(1, 3))
    return {"axis": axis if draw(st.booleans()) else -axis}


def concatenate_config(dtype: str) -> st.SearchStrategy:
    return _concatenate_config(dtype)


@st.composite
def _concatenate_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """Two or three inputs of rank up to 4 that differ along the axis alone."""
    axis = config["axis"]
    rank = draw(st.integers(axis + 1 if axis > 0 else 1 - axis, 4))
    shape = [draw(st.integers(1, 3)) for _ in range(rank)]
    arrays = []
    for _ in range(draw(st.integers(2, 3))):  # Keras 2 requires two (Keras 3 takes one)
        shape[axis] = draw(st.integers(1, 3))
        arrays.append(draw(strategies.arrays(dtype, tuple(shape), mode)))
    return {"args": [arrays], "kwargs": {}}


def concatenate_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _concatenate_inputs(config, dtype, mode)


def concatenate_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    return np.concatenate(_merged(inputs), axis=config["axis"])


# -- Dot -----------------------------------------------------------------------------------------
#: (rank of x, rank of y, axes as written): int axes apply to both, pairs name one each,
#: negative ones count from the end of each input
DOT_FORMS = (
    (2, 2, 1), (2, 2, -1), (3, 3, 1), (3, 3, 2), (3, 3, [1, 2]), (3, 3, [2, 1]), (3, 3, [-1, -2]),
    (3, 2, [2, 1]), (2, 3, [1, 1]), (2, 3, [1, 2]),
)


@st.composite
def _dot_config(draw: Any, dtype: str) -> dict:
    axes = draw(st.sampled_from(DOT_FORMS))[2]
    return {"axes": axes, "normalize": draw(st.booleans())}


def dot_config(dtype: str) -> st.SearchStrategy:
    return _dot_config(dtype)


def _dot_axes(config: dict, ranks: tuple[int, int]) -> tuple[int, int]:
    axes = config["axes"]
    pair = [axes, axes] if isinstance(axes, int) else axes
    return pair[0] % ranks[0], pair[1] % ranks[1]


@st.composite
def _dot_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """x and y whose contracted sides agree; a zero vector along the axis sometimes (normalize
    floors its norm at epsilon), never in a gradient case (the floor's slope is 1e7 there).

    A gradient case with normalize contracts at least 2 elements: a length-1 axis
    normalises to sign(x), whose zero gradient is formed by cancelling 1/|x| terms, and the
    engine's gradient scale (|g|) cannot see their size."""
    ranks = draw(st.sampled_from([(x, y) for x, y, axes in DOT_FORMS if axes == config["axes"]]))
    x_axis, y_axis = _dot_axes(config, ranks)
    shortest = 2 if mode == strategies.GRAD and config["normalize"] else 1
    batch, common = draw(st.integers(1, 3)), draw(st.integers(shortest, 4))
    shapes = []
    for rank, axis in zip(ranks, (x_axis, y_axis)):
        shapes.append(tuple(batch if i == 0 else common if i == axis else draw(st.integers(1, 3))
                            for i in range(rank)))
    x, y = (draw(strategies.arrays(dtype, s, mode)) for s in shapes)
    if mode != strategies.GRAD and draw(st.booleans()):
        np.moveaxis(x, x_axis, -1)[0] = 0  # the first batch's vectors along the axis are zero
    return {"args": [[x, y]], "kwargs": {}}


def dot_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _dot_inputs(config, dtype, mode)


def _l2_normalized(x: np.ndarray, axis: int) -> np.ndarray:
    """x / max(||x||, epsilon): Keras 3's ``x * min(rsqrt(sum x²), 1 / epsilon)``."""
    norm = np.sqrt(np.sum(x * x, axis=axis, keepdims=True))
    return x / np.maximum(norm, EPSILON)


def dot_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    """Per batch element, x's remaining axes then y's; a result of rank 1 becomes (batch, 1)."""
    x, y = _merged(inputs)
    x_axis, y_axis = _dot_axes(config, (x.ndim, y.ndim))
    if config["normalize"]:
        x, y = _l2_normalized(x, x_axis), _l2_normalized(y, y_axis)
    out = np.stack([np.tensordot(a, b, axes=(x_axis - 1, y_axis - 1)) for a, b in zip(x, y)])
    return out.reshape(out.shape[0], 1) if out.ndim == 1 else out


def dot_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: np.ndarray) -> np.ndarray:
    """|x|·|y| products times sqrt(terms), of the normalised inputs when normalize is set."""
    x, y = _merged(inputs)
    x_axis, y_axis = _dot_axes(config, (x.ndim, y.ndim))
    if config["normalize"]:
        x, y = _l2_normalized(x, x_axis), _l2_normalized(y, y_axis)
    wide = dot_reference({**config, "normalize": False}, weights, {"args": [[np.abs(x), np.abs(y)]]}, False)
    return np.abs(ref) + wide * np.sqrt(x.shape[x_axis]) * (3.0 if config["normalize"] else 1.0)
