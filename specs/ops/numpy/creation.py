"""Specs of ``keras.ops.numpy`` array creation: arange, array, empty(_like), eye, identity, tri,
full(_like), ones(_like), zeros(_like), linspace, logspace, geomspace, and the windows
bartlett, blackman, hamming, hanning and kaiser.

Most take no array argument: shapes, sizes, values and ``dtype`` travel as
keywords (``args=[]``); ``dtype`` is the drawn dtype, given or left out
(Keras: floatx). No special check where no array argument exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import promotion
from conformance.families import shapes as fam
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, composite, is_float

NUMERIC = FLOAT_DTYPES + INT_DTYPES
ALL = NUMERIC + ("bool",)
NO_ARRAYS = "No special check: no array argument. "


# -- arange ------------------------------------------------------------------------
def arange_kw(empty_range: bool = False) -> Any:
    """Exact values: ints, or multiples of 0.5 for float dtypes; non-negative for unsigned.

    stop lies on the side step walks to (``empty_range``: strictly on the other side).
    """

    def kw(draw: Any, dtype: str, mode: str) -> dict:
        unsigned = dtype.startswith("u")
        floats = is_float(dtype) and draw(st.booleans())
        value = st.integers(0 if unsigned else -6, 12)
        scale = 0.5 if floats else 1
        start, stop = draw(value), draw(value)
        form = 1 if empty_range else draw(st.integers(0, 2))
        if form == 0:
            out: dict = {"start": max(abs(start), 1) * scale}
        else:
            step = draw(st.sampled_from([1, 2, 3] if unsigned else [-3, -2, -1, 1, 2, 3])) if form == 2 else 1
            if empty_range and start == stop:
                stop = start - 1 if start > 0 or not unsigned else start + 1
                step = 1 if stop > start else step
            forward = stop >= start if not empty_range else stop < start
            if (step > 0) != forward:
                step = -step
            if unsigned and step < 0:
                start, stop, step = stop, start, -step
            out = {"start": start * scale, "stop": stop * scale}
            if form == 2 or step != 1:
                out["step"] = step * scale if floats else step
        if draw(st.booleans()):
            out["dtype"] = dtype
        return out

    return kw


def arange_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """The dtype keyword, else Python ints -> int32 and any Python float -> floatx."""
    if kwargs.get("dtype"):
        return kwargs["dtype"]
    values = [kwargs.get(k) for k in ("start", "stop", "step")]
    return "float32" if any(isinstance(v, float) for v in values) else "int32"


def arange(start: Any, stop: Any = None, step: Any = None, dtype: str | None = None) -> np.ndarray:
    return np.arange(start, stop, 1 if step is None else step, dtype=np.float64)


# -- array, empty, full, ones, zeros ---------------------------------------------------
def target(draw: Any, x: np.ndarray) -> dict:
    """``dtype=`` left out or a target that holds every drawn value (no float -> int, no sign loss)."""
    if not draw(st.booleans()):
        return {}
    source = x.dtype.name
    if is_float(source):
        options: tuple[str, ...] = FLOAT_DTYPES
    elif source == "bool" or source.startswith("u"):
        options = ALL
    else:
        options = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if not d.startswith("u"))
    return {"dtype": draw(st.sampled_from(list(options)))}


def like_target(draw: Any, x: np.ndarray) -> dict:
    return {"dtype": draw(st.sampled_from(list(ALL)))} if draw(st.booleans()) else {}


def array(x: np.ndarray, dtype: str | None = None) -> np.ndarray:
    return x != 0 if dtype == "bool" else x


def shape_dtype_kw(draw: Any, dtype: str, mode: str) -> dict:
    return {"shape": fam.shape_kw(draw), **fam.maybe_dtype(draw, dtype)}


def full_kw(draw: Any, dtype: str, mode: str) -> dict:
    return {"shape": fam.shape_kw(draw), "fill_value": fam.fill_value(draw, dtype), **fam.maybe_dtype(draw, dtype)}


def full_like_args() -> Any:
    def draw_full_like(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(fam.arrays(dtype, fam.shapes_at_least(mode, 0, 3), mode))
        kw = {"fill_value": fam.fill_value(draw, dtype)}
        if draw(st.booleans()):
            kw["dtype"] = dtype if is_float(dtype) or dtype == "bool" else draw(st.sampled_from(
                [d for d in NUMERIC if not d.startswith("u")] if kw["fill_value"] < 0 else list(NUMERIC)))
        return [x], kw

    return composite(draw_full_like)


def full(shape: Sequence[int], fill_value: Any, dtype: str | None = None) -> np.ndarray:
    return np.full(tuple(shape), fill_value, dtype=np.float64)


def full_like(x: np.ndarray, fill_value: Any, dtype: str | None = None) -> np.ndarray:
    if dtype is None and x.dtype.kind in "iub":
        return np.full(x.shape, fill_value, dtype=x.dtype)
    return np.full(x.shape, fill_value, dtype=np.float64)


def filled(value: float) -> Any:
    def ref(shape: Sequence[int], dtype: str | None = None) -> np.ndarray:
        return np.full(tuple(shape), value)

    return ref


def filled_like(value: float) -> Any:
    def ref(x: np.ndarray, dtype: str | None = None) -> np.ndarray:
        return np.full(x.shape, value)

    return ref


# -- eye, identity, tri -------------------------------------------------------------------
def matrix_kw(first: str) -> Any:
    def kw(draw: Any, dtype: str, mode: str) -> dict:
        out: dict = {first: draw(st.integers(1, 6))}
        if first != "n":
            if draw(st.booleans()):
                out["M"] = draw(st.integers(0, 6))
            if draw(st.booleans()):
                out["k"] = draw(st.integers(-4, 4))
        return {**out, **fam.maybe_dtype(draw, dtype)}

    return kw


def eye(N: int, M: int | None = None, k: int = 0, dtype: str | None = None) -> np.ndarray:
    return np.eye(N, M, k)


def identity(n: int, dtype: str | None = None) -> np.ndarray:
    return np.identity(n)


def tri(N: int, M: int | None = None, k: int = 0, dtype: str | None = None) -> np.ndarray:
    return np.tri(N, M, k)


# -- linspace, logspace, geomspace -----------------------------------------------------------
ENDPOINTS = (-3.0, -1.5, -0.25, 0.0, 0.5, 1.0, 2.0, 3.0)


def space_kw(positive: bool = False, retstep: bool = False, base: bool = False) -> Any:
    def kw(draw: Any, dtype: str, mode: str) -> dict:
        ends = [0.1, 0.5, 1.0, 2.0, 10.0, 100.0] if positive else list(ENDPOINTS)
        out: dict = {"start": draw(st.sampled_from(ends)), "stop": draw(st.sampled_from(ends))}
        if positive and draw(st.booleans()):
            out["start"], out["stop"] = -out["start"], -out["stop"]
        if draw(st.booleans()):
            out["num"] = draw(st.integers(0 if not retstep else 2, 9))
        if draw(st.booleans()):
            out["endpoint"] = draw(st.booleans())
        if retstep and draw(st.booleans()):
            out["retstep"] = draw(st.booleans())
        if base and draw(st.booleans()):
            out["base"] = draw(st.sampled_from([2.0, 10.0, 0.5, float(np.e)]))
        return {**out, **fam.maybe_dtype(draw, dtype)}

    return kw


def linspace(start: float, stop: float, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: str | None = None) -> Any:
    out = np.linspace(start, stop, num, endpoint=endpoint, retstep=retstep)
    return (out[0], np.float64(out[1])) if retstep else out


def logspace(start: float, stop: float, num: int = 50, endpoint: bool = True, base: float = 10.0,
             dtype: str | None = None) -> np.ndarray:
    return np.logspace(start, stop, num, endpoint=endpoint, base=base)


def geomspace(start: float, stop: float, num: int = 50, endpoint: bool = True,
              dtype: str | None = None) -> np.ndarray:
    return np.geomspace(start, stop, num, endpoint=endpoint)


def linspace_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """start + i * step: rounding of the larger endpoint, not of the (possibly tiny) result."""
    return np.abs(ref) + max(abs(kwargs["start"]), abs(kwargs["stop"]))


def logspace_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """base ** e: an error in the exponent e grows by ln(base) * |e| in relative terms."""
    spread = abs(np.log(kwargs.get("base", 10.0))) * max(abs(kwargs["start"]), abs(kwargs["stop"]))
    return np.abs(ref) * (1.0 + spread)


def geomspace_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """exp(linspace(log start, log stop)): relative error grows with |log| of the endpoints."""
    spread = max(abs(np.log(abs(kwargs["start"]))), abs(np.log(abs(kwargs["stop"]))))
    return np.abs(ref) * (1.0 + spread)


# -- windows ----------------------------------------------------------------------------
def window_args(beta: bool = False) -> Any:
    """The window length as a 0-d integer tensor in [1, 12] (Keras' tests pass a tensor too)."""

    def draw_window(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        n = np.asarray(draw(st.integers(1, 12))).astype(dtype)
        return [n], ({"beta": draw(st.sampled_from([0.0, 0.5, 3.0, 5.0, 8.6, 14.0]))} if beta else {})

    return composite(draw_window)


def window(fn: Any) -> Any:
    return lambda x, **kw: fn(int(x), **kw)


def kaiser_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """i0(beta * r) / i0(beta): the rounding of beta * r grows by about beta in relative terms."""
    return np.abs(ref) * (1.0 + kwargs["beta"])


FLOATX = promotion.fixed("float32")
WINDOW_NOTE = ("N a 0-d int tensor in [1, 12] (every int dtype); result floatx; no shape-inference or compiled check: the "
               "length must be concrete (Keras raises 'does not support symbolic tensors' by design). "
               + NO_ARRAYS.replace("no array argument", "an integer length"))

SPECS = [
    OpSpec("ops.numpy.arange", fam.creation(arange_kw()), arange, NUMERIC, result_dtype=arange_result,
           special=False, notes=NO_ARRAYS + "start alone (= stop), start and stop, or start, stop and step "
                                            "(negative too) walking towards stop; Python ints, or multiples "
                                            "of 0.5 for floats"),
    OpSpec("ops.numpy.arange", fam.creation(arange_kw(empty_range=True)), arange, NUMERIC,
           result_dtype=arange_result, special=False, name="ops.numpy.arange.empty_range",
           notes=NO_ARRAYS + "stop on the far side of start from step: numpy's result is empty"),
    OpSpec("ops.numpy.array", fam.array_and(target, max_dims=3), array, ALL, result_dtype=fam.like_dtype,
           grad=False, notes="dtype left out (kept) or a target holding every value (no float -> int)"),
    fam.ShapeOnlySpec("ops.numpy.empty", fam.creation(shape_dtype_kw), filled(0.0), ALL,
                      result_dtype=fam.kwarg_dtype(), special=False,
                      notes=NO_ARRAYS + "values are undefined: only the shape and dtype are judged"),
    fam.ShapeOnlySpec("ops.numpy.empty_like", fam.array_and(like_target, max_dims=3), filled_like(0.0), ALL,
                      result_dtype=fam.like_dtype,
                      notes="values are undefined: only the shape and dtype are judged"),
    OpSpec("ops.numpy.zeros", fam.creation(shape_dtype_kw), filled(0.0), ALL, result_dtype=fam.kwarg_dtype(),
           special=False, notes=NO_ARRAYS + "shape a list of 0 to 3 sides (0 included)"),
    OpSpec("ops.numpy.ones", fam.creation(shape_dtype_kw), filled(1.0), ALL, result_dtype=fam.kwarg_dtype(),
           special=False, notes=NO_ARRAYS + "shape a list of 0 to 3 sides (0 included)"),
    OpSpec("ops.numpy.zeros_like", fam.array_and(like_target, max_dims=3), filled_like(0.0), ALL,
           result_dtype=fam.like_dtype, notes="dtype left out (x's) or any dtype"),
    OpSpec("ops.numpy.ones_like", fam.array_and(like_target, max_dims=3), filled_like(1.0), ALL,
           result_dtype=fam.like_dtype, notes="dtype left out (x's) or any dtype"),
    OpSpec("ops.numpy.full", fam.creation(full_kw), full, ALL, result_dtype=fam.kwarg_dtype(), special=False,
           notes=NO_ARRAYS + "fill_value a Python scalar of the dtype's kind"),
    OpSpec("ops.numpy.full_like", full_like_args(), full_like, ALL, result_dtype=fam.like_dtype,
           notes="fill_value a Python scalar of x's kind; dtype left out (x's) or one holding fill_value"),
    OpSpec("ops.numpy.eye", fam.creation(matrix_kw("N")), eye, ALL, result_dtype=fam.kwarg_dtype(),
           special=False, notes=NO_ARRAYS + "N in [1, 6]; M and k (beyond the matrix too) left out or given. N = 0 with k > 0 raises on "
                                       "TensorFlow (left out: an edge case recorded in the report)"),
    OpSpec("ops.numpy.identity", fam.creation(matrix_kw("n")), identity, ALL, result_dtype=fam.kwarg_dtype(),
           special=False, notes=NO_ARRAYS + "n in [1, 6]"),
    OpSpec("ops.numpy.tri", fam.creation(matrix_kw("N")), tri, ALL, result_dtype=fam.kwarg_dtype(),
           special=False, notes=NO_ARRAYS + "N in [1, 6]; M (0 too) and k left out or given"),
    OpSpec("ops.numpy.linspace", fam.creation(space_kw(retstep=True)), linspace, FLOAT_DTYPES,
           result_dtype=fam.kwarg_dtype(), conditioning=linspace_scale, special=False, signed_zeros=False,
           notes=NO_ARRAYS + "scalar endpoints; num, endpoint, retstep (num >= 2 then) left out or given; "
                             "float dtypes (an int dtype floors, which numpy leaves to the implementation)"),
    OpSpec("ops.numpy.logspace", fam.creation(space_kw(base=True)), logspace, FLOAT_DTYPES,
           result_dtype=fam.kwarg_dtype(), conditioning=logspace_scale, special=False,
           notes=NO_ARRAYS + "exponents in [-3, 3]; base 2, 10, 0.5 or e, or left out"),
    OpSpec("ops.numpy.geomspace", fam.creation(space_kw(positive=True)), geomspace, FLOAT_DTYPES,
           result_dtype=fam.kwarg_dtype(), conditioning=geomspace_scale, special=False,
           notes=NO_ARRAYS + "endpoints of one sign in [0.1, 100]"),
    OpSpec("ops.numpy.bartlett", window_args(), window(np.bartlett), INT_DTYPES, result_dtype=FLOATX,
           conditioning=fam.windows_scale, special=False, signed_zeros=False, symbolic=False, compiled=False, notes=WINDOW_NOTE),
    OpSpec("ops.numpy.blackman", window_args(), window(np.blackman), INT_DTYPES, result_dtype=FLOATX,
           conditioning=fam.windows_scale, special=False, signed_zeros=False, symbolic=False, compiled=False, notes=WINDOW_NOTE),
    OpSpec("ops.numpy.hamming", window_args(), window(np.hamming), INT_DTYPES, result_dtype=FLOATX,
           conditioning=fam.windows_scale, special=False, signed_zeros=False, symbolic=False, compiled=False, notes=WINDOW_NOTE),
    OpSpec("ops.numpy.hanning", window_args(), window(np.hanning), INT_DTYPES, result_dtype=FLOATX,
           conditioning=fam.windows_scale, special=False, signed_zeros=False, symbolic=False, compiled=False, notes=WINDOW_NOTE),
    OpSpec("ops.numpy.kaiser", window_args(beta=True), window(np.kaiser), INT_DTYPES, result_dtype=FLOATX,
           conditioning=kaiser_scale, special=False, signed_zeros=False, symbolic=False, compiled=False,
           notes=WINDOW_NOTE + " beta in [0, 14]"),
]
