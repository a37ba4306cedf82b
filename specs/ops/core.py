"""Specs of ``keras.ops`` core functions outside numpy/nn: ``cast``."""

from __future__ import annotations

from conformance import oracle
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, cast_args

NARROW_UNSIGNED = ("uint16", "uint32")  # torch has no arithmetic on these: a spec of their own
CAST_TARGETS = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if d not in NARROW_UNSIGNED) + ("bool",)
NOTES = ("float -> integer casts only of values inside the target's range (truncation toward zero); "
         "NaN, inf and out-of-range values are undefined in C and left out. Not differentiated: "
         "most targets are integers")


def _target(dtypes: tuple[str, ...] | list[str], kwargs: dict) -> str:
    return kwargs["dtype"]


SPECS = [
    OpSpec("ops.cast", cast_args(CAST_TARGETS), oracle.cast, FLOAT_DTYPES + INT_DTYPES,
           result_dtype=_target, notes=NOTES),
    OpSpec("ops.cast", cast_args(NARROW_UNSIGNED), oracle.cast, FLOAT_DTYPES + INT_DTYPES,
           result_dtype=_target, special=False, name="ops.cast.to_uint16_uint32",
           notes="casts to uint16 and uint32. " + NOTES),
]
