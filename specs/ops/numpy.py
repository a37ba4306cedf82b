"""Specs of ``keras.ops.numpy``: elementwise, reductions, shape manipulation, matmul.

Result dtypes follow Keras 3's promotion rules as its TensorFlow backend (the
one that keeps 64-bit types) applies them: ``keras.backend.result_type``.
Integer inputs are drawn small (signed in [-10, 10], unsigned in [0, 20]);
ops whose integer results could wrap are fed values folded so they cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from conformance import oracle
from conformance.spec import OpSpec
from conformance.strategies import (
    FLOAT_DTYPES,
    INT_DTYPES,
    binary,
    bounded,
    clip_args,
    matmul_pair,
    nonzero,
    positive,
    reshape_args,
    transpose_args,
    unary,
    where_args,
    with_axis,
)
from conformance.tolerance import elementwise, products_of, reduction_of

NUMERIC = FLOAT_DTYPES + INT_DTYPES
SIGNED = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if not d.startswith("u"))


def float_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """Floats keep their dtype; integers give floatx (float32), int64 included."""
    return dtypes[0] if dtypes[0] in FLOAT_DTYPES else "float32"


def sum_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """``keras.ops.sum`` widens small integers: int8/int16 -> int32, uint8/uint16 -> uint32."""
    return {"int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}.get(
        dtypes[0], dtypes[0])


def matmul_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """int8 @ int8 accumulates into int32; everything else keeps its dtype."""
    return "int32" if dtypes[0] == "int8" else dtypes[0]


matmul_conditioning = products_of(oracle.matmul, oracle.matmul_terms)

SPECS = [
    # -- elementwise, binary ----------------------------------------------------
    OpSpec("ops.numpy.add", binary(), np.add, NUMERIC, grad=True),
    OpSpec("ops.numpy.subtract", binary(), np.subtract, SIGNED, grad=True,
           notes="unsigned integers left out: their differences wrap modulo 2**bits, which the "
                 "int64 oracle does not model"),
    OpSpec("ops.numpy.multiply", binary(bounded(11)), np.multiply, NUMERIC, grad=True,
           notes="integers folded into [-11, 11] so no product overflows int8/uint8"),
    OpSpec("ops.numpy.divide", binary(rhs_domain=nonzero), np.divide, NUMERIC, grad=True,
           result_dtype=float_result,
           notes="integer / integer gives float32 (keras.backend.result_type(int, int, float)), int64 "
                 "included; the divisor is drawn nonzero outside special mode"),
    OpSpec("ops.numpy.maximum", binary(), np.maximum, NUMERIC, grad=True, signed_zeros=False,
           notes="maximum(-0.0, 0.0) may be either zero"),
    # -- elementwise, unary -----------------------------------------------------
    OpSpec("ops.numpy.exp", unary(), np.exp, NUMERIC, grad=True, result_dtype=float_result),
    OpSpec("ops.numpy.log", unary(positive), np.log, NUMERIC, grad=True, result_dtype=float_result),
    OpSpec("ops.numpy.sqrt", unary(positive), np.sqrt, NUMERIC, grad=True, result_dtype=float_result),
    OpSpec("ops.numpy.tanh", unary(), np.tanh, NUMERIC, grad=True, result_dtype=float_result),
    OpSpec("ops.numpy.abs", unary(), np.abs, NUMERIC, grad=True),
    OpSpec("ops.numpy.negative", unary(), np.negative, SIGNED, grad=True,
           notes="unsigned integers left out: negation wraps modulo 2**bits (TF rejects it)"),
    OpSpec("ops.numpy.square", unary(bounded(11)), np.square, NUMERIC, grad=True,
           notes="integers folded into [-11, 11] so no square overflows int8/uint8"),
    # -- reductions ---------------------------------------------------------------
    OpSpec("ops.numpy.sum", with_axis(), np.sum, NUMERIC, grad=True, signed_zeros=False,
           result_dtype=sum_result, conditioning=reduction_of(np.sum)),
    OpSpec("ops.numpy.mean", with_axis(), oracle.mean, NUMERIC, grad=True, signed_zeros=False,
           result_dtype=float_result, conditioning=reduction_of(oracle.mean)),
    OpSpec("ops.numpy.max", with_axis(), np.max, NUMERIC, grad=True, conditioning=elementwise,
           signed_zeros=False, notes="the oracle raises on an empty reduction: adapters must raise "
                                     "too. The max of -0.0 and 0.0 may be either zero"),
    OpSpec("ops.numpy.min", with_axis(), np.min, NUMERIC, grad=True, conditioning=elementwise,
           signed_zeros=False, notes="the oracle raises on an empty reduction: adapters must raise "
                                     "too. The min of -0.0 and 0.0 may be either zero"),
    # -- linear algebra and shapes ------------------------------------------------
    OpSpec("ops.numpy.matmul", matmul_pair(bounded(7)), oracle.matmul, NUMERIC, grad=True,
           result_dtype=matmul_result, conditioning=matmul_conditioning, signed_zeros=False,
           notes="batch dimensions broadcast; 1-D operands as in numpy.matmul. Integers folded into "
                 "[-7, 7]: at most 5 terms of 49 cannot overflow uint8"),
    OpSpec("ops.numpy.reshape", reshape_args(), oracle.reshape, NUMERIC, grad=True),
    OpSpec("ops.numpy.transpose", transpose_args(), oracle.transpose, NUMERIC, grad=True),
    OpSpec("ops.numpy.where", where_args(), np.where, NUMERIC, grad=True, result_dtype=
           lambda dtypes, kwargs: dtypes[1],
           notes="bool condition; condition, x1 and x2 broadcast together"),
    OpSpec("ops.numpy.clip", clip_args(), oracle.clip, NUMERIC, grad=True, signed_zeros=False,
           notes="scalar bounds x_min <= x_max, integers for integer inputs; clipping -0.0 at a "
                 "bound of 0.0 may give either zero"),
]
