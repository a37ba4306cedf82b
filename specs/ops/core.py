"""Specs of ``keras.ops`` core functions outside numpy/nn/math: ``cast``, control flow, and the
array utilities (rearrange, scatter, slice, unstack, shape, is_tensor, stop_gradient, view_as_real).

Control-flow ops take Python functions: the specs name them (``{"callable": name}``, see
``adapters/_callables.py``) and pass their operands as marked tensors in the keyword arguments,
so these specs have no gradient check (the engine differentiates positional arguments only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance import oracle, promotion
from conformance.families import math as fm
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, cast_args, unary

NUMERIC = FLOAT_DTYPES + INT_DTYPES
NARROW_UNSIGNED = ("uint16", "uint32")  # torch has no arithmetic on these: a spec of their own
CAST_TARGETS = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if d not in NARROW_UNSIGNED) + ("bool",)
NOTES = ("float -> integer casts only of values inside the target's range (truncation toward zero); "
         "NaN, inf and out-of-range values are undefined in C and left out. Not differentiated: "
         "most targets are integers")
CONTROL = FLOAT_DTYPES + ("int32", "int64")
CALLABLE_NOTE = ("functions are named ones (adapters/_callables.py, NumPy twins in "
                 "conformance/families/math.py); float, int32 and int64 operands (int8/16 would overflow in "
                 "the named functions: wrapping is not what these specs test); operands are tensors in the keyword arguments, so no "
                 "gradient check (the engine differentiates positional arguments only). ")


def _target(dtypes: tuple[str, ...] | list[str], kwargs: dict) -> str:
    return kwargs["dtype"]


def _of(kwarg: str) -> Any:
    return fm.dtype_of_kwarg(kwarg)


def _true(x: np.ndarray) -> np.ndarray:
    return np.array(True)


def _shape(x: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.array(s) for s in x.shape)


SPECS = [
    OpSpec("ops.cast", cast_args(CAST_TARGETS), oracle.cast, FLOAT_DTYPES + INT_DTYPES,
           result_dtype=_target, notes=NOTES),
    OpSpec("ops.cast", cast_args(NARROW_UNSIGNED), oracle.cast, FLOAT_DTYPES + INT_DTYPES,
           result_dtype=_target, special=False, name="ops.cast.to_uint16_uint32",
           notes="casts to uint16 and uint32. " + NOTES),
    # -- control flow ------------------------------------------------------------------------
    OpSpec("ops.cond", fm.cond_args(), fm.cond, CONTROL, mixed_args=(), result_dtype=_of("true_fn"),
           notes=CALLABLE_NOTE + "a 0-d bool pred; true_fn 2x, false_fn -x over a tensor x"),
    OpSpec("ops.switch", fm.switch_args(), fm.switch, CONTROL, mixed_args=(), result_dtype=_of("branches"),
           notes=CALLABLE_NOTE + "a 0-d int32 index in range; branches 2x, -x, x*x closed over x (the "
                 "*operands form cannot follow keyword branches)"),
    OpSpec("ops.fori_loop", fm.fori_loop_args(), fm.fori_loop, FLOAT_DTYPES, mixed_args=(),
           result_dtype=_of("init_val"),
           notes=CALLABLE_NOTE + "body v / 2 + i over 0 to 4 steps, lower and upper Python ints"),
    OpSpec("ops.while_loop", fm.while_loop_args(), fm.while_loop, FLOAT_DTYPES, mixed_args=(),
           result_dtype=None,
           notes=CALLABLE_NOTE + "loop_vars (int32 counter, x); cond counter < limit; body (i + 1, "
                 "x / 2 + 1); maximum_iterations left out or given. Outputs of two dtypes: none checked"),
    OpSpec("ops.scan", fm.scan_args(), fm.scan, CONTROL, mixed_args=(), result_dtype=_of("xs"),
           signed_zeros=False,
           notes=CALLABLE_NOTE + "f(c, x) = (c + x, c * x); reverse and length left out or given; unroll "
                 "left out (it changes no value)"),
    OpSpec("ops.map", fm.map_args(), fm.map_, CONTROL, mixed_args=(), result_dtype=_of("xs"),
           signed_zeros=False, notes=CALLABLE_NOTE + "f(s) = s * max(s) per slice along axis 0"),
    OpSpec("ops.vectorized_map", fm.map_args("elements", "function"), fm.vectorized_map, CONTROL,
           mixed_args=(), result_dtype=_of("elements"), signed_zeros=False,
           notes=CALLABLE_NOTE + "f(s) = s * max(s): batching must not mix slices"),
    OpSpec("ops.associative_scan", fm.associative_scan_args(), fm.associative_scan, CONTROL, mixed_args=(),
           result_dtype=_of("elems"), signed_zeros=False,
           notes=CALLABLE_NOTE + "f add or maximum (associative); reverse, axis left out or given. "
                 "Summation order is free: tolerance of a reduction"),
    # -- array utilities --------------------------------------------------------------------
    OpSpec("ops.rearrange", fm.rearrange_args(), fm.rearrange, NUMERIC + ("bool",), grad=True,
           notes="einops patterns without ellipsis: permute, merge, split with one named length"),
    OpSpec("ops.scatter", fm.scatter_args(), fm.scatter, NUMERIC, result_dtype=promotion.of_args((1,)),
           mixed_args=(1,), grad=True, grad_wrt=(1,), signed_zeros=False,
           notes="int32 indices (k, r) into shape; duplicate indices add up (Keras documents it)"),
    OpSpec("ops.scatter_update", fm.scatter_update_args(), fm.scatter_update, NUMERIC,
           result_dtype=promotion.of_args((0,)), mixed_args=(0,), grad=True, grad_wrt=(0, 2),
           notes="distinct int32 indices (duplicates: unspecified order); reduction left out"),
    OpSpec("ops.slice", fm.slice_args(update=False), fm.slice_, NUMERIC + ("bool",), grad=True,
           notes="start_indices and shape as tuples, in range"),
    OpSpec("ops.slice_update", fm.slice_args(update=True), fm.slice_update, NUMERIC, mixed_args=(),
           result_dtype=promotion.of_args((0,)),
           notes="updates a marked tensor keyword (start_indices comes between inputs and updates); "
                 "no gradient check for that reason"),
    OpSpec("ops.unstack", fm.unstack_args(give_num=False), fm.unstack, NUMERIC + ("bool",),
           result_dtype=None, grad=True,
           notes="axis any; num left out. The result is a list: dtypes judged as returned; grad: one "
                 "cotangent per slice"),
    OpSpec("ops.unstack", fm.unstack_args(give_num=True), fm.unstack, NUMERIC + ("bool",),
           result_dtype=None, grad=True, name="ops.unstack.num", notes="num given (= the axis length)"),
    OpSpec("ops.shape", unary(), _shape, NUMERIC + ("bool",), result_dtype=None,
           notes="the tuple of ints becomes one 0-d integer output per dimension (0-d: no output)"),
    OpSpec("ops.is_tensor", unary(), _true, NUMERIC + ("bool",), result_dtype=None, special=False,
           notes="every argument arrives as a backend tensor: True"),
    OpSpec("ops.stop_gradient", unary(), lambda x: x, NUMERIC + ("bool",),
           notes="values only: its zero gradient cannot be expressed by the engine's numerical gradient "
                 "(an identity's)"),
    OpSpec("ops.view_as_real", fm.complex_args(), fm.view_as_real, ("float32", "float64"), mixed_args=(),
           result_dtype=fm.real_of_complex, signed_zeros=False,
           notes="complex64 (float32 case) and complex128 (float64 case) inputs"),
]
