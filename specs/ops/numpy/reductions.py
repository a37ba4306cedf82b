"""Specs of ``keras.ops.numpy`` reductions and cumulative ops: sum, mean, max, min, prod,
all/any, amax/amin, count_nonzero, ptp, allclose, cumsum/cumprod and the NaN-ignoring variants.

Result dtypes follow Keras 3's rules (:mod:`conformance.promotion`, and the
widening rules of :mod:`conformance.families.reductions`); ``sum`` widens small
integers as Keras documents. Statistics (median, quantiles, var…) are in
``statistics.py``; sorting, arg-reductions and searches in ``sorting.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from conformance import oracle, promotion
from conformance.families import reductions as fam
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, with_axis
from conformance.tolerance import elementwise, reduction_of

NUMERIC = FLOAT_DTYPES + INT_DTYPES
ALL = fam.ALL


def sum_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """``keras.ops.sum`` widens small integers: int8/int16 -> int32, uint8/uint16 -> uint32."""
    return {"int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}.get(
        dtypes[0], dtypes[0])


NAN_NOTE = ("NaNs are placed at drawn positions (a reduced slice keeps a number outside special "
            "mode); the gradient at a NaN is 0, as the NaN-ignoring reference's differences give")

SPECS = [
    # -- reductions ---------------------------------------------------------------
    OpSpec("ops.numpy.sum", with_axis(), np.sum, NUMERIC, grad=True, signed_zeros=False,
           result_dtype=sum_result, conditioning=reduction_of(np.sum)),
    OpSpec("ops.numpy.mean", with_axis(), oracle.mean, NUMERIC, grad=True, signed_zeros=False,
           result_dtype=promotion.floating, conditioning=reduction_of(oracle.mean)),
    OpSpec("ops.numpy.max", with_axis(), np.max, NUMERIC, grad=True, conditioning=elementwise,
           signed_zeros=False, notes="the oracle raises on an empty reduction: adapters must raise "
                                     "too. The max of -0.0 and 0.0 may be either zero"),
    OpSpec("ops.numpy.min", with_axis(), np.min, NUMERIC, grad=True, conditioning=elementwise,
           signed_zeros=False, notes="the oracle raises on an empty reduction: adapters must raise "
                                     "too. The min of -0.0 and 0.0 may be either zero"),
    OpSpec("ops.numpy.amax", with_axis(), fam.reduce_axis(np.amax), ALL, grad=True, signed_zeros=False,
           notes="as max; bool included (the max of bools is any)"),
    OpSpec("ops.numpy.amin", with_axis(), fam.reduce_axis(np.amin), ALL, grad=True, signed_zeros=False,
           notes="as min; bool included (the min of bools is all)"),
    OpSpec("ops.numpy.all", with_axis(), np.all, ALL, result_dtype=promotion.fixed("bool"),
           notes="NaN is truthy, -0.0 falsy"),
    OpSpec("ops.numpy.any", with_axis(), np.any, ALL, result_dtype=promotion.fixed("bool")),
    OpSpec("ops.numpy.count_nonzero", fam.axis_only(allow_tuple=True), np.count_nonzero,
           ALL, result_dtype=promotion.fixed("int32"), notes="axis an int, a tuple or None; no keepdims"),
    OpSpec("ops.numpy.prod", with_axis(domain=fam.near_one), fam.reduce_axis(np.prod), ALL, grad=True,
           signed_zeros=False, result_dtype=fam.widened, conditioning=reduction_of(np.prod),
           notes="factors near ±1 (floats |x| in [0.9, 1.1], integers in {-1, 0, 1}) so no product "
                 "over- or underflows; dtype= left out"),
    OpSpec("ops.numpy.ptp", with_axis(), fam.reduce_axis(np.ptp), NUMERIC, grad=True,
           conditioning=fam.magnitude_of_slice,
           notes="bool left out (Keras' own tests skip it: max - min of bools is undefined); integers "
                 "drawn small so max - min cannot wrap"),
    OpSpec("ops.numpy.allclose", fam.allclose_args(), fam.allclose, NUMERIC,
           result_dtype=promotion.fixed("bool"),
           notes="x2 is x1 moved by 0, 0.01 or 100 times atol + rtol * |x2| (never near the boundary, "
                 "so the input dtype's rounding cannot decide); rtol, atol, equal_nan left out or given"),
    # -- cumulative ------------------------------------------------------------------
    OpSpec("ops.numpy.cumsum", fam.axis_only(domain=fam.sparse_ones), fam.cumulative(np.cumsum), ALL,
           grad=True, signed_zeros=False, result_dtype=fam.cumulative_result,
           conditioning=fam.cumulative_scale("sum"),
           notes="axis an int or None (flattened); dtype= left out. Integer terms are sparse ±1 so no "
                 "running sum wraps in int8/uint8"),
    OpSpec("ops.numpy.cumprod", fam.axis_only(domain=fam.near_one), fam.cumulative(np.cumprod), ALL,
           grad=True, signed_zeros=False, result_dtype=fam.cumulative_result,
           conditioning=fam.cumulative_scale("prod"),
           notes="factors near ±1 as for prod; axis an int or None; dtype= left out"),
    # -- NaN-ignoring ----------------------------------------------------------------
    OpSpec("ops.numpy.nansum", fam.with_nans(with_axis()), fam.reduce_axis(np.nansum), ALL, grad=True,
           signed_zeros=False, result_dtype=fam.widened, conditioning=reduction_of(np.nansum),
           notes=NAN_NOTE),
    OpSpec("ops.numpy.nanmean", fam.with_nans(with_axis()), fam.as_float(np.nanmean), NUMERIC, grad=True,
           signed_zeros=False, result_dtype=promotion.floating,
           conditioning=reduction_of(fam.as_float(np.nanmean)), notes=NAN_NOTE),
    OpSpec("ops.numpy.nanmax", fam.with_nans(with_axis()), fam.reduce_axis(np.nanmax), NUMERIC, grad=True,
           signed_zeros=False, notes=NAN_NOTE + "; an all-NaN slice gives NaN (special mode)"),
    OpSpec("ops.numpy.nanmin", fam.with_nans(with_axis()), fam.reduce_axis(np.nanmin), NUMERIC, grad=True,
           signed_zeros=False, notes=NAN_NOTE + "; an all-NaN slice gives NaN (special mode)"),
    OpSpec("ops.numpy.nanprod", fam.with_nans(with_axis(domain=fam.near_one)), fam.reduce_axis(np.nanprod),
           ALL, grad=True, signed_zeros=False, result_dtype=fam.widened,
           conditioning=reduction_of(np.nanprod), notes=NAN_NOTE + "; factors near ±1 as for prod"),
    OpSpec("ops.numpy.nancumsum", fam.with_nans(fam.axis_only(domain=fam.sparse_ones), True),
           fam.cumulative(np.nancumsum), ALL, grad=True, signed_zeros=False,
           result_dtype=fam.cumulative_result, conditioning=fam.cumulative_scale("sum"),
           notes=NAN_NOTE + "; NaN counts as 0"),
    OpSpec("ops.numpy.nancumprod", fam.with_nans(fam.axis_only(domain=fam.near_one), True),
           fam.cumulative(np.nancumprod), ALL, grad=True, signed_zeros=False,
           result_dtype=fam.cumulative_result, conditioning=fam.cumulative_scale("prod"),
           notes=NAN_NOTE + "; NaN counts as 1"),
]
