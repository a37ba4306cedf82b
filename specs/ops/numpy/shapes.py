"""Specs of ``keras.ops.numpy`` shape manipulation: reshape, transpose, flips, splits, pads,
repeats, diagonals and triangles, and the shape queries ``ndim`` and ``size``.

Data movement is exact: every dtype, bool included, is compared bit for bit
(the tolerance of a moved float is zero beyond its own rounding). Shared
strategies and references live in :mod:`conformance.families.shapes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from conformance import oracle
from conformance.families import shapes as fam
from conformance.spec import OpSpec
from conformance.strategies import (
    FLOAT_DTYPES,
    INT_DTYPES,
    reshape_args,
    transpose_args,
)

NUMERIC = FLOAT_DTYPES + INT_DTYPES
ALL = NUMERIC + ("bool",)
SIGNED = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if not d.startswith("u"))


#: how the splits' gradient is checked
MULTI_OUTPUT = "Grad: one cotangent per piece (the pieces flattened and joined)"


def trace_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """trace sums like ``keras.ops.sum``: bool/int8/int16 -> int32, uint8/uint16 -> uint32."""
    return {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
            "uint16": "uint32"}.get(dtypes[0], dtypes[0])


def _append_shapes(draw, mode):  # type: ignore[no-untyped-def]
    low = 0 if mode == "special" else 1
    s1 = tuple(draw(st.lists(st.integers(low, 4), min_size=1, max_size=3)))
    if draw(st.booleans()):  # axis None: both flattened, any shapes
        s2 = tuple(draw(st.lists(st.integers(low, 4), min_size=0, max_size=3)))
        return s1, s2, ({"axis": None} if draw(st.booleans()) else {})
    axis = draw(st.integers(-len(s1), len(s1) - 1))
    s2 = tuple(draw(st.integers(low, 4)) if i == axis % len(s1) else s for i, s in enumerate(s1))
    return s1, s2, {"axis": axis}


def _ndim_size(fn):  # type: ignore[no-untyped-def]
    return lambda x: np.asarray(fn(x), dtype=np.int64)


SPECS = [
    OpSpec("ops.numpy.reshape", reshape_args(), oracle.reshape, NUMERIC, grad=True),
    OpSpec("ops.numpy.transpose", transpose_args(), oracle.transpose, NUMERIC, grad=True),
    OpSpec("ops.numpy.append", fam.two_arrays(_append_shapes), np.append, ALL, grad=True,
           notes="axis None (both flattened) or an int (shapes equal off the axis); mixed dtypes promote"),
    OpSpec("ops.numpy.array_split", fam.array_and(fam.array_split_kw, zero_d=False), fam.array_split, ALL, grad=True,
           notes="sections an int in [1, side] (Keras documents an int only); the remainder goes first. " + MULTI_OUTPUT),
    OpSpec("ops.numpy.broadcast_to", fam.array_and(fam.broadcast_to_kw, max_dims=3), np.broadcast_to,
           ALL, grad=True, notes="target shape: sides of 1 grown, up to two leading axes added"),
    OpSpec("ops.numpy.expand_dims", fam.array_and(fam.expand_dims_kw), np.expand_dims, ALL, grad=True,
           notes="axis an int (negative too) or a list of new axes"),
    OpSpec("ops.numpy.flip", fam.array_and(fam.axis_kw()), np.flip, ALL, grad=True,
           notes="axis None, an int or a tuple"),
    OpSpec("ops.numpy.fliplr", fam.array_and(min_dims=2), np.fliplr, ALL, grad=True,
           notes="rank >= 2 (numpy requires it)"),
    OpSpec("ops.numpy.flipud", fam.array_and(zero_d=False), np.flipud, ALL, grad=True,
           notes="rank >= 1"),
    OpSpec("ops.numpy.moveaxis", fam.array_and(fam.moveaxis_kw, zero_d=False), np.moveaxis, ALL,
           grad=True, notes="source/destination ints or equally long lists of distinct axes"),
    OpSpec("ops.numpy.ravel", fam.array_and(), np.ravel, ALL, grad=True),
    OpSpec("ops.numpy.repeat", fam.array_and(fam.repeat_kw, zero_d=False), np.repeat, ALL, grad=True,
           notes="repeats an int in [0, 3]; axis None flattens. A list of per-element counts is left out: Keras documents only \"the number of repetitions\" and jax.numpy.repeat rejects a tuple"),
    OpSpec("ops.numpy.roll", fam.array_and(fam.roll_kw, zero_d=False), np.roll, ALL, grad=True,
           notes="shift an int (larger than the side too), axis None, an int, or tuples of shifts and axes"),
    OpSpec("ops.numpy.rot90", fam.array_and(fam.rot90_kw, min_dims=2), np.rot90, ALL, grad=True,
           notes="k in [-3, 5], axes a pair of distinct non-negative axes; each left out or given"),
    OpSpec("ops.numpy.split", fam.array_and(fam.split_kw, zero_d=False), fam.split, ALL, grad=True,
           notes="equal sections (a divisor of the side) or sorted split indices in [0, side]. " + MULTI_OUTPUT),
    OpSpec("ops.numpy.hsplit", fam.array_and(fam.directional_split_kw(1), zero_d=False),
           fam.axis_split(1), ALL, grad=True, notes="equal sections along axis 1 (axis 0 of a 1-D input). " + MULTI_OUTPUT),
    OpSpec("ops.numpy.vsplit", fam.array_and(fam.directional_split_kw(0), min_dims=2),
           fam.axis_split(0), ALL, grad=True, notes="equal sections along axis 0; rank >= 2. " + MULTI_OUTPUT),
    OpSpec("ops.numpy.dsplit", fam.array_and(fam.directional_split_kw(2), min_dims=3),
           fam.axis_split(2), ALL, grad=True, notes="equal sections along axis 2; rank >= 3. " + MULTI_OUTPUT),
    OpSpec("ops.numpy.squeeze", fam.squeeze_args(),
           np.squeeze, ALL, grad=True,
           notes="shapes with sides of 1; axis left out, None, an int (negative too) or a list of unit axes"),
    OpSpec("ops.numpy.swapaxes", fam.array_and(fam.swapaxes_kw, zero_d=False), np.swapaxes, ALL,
           grad=True),
    OpSpec("ops.numpy.tile", fam.array_and(fam.tile_kw, max_dims=3, max_side=4), fam.tile, ALL, grad=True,
           notes="repeats an int or a list shorter or longer than the rank"),
    OpSpec("ops.numpy.diff", fam.array_and(fam.diff_kw, zero_d=False), np.diff, SIGNED, grad=True,
           conditioning=fam.diff_scale, signed_zeros=False,
           notes="n in [0, 3] and axis, each left out or given. Unsigned ints left out (differences "
                 "wrap); bool left out (numpy's bool diff is not_equal, an operator Keras does not document)"),
    OpSpec("ops.numpy.pad", fam.array_and(fam.pad_kw("constant"), zero_d=False), fam.pad, NUMERIC,
           grad=True, notes="a (before, after) pair per axis; mode constant left out or given, "
                            "constant_values left out or given"),
    OpSpec("ops.numpy.pad", fam.array_and(fam.pad_kw("constant", broadcast=True), zero_d=False), fam.pad,
           NUMERIC, grad=True, name="ops.numpy.pad.broadcast_width",
           notes="pad_width an int or one ((before, after),) pair for every axis, as Keras documents"),
    OpSpec("ops.numpy.pad", fam.array_and(fam.pad_kw("reflect"), zero_d=False), fam.pad, NUMERIC,
           grad=True, name="ops.numpy.pad.reflect", notes="mode reflect, widths < side, a pair per axis"),
    OpSpec("ops.numpy.pad", fam.array_and(fam.pad_kw("symmetric"), zero_d=False), fam.pad, NUMERIC,
           grad=True, name="ops.numpy.pad.symmetric", notes="mode symmetric, widths <= side, a pair per axis"),
    OpSpec("ops.numpy.tril", fam.array_and(fam.offset_kw(), min_dims=2), np.tril, ALL, grad=True,
           notes="rank >= 2 (batched over leading axes); k left out or a diagonal that meets the matrix"),
    OpSpec("ops.numpy.tril", fam.array_and(fam.offset_kw(outside=True), min_dims=2), np.tril, ALL, grad=True,
           name="ops.numpy.tril.outside", notes="k beyond the matrix (by up to 2): all or nothing is kept"),
    OpSpec("ops.numpy.triu", fam.array_and(fam.offset_kw(), min_dims=2), np.triu, ALL, grad=True,
           notes="rank >= 2 (batched over leading axes); k left out or a diagonal that meets the matrix"),
    OpSpec("ops.numpy.triu", fam.array_and(fam.offset_kw(outside=True), min_dims=2), np.triu, ALL, grad=True,
           name="ops.numpy.triu.outside", notes="k beyond the matrix (by up to 2): all or nothing is kept"),
    OpSpec("ops.numpy.diag", fam.array_and(fam.offset_kw(), max_dims=2, zero_d=False), np.diag, ALL,
           grad=True, notes="1-D input builds a matrix (k in [-3, 3]); 2-D extracts a diagonal that meets it"),
    OpSpec("ops.numpy.diag", fam.array_and(fam.offset_kw(outside=True), min_dims=2, max_dims=2), np.diag,
           ALL, grad=True, name="ops.numpy.diag.outside",
           notes="2-D input, k beyond the matrix (by up to 2): an empty diagonal"),
    OpSpec("ops.numpy.diagflat", fam.array_and(fam.offset_kw(), max_dims=2), np.diagflat, ALL, grad=True,
           notes="input flattened; k left out or given"),
    OpSpec("ops.numpy.diagonal", fam.array_and(fam.diagonal_kw("offset"), min_dims=2), np.diagonal, ALL,
           grad=True, notes="two distinct axes (negative too) and an offset that meets the matrix, each "
                            "left out or given"),
    OpSpec("ops.numpy.diagonal", fam.array_and(fam.diagonal_kw("offset", outside=True), min_dims=2),
           np.diagonal, ALL, grad=True, name="ops.numpy.diagonal.outside",
           notes="an offset beyond the matrix (by up to 2): an empty diagonal"),
    OpSpec("ops.numpy.trace", fam.array_and(fam.diagonal_kw("offset"), min_dims=2), np.trace, NUMERIC,
           grad=True, result_dtype=trace_result, conditioning=fam.trace_scale, signed_zeros=False,
           notes="a sum of the diagonal: small ints widen as keras.ops.sum does; offset meets the matrix"),
    OpSpec("ops.numpy.trace", fam.array_and(fam.diagonal_kw("offset", outside=True), min_dims=2), np.trace,
           NUMERIC, grad=True, result_dtype=trace_result, conditioning=fam.trace_scale, signed_zeros=False,
           name="ops.numpy.trace.outside", notes="an offset beyond the matrix: a sum of nothing, 0"),
    fam.BitsSpec("ops.numpy.view", fam.view_args(), fam.view, ALL, result_dtype=fam.kwarg_dtype(),
                 raw_reference=fam.view, special=False,
                 notes="the bits reinterpreted as another dtype (not bool); last side 8 or 16 elements so "
                       "any itemsize divides it. The oracle views the array in its own dtype. No special check: "
                       "the bits of a NaN (its payload) are not preserved by every conversion"),
    OpSpec("ops.numpy.ndim", fam.array_and(), _ndim_size(np.ndim), ALL, result_dtype=None,
           notes="a shape query: the value only (its container type differs by backend by design)"),
    OpSpec("ops.numpy.size", fam.array_and(), _ndim_size(np.size), ALL, result_dtype=None,
           notes="a shape query: the value only"),
]
