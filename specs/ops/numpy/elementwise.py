"""Specs of ``keras.ops.numpy`` elementwise functions: arithmetic, comparisons, logic, bitwise.

Also the two-argument math functions (arctan2, hypot, logaddexp, power, ldexp…)
and the predicates (isnan, signbit…). One-argument math functions (sin, log2,
round…) are in :mod:`math`; shared domains, strategies and references in
:mod:`conformance.families.elementwise`.

Result dtypes follow Keras 3's promotion rules (:mod:`conformance.promotion`).
Integer inputs are drawn small (signed in [-10, 10], unsigned in [0, 20]);
ops whose integer results could wrap are fed values folded so they cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from conformance import oracle, promotion
from conformance.families import elementwise as fam
from conformance.spec import OpSpec
from conformance.strategies import (
    FLOAT_DTYPES,
    INT_DTYPES,
    binary,
    bounded,
    clip_args,
    nonzero,
    positive,
    unary,
    where_args,
)
from conformance.tolerance import Tolerance

NUMERIC = FLOAT_DTYPES + INT_DTYPES
SIGNED = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if not d.startswith("u"))
ALL = NUMERIC + ("bool",)
INT_BOOL = INT_DTYPES + ("bool",)
SIGNED_INT_BOOL = tuple(d for d in INT_DTYPES if not d.startswith("u")) + ("bool",)
BOOL = promotion.fixed("bool")
FLOAT_OF = fam.floating
EXACT = {d: Tolerance(atol=0.0, rtol=0.0) for d in FLOAT_DTYPES}


def _compare(api: str, reference: Callable[..., Any]) -> OpSpec:
    return OpSpec(api, binary(), reference, ALL, result_dtype=BOOL)


def _predicate(api: str, reference: Callable[..., Any], notes: str = "") -> OpSpec:
    return OpSpec(api, unary(), FLOAT_OF(reference), ALL, result_dtype=BOOL, notes=notes)


def _bitwise(api: str, reference: Callable[..., Any]) -> OpSpec:
    return OpSpec(api, binary(), reference, INT_BOOL, notes="integers and bool")


def _shift(api: str, reference: Callable[..., Any], left: bool) -> OpSpec:
    return OpSpec(api, fam.shift_args(left), reference, INT_DTYPES,
                  notes="integers only (bool: JAX gives int32, NumPy int8, TF and torch raise); counts of "
                        "the operand's dtype in [0, bits) - shifting by bits or more is undefined in C "
                        "and differs between backends" + ("; counts at most bits - 5 so no drawn value "
                                                          "(|x| < 32) overflows" if left else ""))

SPECS = [
    # -- elementwise, binary ----------------------------------------------------
    OpSpec("ops.numpy.add", binary(), np.add, NUMERIC, grad=True),
    OpSpec("ops.numpy.subtract", binary(), np.subtract, SIGNED, grad=True,
           notes="unsigned integers left out: their differences wrap modulo 2**bits, which the "
                 "int64 oracle does not model"),
    OpSpec("ops.numpy.multiply", binary(bounded(11)), np.multiply, NUMERIC, grad=True,
           notes="integers folded into [-11, 11] so no product overflows int8/uint8"),
    OpSpec("ops.numpy.divide", binary(rhs_domain=nonzero), np.divide, NUMERIC, grad=True,
           result_dtype=promotion.floating,
           notes="integer / integer gives float32 (keras.backend.result_type(int, int, float)), int64 "
                 "included; the divisor is drawn nonzero outside special mode"),
    OpSpec("ops.numpy.maximum", binary(), np.maximum, NUMERIC, grad=True, signed_zeros=False,
           notes="maximum(-0.0, 0.0) may be either zero"),
    # -- arithmetic, binary (more) ---------------------------------------------------
    OpSpec("ops.numpy.minimum", binary(), np.minimum, ALL, grad=True, signed_zeros=False,
           notes="minimum(-0.0, 0.0) may be either zero; bool included (logical and)"),
    OpSpec("ops.numpy.fmax", binary(), np.fmax, ALL, grad=True, signed_zeros=False,
           notes="NaN-ignoring maximum: fmax(NaN, x) = x; the max of -0.0 and 0.0 may be either zero"),
    OpSpec("ops.numpy.fmin", binary(), np.fmin, ALL, grad=True, signed_zeros=False,
           notes="NaN-ignoring minimum: fmin(NaN, x) = x; the min of -0.0 and 0.0 may be either zero"),
    OpSpec("ops.numpy.true_divide", binary(rhs_domain=nonzero), FLOAT_OF(np.true_divide), NUMERIC, grad=True,
           result_dtype=promotion.floating,
           notes="as ops.numpy.divide: integers give floatx; the divisor is drawn nonzero outside special mode"),
    OpSpec("ops.numpy.divide_no_nan", fam.pair_with_zeros(), fam.divide_no_nan, NUMERIC, grad=True,
           result_dtype=promotion.floating,
           notes="0 wherever the divisor is 0, NaN and inf dividends included (tf.math.divide_no_nan); "
                 "a quarter of the divisors are drawn 0 outside grad mode"),
    OpSpec("ops.numpy.floor_divide", binary(rhs_domain=nonzero), np.floor_divide, NUMERIC, mixed_args=(0,),
           signed_zeros=False,
           notes="the dtype check mixes x1's dtype only (the divisor keeps its nonzero values); a zero "
                 "quotient may carry either sign (NumPy gives +0.0 for -0.27 // -2, JAX -0.0); floor of the exact quotient (x1 - fmod(x1, x2)) / x2 (NumPy); nonzero divisors outside "
                 "special mode (integer division by zero is undefined); bool left out (JAX gives "
                 "int32, NumPy int8, TF and torch raise)"),
    OpSpec("ops.numpy.mod", binary(rhs_domain=nonzero), np.mod, NUMERIC, grad=True, grad_wrt=(0,),
           mixed_args=(0,), signed_zeros=False,
           notes="the sign of the divisor (Python's %), but a zero remainder may carry either sign (NumPy "
                 "copies the divisor's, every backend gives +0.0); gradient in x1 only (in x2 it jumps "
                 "wherever x1 / x2 crosses an integer); the dtype check mixes x1's dtype only; nonzero divisors outside special mode; bool left "
                 "out (a bool divisor can be False)"),
    OpSpec("ops.numpy.fmod", binary(rhs_domain=nonzero), np.fmod, NUMERIC, grad=True, grad_wrt=(0,),
           mixed_args=(0,),
           notes="the sign of the dividend (C's fmod); gradient in x1 only; the dtype check mixes x1's "
                 "dtype only; nonzero divisors outside special mode; bool left "
                 "out (a bool divisor can be False)"),
    OpSpec("ops.numpy.power", fam.by_mode(binary(fam.small_base, fam.small_exponent),
                                          binary(fam.positive_base)), np.power, NUMERIC, grad=True,
           notes="integers: bases in [-3, 3], exponents in [0, 4] (no negative integer powers, no "
                 "overflow); floats: any signs (a negative base with a fractional exponent is NaN); "
                 "gradients with positive bases; bool left out (TF and torch raise)"),
    OpSpec("ops.numpy.arctan2", binary(), FLOAT_OF(np.arctan2), ALL, grad=True, result_dtype=promotion.floating,
           notes="signed zeros decide the quadrant: arctan2(±0, -0.0) = ±pi"),
    OpSpec("ops.numpy.hypot", binary(), FLOAT_OF(np.hypot), NUMERIC, grad=True, result_dtype=fam.floating_wide64,
           notes="int64 gives float64 (Keras' Hypot.compute_output_spec); bool left out: Keras' rule keeps "
                 "bool, JAX gives float32, TF and torch raise"),
    OpSpec("ops.numpy.logaddexp", binary(), FLOAT_OF(np.logaddexp), ALL, grad=True,
           result_dtype=promotion.floating),
    OpSpec("ops.numpy.logaddexp2", binary(), fam.logaddexp2, ALL, grad=True, result_dtype=promotion.floating),
    OpSpec("ops.numpy.heaviside", binary(), fam.heaviside, NUMERIC, result_dtype=fam.floating_wide64,
           notes="0 for x1 < 0, x2 for x1 == 0, 1 for x1 > 0; int64 gives float64 (Keras' "
                 "Heaviside.compute_output_spec); bool left out: Keras' rule keeps bool, JAX gives "
                 "float32, TF raises"),
    OpSpec("ops.numpy.ldexp", fam.ldexp_args(), fam.ldexp, NUMERIC, grad=True, grad_wrt=(0,),
           mixed_args=(0,), result_dtype=promotion.floating,
           notes="x1 * 2**x2: x2 integer exponents in [-10, 10] of a drawn signed integer dtype (every "
                 "backend rejects float exponents); the dtype check mixes x1's dtype only"),
    OpSpec("ops.numpy.nextafter", binary(), np.nextafter, ("float64",), result_dtype=promotion.floating,
           tolerance=EXACT,
           notes="float64 only, judged exactly: the next float after x1 towards x2 depends on the dtype, "
                 "and the float64 reference cannot know a float32 or float16 case's dtype (an engine "
                 "change: hand the drawn dtype to references)"),
    OpSpec("ops.numpy.gcd", binary(), np.gcd, INT_DTYPES, notes="integers only; gcd(0, 0) = 0, never negative"),
    OpSpec("ops.numpy.lcm", binary(bounded(15)), np.lcm, INT_DTYPES,
           notes="integers only, folded into [-15, 15] so no lcm overflows int8/uint8; never negative"),
    # -- comparisons --------------------------------------------------------------------
    _compare("ops.numpy.equal", np.equal),
    _compare("ops.numpy.not_equal", np.not_equal),
    _compare("ops.numpy.greater", np.greater),
    _compare("ops.numpy.greater_equal", np.greater_equal),
    _compare("ops.numpy.less", np.less),
    _compare("ops.numpy.less_equal", np.less_equal),
    OpSpec("ops.numpy.isclose", fam.isclose_args(), FLOAT_OF(np.isclose), ALL, result_dtype=BOOL,
           notes="|x1 - x2| <= atol + rtol * |x2| (NumPy's asymmetric test); rtol, atol and equal_nan each "
                 "left out or given; x2 equal to x1, inside or outside the tolerance, or independent; "
                 "pairs within a factor 2 of the border made equal (see isclose_args)"),
    OpSpec("ops.numpy.isin", fam.isin_args(), fam.isin_reference, ALL, result_dtype=BOOL,
           mixed_args=(),
           notes="x1 and x2 of any shapes, half of x2 drawn from x1; assume_unique=True only on 1-D "
                 "operands free of repeats; invert left out or given. NaN is in no array"),
    # -- logic ----------------------------------------------------------------------------
    OpSpec("ops.numpy.logical_and", binary(), np.logical_and, ALL, result_dtype=BOOL,
           notes="nonzero (NaN included) is true"),
    OpSpec("ops.numpy.logical_or", binary(), np.logical_or, ALL, result_dtype=BOOL),
    OpSpec("ops.numpy.logical_xor", binary(), np.logical_xor, ALL, result_dtype=BOOL),
    OpSpec("ops.numpy.logical_not", unary(), np.logical_not, ALL, result_dtype=BOOL),
    # -- predicates -------------------------------------------------------------------------
    _predicate("ops.numpy.isfinite", np.isfinite),
    _predicate("ops.numpy.isinf", np.isinf),
    _predicate("ops.numpy.isnan", np.isnan),
    _predicate("ops.numpy.isneginf", np.isneginf),
    _predicate("ops.numpy.isposinf", np.isposinf),
    _predicate("ops.numpy.isreal", np.isreal, notes="real inputs: true everywhere, NaN included"),
    _predicate("ops.numpy.signbit", np.signbit, notes="true for -0.0 and negative numbers"),
    # -- bitwise ----------------------------------------------------------------------------
    _bitwise("ops.numpy.bitwise_and", np.bitwise_and),
    _bitwise("ops.numpy.bitwise_or", np.bitwise_or),
    _bitwise("ops.numpy.bitwise_xor", np.bitwise_xor),
    OpSpec("ops.numpy.bitwise_invert", unary(), np.invert, SIGNED_INT_BOOL,
           notes="signed integers and bool (~True = False); unsigned left out: ~x wraps modulo 2**bits, "
                 "which the int64 reference cannot know"),
    OpSpec("ops.numpy.bitwise_not", unary(), np.invert, SIGNED_INT_BOOL,
           notes="as bitwise_invert; unsigned left out"),
    _shift("ops.numpy.bitwise_left_shift", np.left_shift, left=True),
    _shift("ops.numpy.left_shift", np.left_shift, left=True),
    _shift("ops.numpy.bitwise_right_shift", np.right_shift, left=False),
    _shift("ops.numpy.right_shift", np.right_shift, left=False),
    # -- elementwise, unary -----------------------------------------------------
    OpSpec("ops.numpy.exp", unary(), np.exp, NUMERIC, grad=True, result_dtype=promotion.floating),
    OpSpec("ops.numpy.log", unary(positive), np.log, NUMERIC, grad=True, result_dtype=promotion.floating),
    OpSpec("ops.numpy.sqrt", unary(positive), np.sqrt, NUMERIC, grad=True, result_dtype=promotion.floating),
    OpSpec("ops.numpy.tanh", unary(), np.tanh, NUMERIC, grad=True, result_dtype=promotion.floating),
    OpSpec("ops.numpy.abs", unary(), np.abs, NUMERIC, grad=True),
    OpSpec("ops.numpy.negative", unary(), np.negative, SIGNED, grad=True,
           notes="unsigned integers left out: negation wraps modulo 2**bits (TF rejects it)"),
    OpSpec("ops.numpy.square", unary(bounded(11)), np.square, NUMERIC, grad=True,
           notes="integers folded into [-11, 11] so no square overflows int8/uint8"),
    # -- selection ------------------------------------------------------------------
    OpSpec("ops.numpy.where", where_args(), np.where, NUMERIC, grad=True, result_dtype=promotion.of_args((1, 2)),
           notes="bool condition; condition, x1 and x2 broadcast together"),
    OpSpec("ops.numpy.clip", clip_args(), oracle.clip, NUMERIC, grad=True, signed_zeros=False,
           mixed_args=(),  # the bounds are scalars of the drawn dtype
           notes="scalar bounds x_min <= x_max, integers for integer inputs; clipping -0.0 at a "
                 "bound of 0.0 may give either zero"),
]
