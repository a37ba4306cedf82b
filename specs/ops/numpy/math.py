"""Specs of ``keras.ops.numpy`` elementwise math functions of one argument.

Trigonometric and hyperbolic functions, exponentials and logarithms, rounding,
special functions (cbrt, sinc, i0), complex parts of real arrays, copy and
nan_to_num. Arithmetic, comparisons, logic and bitwise ops are in
:mod:`elementwise`; domains, strategies and rules in
:mod:`conformance.families.elementwise`.

Result dtypes follow Keras 3's ``compute_output_spec`` (keras/src/ops/numpy.py):
most functions give floatx for bool and integer inputs (``promotion.floating``);
cbrt, deg2rad, rad2deg and i0 give float64 for int64 (``floating_wide64``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from conformance import promotion
from conformance.families import elementwise as fam
from conformance.spec import OpSpec, ResultDtype
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, ArgsFactory, nonzero, positive, unary

NUMERIC = FLOAT_DTYPES + INT_DTYPES
ALL = NUMERIC + ("bool",)
F = promotion.floating
F64 = fam.floating_wide64
FLOAT_OF = fam.floating


def _floating(api: str, reference: Callable[..., Any], args: ArgsFactory | None = None, grad: bool = True,
              result_dtype: ResultDtype = F, notes: str = "") -> OpSpec:
    """A function with a floating result for every input dtype, bool included."""
    return OpSpec(api, args or unary(), reference, ALL, result_dtype=result_dtype, grad=grad, notes=notes)


SPECS = [
    # -- trigonometric and hyperbolic ------------------------------------------------
    _floating("ops.numpy.sin", FLOAT_OF(np.sin)),
    _floating("ops.numpy.cos", FLOAT_OF(np.cos)),
    _floating("ops.numpy.tan", FLOAT_OF(np.tan)),
    _floating("ops.numpy.arcsin", FLOAT_OF(np.arcsin), fam.unary_in(fam.unit_interval, fam.inner_interval),
              notes="inputs in [-1, 1] (±1 included); gradients in [-0.9, 0.9], away from the infinite "
                    "slopes at ±1"),
    _floating("ops.numpy.arccos", FLOAT_OF(np.arccos), fam.unary_in(fam.unit_interval, fam.inner_interval),
              notes="inputs in [-1, 1] (±1 included); gradients in [-0.9, 0.9]"),
    _floating("ops.numpy.arctan", FLOAT_OF(np.arctan)),
    _floating("ops.numpy.arctanh", FLOAT_OF(np.arctanh), fam.unary_in(fam.unit_interval, fam.inner_interval),
              notes="inputs in [-1, 1]: ±1 give ±inf; gradients in [-0.9, 0.9]"),
    _floating("ops.numpy.sinh", FLOAT_OF(np.sinh)),
    _floating("ops.numpy.cosh", FLOAT_OF(np.cosh)),
    _floating("ops.numpy.arcsinh", FLOAT_OF(np.arcsinh)),
    _floating("ops.numpy.arccosh", FLOAT_OF(np.arccosh), fam.unary_in(fam.at_least_one, fam.above_one),
              notes="inputs >= 1 (1 included); gradients at >= 1.1, away from the infinite slope at 1"),
    _floating("ops.numpy.deg2rad", FLOAT_OF(np.deg2rad), result_dtype=F64,
              notes="int64 gives float64 (Keras' Deg2rad.compute_output_spec)"),
    _floating("ops.numpy.rad2deg", FLOAT_OF(np.rad2deg), result_dtype=F64,
              notes="int64 gives float64 (Keras' Rad2deg.compute_output_spec)"),
    _floating("ops.numpy.sinc", FLOAT_OF(np.sinc), notes="normalised: sin(pi x) / (pi x), 1 at 0"),
    # -- exponentials and logarithms -----------------------------------------------------
    _floating("ops.numpy.exp2", FLOAT_OF(np.exp2)),
    _floating("ops.numpy.expm1", FLOAT_OF(np.expm1)),
    _floating("ops.numpy.log2", FLOAT_OF(np.log2), unary(positive), notes="inputs > 0 outside special mode"),
    _floating("ops.numpy.log10", FLOAT_OF(np.log10), unary(positive), notes="inputs > 0 outside special mode"),
    _floating("ops.numpy.log1p", FLOAT_OF(np.log1p), fam.unary_in(fam.above_minus_one, fam.above_minus_half),
              notes="inputs >= -1 (-1 gives -inf); gradients at > -0.5"),
    # -- powers, roots, special functions ------------------------------------------
    _floating("ops.numpy.cbrt", FLOAT_OF(np.cbrt), result_dtype=F64,
              notes="int64 gives float64 (Keras' Cbrt.compute_output_spec)"),
    _floating("ops.numpy.reciprocal", FLOAT_OF(np.reciprocal), unary(nonzero),
              notes="nonzero inputs outside special mode; integer inputs give floatx (1/x, the "
                    "promotion of every other division)"),
    _floating("ops.numpy.i0", fam.i0, result_dtype=F64,
              notes="modified Bessel function of the first kind, order 0; int64 gives float64 (Keras' "
                    "I0.compute_output_spec)"),
    # -- absolute values, signs, rounding --------------------------------------------
    OpSpec("ops.numpy.absolute", unary(), np.abs, NUMERIC, grad=True,
           notes="bool left out as for ops.numpy.abs"),
    _floating("ops.numpy.fabs", FLOAT_OF(np.fabs),
              notes="integers and bool give floatx (Keras' Fabs.compute_output_spec)"),
    OpSpec("ops.numpy.sign", unary(), np.sign, NUMERIC, signed_zeros=False,
           notes="sign(-0.0) may be either zero; bool left out (JAX, TF and NumPy reject it)"),
    _floating("ops.numpy.ceil", FLOAT_OF(np.ceil), grad=False,
              notes="integers and bool give floatx (Keras' Ceil.compute_output_spec); no gradient "
                    "check: piecewise constant"),
    _floating("ops.numpy.floor", FLOAT_OF(np.floor), grad=False,
              notes="integers and bool give floatx (Keras' Floor.compute_output_spec); no gradient "
                    "check: piecewise constant"),
    OpSpec("ops.numpy.trunc", unary(), np.trunc, ALL,
           notes="same dtype, integers and bool included; no gradient check: piecewise constant"),
    OpSpec("ops.numpy.round", fam.round_args(), fam.round_reference, NUMERIC,
           notes="decimals left out or in [-2, 3] (integers: [-1, 2]); half to even; values within "
                 "0.02 of a tie after scaling by 10**decimals moved off it (see round_args); bool "
                 "left out (JAX, TF and torch reject it)"),
    # -- complex parts of real arrays, copy --------------------------------------------
    _floating("ops.numpy.angle", fam.angle, grad=False,
              notes="real inputs: 0 for x >= +0.0, pi for x < 0 and for -0.0 (arctan2(0, x)), as NumPy; "
                    "integers and bool give floatx; no gradient check: piecewise constant"),
    OpSpec("ops.numpy.real", unary(), np.real, ALL, grad=True, notes="real inputs: the input itself"),
    OpSpec("ops.numpy.imag", unary(), fam.imag, ALL,
           notes="real inputs: zeros of the input's dtype (+0.0)"),
    OpSpec("ops.numpy.conj", unary(), np.conjugate, ALL, grad=True, notes="real inputs: the input itself"),
    OpSpec("ops.numpy.conjugate", unary(), np.conjugate, ALL, grad=True,
           notes="real inputs: the input itself"),
    OpSpec("ops.numpy.copy", unary(), np.copy, ALL, grad=True),
    # -- nan_to_num ---------------------------------------------------------------
    OpSpec("ops.numpy.nan_to_num", fam.nan_to_num_args(defaults=False), fam.nan_to_num_reference(), ALL,
           notes="posinf and neginf given (values exact in every float dtype), nan left out or "
                 "given; integers and bool are returned unchanged"),
    *(OpSpec("ops.numpy.nan_to_num", fam.nan_to_num_args(defaults=True), fam.nan_to_num_reference(d), (d,),
             name=f"ops.numpy.nan_to_num.default_inf_{d}",
             notes=f"posinf and neginf left out: ±inf become {d}'s largest and lowest finite values "
                   "(a spec per dtype: the float64 reference knows the dtype only this way)")
      for d in FLOAT_DTYPES),
]
