"""Specs of ``keras.ops.numpy`` linear algebra: matmul, dot, inner, vdot, outer, kron,
tensordot, cross, correlate and vander.

Result dtypes follow Keras 3's rules (:mod:`conformance.promotion`). References
contract with einsum so that every product is formed (NaN * 0 stays NaN);
tolerances scale with the same contraction on |x1|, |x2| times sqrt(terms)
(:func:`conformance.tolerance.products_of`). Integers are folded small so no
sum of products can overflow the narrowest dtype.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from conformance import oracle, promotion
from conformance.families import shapes as fam
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, bounded, matmul_pair
from conformance.tolerance import products_of

NUMERIC = FLOAT_DTYPES + INT_DTYPES
SIGNED = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if not d.startswith("u"))


def matmul_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """Promoted; int8 @ int8 accumulates into int32."""
    out = promotion.result_type(*dtypes)
    return "int32" if out == "int8" else out


def correlate_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """Keras' correlate computes in floats: promoted; int64 -> float64, other ints and bool -> float32."""
    out = promotion.result_type(*dtypes)
    if out == "int64":
        return "float64"
    return out if promotion.is_floating(out) else "float32"


DOT_SCALE = products_of(fam.dot, fam.terms_of("dot"))
VDOT_SCALE = products_of(fam.vdot, fam.terms_of("vdot"))
CORRELATE_SCALE = products_of(fam.correlate, fam.terms_of("correlate"))
CORRELATE_NOTES = ("1-D operands; mode valid/same/full left out or given. Integers folded into [-3, 3]; "
                   "Keras computes in floats (its backends cast: int64 -> float64, else float32). No special "
                   "check: where a NaN or inf lands under a zero-padded window depends on the algorithm "
                   "(FFT or direct), which numpy does not specify.")
matmul_conditioning = products_of(oracle.matmul, oracle.matmul_terms)
SMALL = bounded(3)  # at most 8 terms of 9: below int8's 127

SPECS = [
    OpSpec("ops.numpy.matmul", matmul_pair(bounded(7)), oracle.matmul, NUMERIC, grad=True,
           result_dtype=matmul_result, conditioning=matmul_conditioning, signed_zeros=False,
           notes="batch dimensions broadcast; 1-D operands as in numpy.matmul. Integers folded into "
                 "[-7, 7]: at most 5 terms of 49 cannot overflow uint8"),
    OpSpec("ops.numpy.dot", fam.two_arrays(fam.dot_shapes("matrix"), SMALL), fam.dot, NUMERIC, grad=True,
           conditioning=DOT_SCALE, signed_zeros=False,
           notes="1-D . 1-D, N-D . 1-D and N-D . 2-D. Integers folded into [-3, 3]"),
    OpSpec("ops.numpy.dot", fam.two_arrays(fam.dot_shapes("nd"), SMALL), fam.dot, NUMERIC, grad=True,
           conditioning=DOT_SCALE, signed_zeros=False, name="ops.numpy.dot.nd",
           notes="N-D . M-D with M >= 3: a sum over the last axis of x1 and the second-to-last of x2, "
                 "result shape x1.shape[:-1] + x2.shape[:-2] + x2.shape[-1:] (Keras' docstring)"),
    OpSpec("ops.numpy.dot", fam.two_arrays(fam.dot_shapes("scalar"), SMALL), fam.dot, NUMERIC, grad=True,
           signed_zeros=False, name="ops.numpy.dot.scalar",
           notes="a 0-d operand: x1 * x2 (Keras documents that torch does not accept 0-d operands)"),
    OpSpec("ops.numpy.inner", fam.two_arrays(fam.inner_shapes, SMALL), fam.inner, NUMERIC, grad=True,
           conditioning=products_of(fam.inner, fam.terms_of("inner")), signed_zeros=False,
           notes="contracts the last axes; a 0-d operand multiplies. Integers folded into [-3, 3]"),
    OpSpec("ops.numpy.vdot", fam.two_arrays(fam.vdot_shapes(False), SMALL), fam.vdot, NUMERIC, grad=True,
           conditioning=VDOT_SCALE, signed_zeros=False,
           notes="two vectors of one length. Integers folded into [-3, 3]"),
    OpSpec("ops.numpy.vdot", fam.two_arrays(fam.vdot_shapes(True), SMALL), fam.vdot, NUMERIC, grad=True,
           conditioning=VDOT_SCALE, signed_zeros=False, name="ops.numpy.vdot.flattened",
           notes="arrays of rank 2-3 (shapes may differ, sizes equal), flattened as Keras documents"),
    OpSpec("ops.numpy.outer", fam.two_arrays(fam.any_two_shapes(), SMALL), fam.outer, NUMERIC, grad=True,
           notes="both operands flattened; integers folded into [-3, 3]"),
    OpSpec("ops.numpy.kron", fam.two_arrays(fam.any_two_shapes(3, 3), SMALL), np.kron, NUMERIC, grad=True,
           notes="operands of equal or different ranks; integers folded into [-3, 3]"),
    OpSpec("ops.numpy.tensordot", fam.two_arrays(fam.tensordot_shapes, SMALL), fam.tensordot, NUMERIC,
           grad=True, conditioning=products_of(fam.tensordot, fam.terms_of("tensordot")), signed_zeros=False,
           notes="axes an int in [0, 2] (left out: 2) or a pair of axis lists (or of single ints) in any "
                 "order. Integers folded into [-3, 3]"),
    OpSpec("ops.numpy.cross", fam.two_arrays(fam.cross_shapes(False), SMALL), fam.cross, SIGNED, grad=True,
           conditioning=fam.cross_scale, signed_zeros=False,
           notes="3-vectors (Keras: torch does not support 2-vectors) on the last axis or on axis= "
                 "(negative too); other axes broadcast between operands of equal rank (rank broadcasting is left "
                 "out: torch's linalg.cross requires equal ranks). Integers folded into [-3, 3]; unsigned ints left "
                 "out (the differences wrap)"),
    OpSpec("ops.numpy.cross", fam.two_arrays(fam.cross_shapes(True), SMALL), fam.cross, SIGNED, grad=True,
           conditioning=fam.cross_scale, signed_zeros=False, name="ops.numpy.cross.axisabc",
           notes="axisa, axisb and axisc given separately (Keras documents that torch does not support them)"),
    OpSpec("ops.numpy.correlate", fam.two_arrays(fam.correlate_shapes(False), SMALL), fam.correlate,
           NUMERIC, grad=True, result_dtype=correlate_result, conditioning=CORRELATE_SCALE, signed_zeros=False,
           special=False, notes=CORRELATE_NOTES + " x1 at least as long as x2"),
    OpSpec("ops.numpy.correlate", fam.two_arrays(fam.correlate_shapes(True), SMALL), fam.correlate,
           NUMERIC, grad=True, result_dtype=correlate_result, conditioning=CORRELATE_SCALE, signed_zeros=False,
           special=False, name="ops.numpy.correlate.shorter_first",
           notes=CORRELATE_NOTES + " x1 shorter than x2 (Keras documents lengths M and N in any order; "
                                   "numpy then swaps and reverses)"),
    OpSpec("ops.numpy.vander", fam.array_and(fam.vander_kw, max_dims=1, zero_d=False, domain=bounded(2)),
           fam.vander, NUMERIC, grad=True, conditioning=fam.vander_scale, signed_zeros=False,
           notes="1-D input; N in [0, 5] and increasing, each left out or given. Integers folded into "
                 "[-2, 2]: 2**5 fits int8"),
]
