"""Specs of ``keras.ops.numpy`` statistics: median, quantile/percentile (and NaN-ignoring
variants), std/var (and NaN-ignoring), average, corrcoef, trapezoid, histogram, bincount.

Integer inputs give floatx results (int64 included), as Keras' compute_output_spec
and jax.numpy (Keras' dtype reference in its own tests) agree; corrcoef keeps int64
-> float64. Shared strategies and references: :mod:`conformance.families.reductions`.
"""

from __future__ import annotations

import numpy as np

from conformance import promotion
from conformance.families import reductions as fam
from conformance.spec import OpSpec
from conformance.strategies import INT_DTYPES, with_axis

NUMERIC = fam.NUMERIC
QUANTILE_NOTE = ("q a float or a list of up to 3, dyadic (exact in every dtype, so the lower/higher/"
                 "nearest choice is exact); axis an int, a tuple or None; method left out or each of "
                 "linear, lower, higher, midpoint, nearest; keepdims")

SPECS = [
    # -- order statistics ------------------------------------------------------------
    OpSpec("ops.numpy.median", with_axis(), fam.as_float(np.median), NUMERIC, grad=True,
           signed_zeros=False, result_dtype=promotion.floating, conditioning=fam.magnitude_of_slice),
    OpSpec("ops.numpy.nanmedian", fam.with_nans(with_axis()), fam.as_float(np.nanmedian), NUMERIC,
           grad=True, signed_zeros=False, result_dtype=promotion.floating,
           conditioning=fam.magnitude_of_slice,
           notes="NaNs at drawn positions; an all-NaN slice gives NaN (documented)"),
    OpSpec("ops.numpy.quantile", fam.quantile_args(), fam.quantile(np.quantile), NUMERIC, grad=True,
           signed_zeros=False, result_dtype=promotion.floating, conditioning=fam.magnitude_of_slice,
           notes=QUANTILE_NOTE),
    OpSpec("ops.numpy.percentile", fam.quantile_args(percent=True), fam.quantile(np.percentile), NUMERIC,
           grad=True, signed_zeros=False, result_dtype=promotion.floating,
           conditioning=fam.magnitude_of_slice, notes=QUANTILE_NOTE + "; q scaled to [0, 100]"),
    OpSpec("ops.numpy.nanquantile", fam.quantile_args(nans=True), fam.quantile(np.nanquantile), NUMERIC,
           grad=True, signed_zeros=False, result_dtype=promotion.floating,
           conditioning=fam.magnitude_of_slice, notes=QUANTILE_NOTE + "; NaNs at drawn positions"),
    OpSpec("ops.numpy.nanpercentile", fam.quantile_args(percent=True, nans=True),
           fam.quantile(np.nanpercentile), NUMERIC, grad=True, signed_zeros=False,
           result_dtype=promotion.floating, conditioning=fam.magnitude_of_slice,
           notes=QUANTILE_NOTE + "; q scaled to [0, 100]; NaNs at drawn positions"),
    # -- moments -----------------------------------------------------------------------
    OpSpec("ops.numpy.var", with_axis(), fam.as_float(np.var), NUMERIC, grad=True,
           result_dtype=promotion.floating, conditioning=fam.spread_of()),
    OpSpec("ops.numpy.std", fam.min_terms(with_axis()), fam.as_float(np.std), NUMERIC, grad=True,
           result_dtype=promotion.floating, conditioning=fam.spread_of(root=True),
           notes="a constant slice must give 0 up to the rounding of sqrt(var), not sqrt(eps)|x|; grad "
                 "mode reduces at least 2 numbers per slice (std of one is a sqrt kink at 0)"),
    OpSpec("ops.numpy.nanvar", fam.with_nans(with_axis()), fam.as_float(np.nanvar), NUMERIC, grad=True,
           result_dtype=promotion.floating, conditioning=fam.spread_of(nan=True),
           notes="NaNs at drawn positions"),
    OpSpec("ops.numpy.nanstd", fam.min_terms(fam.with_nans(with_axis())), fam.as_float(np.nanstd), NUMERIC,
           grad=True, result_dtype=promotion.floating, conditioning=fam.spread_of(nan=True, root=True),
           notes="NaNs at drawn positions; grad mode: at least 2 numbers per slice"),
    OpSpec("ops.numpy.average", fam.average_args(), fam.average, NUMERIC, grad=True, signed_zeros=False,
           result_dtype=fam.average_result, conditioning=fam.average_scale,
           notes="axis an int or None; weights left out, of x's shape, or 1-D along axis, passed as a "
                 "(nested) list of positive floats (a tensor argument would land in axis=: average's "
                 "second positional parameter), so they are float32 in result_type"),
    OpSpec("ops.numpy.corrcoef", fam.corrcoef_args(), fam.corrcoef, NUMERIC, grad=True,
           signed_zeros=False, result_dtype=fam.corrcoef_result, conditioning=fam.corrcoef_scale,
           notes="x of shape (N, D), N >= 2, as documented (1-D left out); a constant row gives NaN (0/0)"),
    OpSpec("ops.numpy.corrcoef", fam.corrcoef_args(one_row=True), fam.corrcoef, NUMERIC, grad=True,
           signed_zeros=False, result_dtype=fam.corrcoef_result, conditioning=fam.corrcoef_scale,
           name="ops.numpy.corrcoef.one_row",
           notes="N = 1: Keras documents shape (N, N) = (1, 1); NumPy squeezes it to a scalar"),
    OpSpec("ops.numpy.trapezoid", fam.trapezoid_args(), fam.trapezoid, NUMERIC, grad=True,
           signed_zeros=False, result_dtype=promotion.floating, conditioning=fam.trapezoid_scale,
           notes="dx left out or given (negative too); axis left out or given"),
    OpSpec("ops.numpy.trapezoid", fam.trapezoid_args(sample_points=True), fam.trapezoid, NUMERIC,
           grad=True, signed_zeros=False, result_dtype=promotion.of_args((0,), promotion.floating),
           mixed_args=(0,),
           conditioning=fam.trapezoid_scale, name="ops.numpy.trapezoid.sample_points",
           notes="x given: 1-D increasing sample points along axis, in y's dtype (the dtype check "
                 "mixes y only; Trapezoid.compute_output_spec: result_type(y, float), x's dtype not counted)"),
    # -- counting ------------------------------------------------------------------------
    OpSpec("ops.numpy.histogram", fam.histogram_args(), fam.histogram, NUMERIC, result_dtype=None,
           special=False, conditioning=fam.histogram_scale,
           notes="edges are judged relative to |lo| + |hi| (they are formed in the input's dtype); "
                 "x 1-D small integers placed so that no value is within rounding of an edge; bins "
                 "left out (10) or 1, 2, 4, 8; range left out or given. No dtype check: counts and "
                 "edges have different dtypes and a spec has one result dtype (values are judged at "
                 "the returned dtypes). No special check: NaN/inf make the data range undefined"),
    OpSpec("ops.numpy.bincount", fam.bincount_args(), fam.bincount, INT_DTYPES,
           result_dtype=promotion.fixed("int32"), compiled=False,
           notes="x 1-D non-negative; minlength left out or given. No compiled check: the output's "
                 "length is max(x) + 1, a value"),
    OpSpec("ops.numpy.bincount", fam.bincount_args(weighted=True), fam.bincount, NUMERIC,
           result_dtype=promotion.same, mixed_args=(1,), name="ops.numpy.bincount.weights", compiled=False,
           notes="no compiled check (the length is a value); weights of the case's dtype, x of a drawn integer dtype; result_type(x, weights). "
                 "sparse=True and 2-D x (undocumented) left out"),
]
