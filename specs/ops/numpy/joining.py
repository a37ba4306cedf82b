"""Specs of ``keras.ops.numpy`` ops that take lists of arrays or a subscripts string.

concatenate, stack, hstack, vstack, dstack (a list ``xs``), select (two lists)
and einsum (subscripts before the operands). The arrays travel flat with a
calling convention (``_pack``/``_leading``, see ``OpSpec.prepare`` and
``adapters/_common.positional``); references: :mod:`conformance.families.joining`.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance import promotion
from conformance.families import joining
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES


def einsum_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """Promoted; int8 operands accumulate into int32 (as matmul)."""
    out = promotion.result_type(*dtypes)
    return "int32" if out == "int8" else out


ALL = FLOAT_DTYPES + INT_DTYPES + ("bool",)
NUMERIC = FLOAT_DTYPES + INT_DTYPES

SPECS = [
    OpSpec("ops.numpy.concatenate", joining.concatenate_args(), joining.concatenate, ALL,
           grad=True, notes="1-4 arrays; axis given (negative too) or None (flattened)"),
    OpSpec("ops.numpy.stack", joining.same_shape_args(with_axis=True), joining.stack, ALL,
           grad=True, notes="1-4 arrays of one shape; axis in [-ndim-1, ndim]"),
    OpSpec("ops.numpy.hstack", joining.same_shape_args(with_axis=False), joining.hstack, ALL,
           grad=True),
    OpSpec("ops.numpy.vstack", joining.same_shape_args(with_axis=False), joining.vstack, ALL,
           grad=True),
    OpSpec("ops.numpy.dstack", joining.same_shape_args(with_axis=False), joining.dstack, ALL,
           grad=True),
    OpSpec("ops.numpy.select", joining.select_args(), joining.select, NUMERIC, grad=True,
           grad_wrt=None, result_dtype=lambda dtypes, kwargs: promotion.result_type(
               *dtypes[len(dtypes) // 2:]),
           mixed_args=(), notes="n bool conditions, n choices, default given or left out; the "
                                "first true condition wins"),
    OpSpec("ops.numpy.einsum", joining.einsum_args(), joining.einsum, NUMERIC, grad=True,
           conditioning=joining.einsum_scale, signed_zeros=False, result_dtype=einsum_result,
           notes="matmul, transpose, diagonal, trace, dot, outer, batched and ellipsis patterns; "
                 "integers folded into [-5, 5] so no sum of products overflows int8"),
]
