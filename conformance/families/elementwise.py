"""Domains, argument strategies, result-dtype rules and references of the elementwise family.

Shared by ``specs/ops/numpy/elementwise.py`` and ``specs/ops/numpy/math.py``:
input domains (arcsin's [-1, 1], arccosh's [1, inf)…), strategies for the
ops whose arguments are not two plain operands (shifts, ldexp, round, isclose,
isin, nan_to_num) and float64 references NumPy does not give with Keras'
argument names or semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import promotion
from conformance.strategies import (
    GRAD,
    ArgsFactory,
    Domain,
    arrays,
    binary,
    is_float,
    shapes,
    unary,
)
from conformance.wire import dtype_from_name


# -- domains (values -> values in the op's domain; applied outside special mode) -----
def unit_interval(values: np.ndarray) -> np.ndarray:
    """[-1, 1] (arcsin, arccos, arctanh): values outside folded in by sin; ±1 kept."""
    return np.where(np.abs(values) <= 1, values, np.sin(values))


def inner_interval(values: np.ndarray) -> np.ndarray:
    """[-0.9, 0.9]: away from the infinite slopes at ±1 (gradients of arcsin & co)."""
    return np.where(np.abs(values) <= 0.9, values, 0.9 * np.sin(values))


def at_least_one(values: np.ndarray) -> np.ndarray:
    """[1, inf) (arccosh): 1 + |x|."""
    return 1 + np.abs(values)


def above_one(values: np.ndarray) -> np.ndarray:
    """[1.1, inf): away from arccosh's infinite slope at 1."""
    return 1.1 + np.abs(values)


def above_minus_one(values: np.ndarray) -> np.ndarray:
    """[-1, inf) (log1p): x <= -1 mirrored to -x - 1 >= 0."""
    return np.where(values > -1, values, -values - 1)


def above_minus_half(values: np.ndarray) -> np.ndarray:
    """(-0.5, inf): log1p's gradient away from its pole at -1."""
    return np.where(values > -0.5, values, -values - 0.5)


def small_exponent(values: np.ndarray) -> np.ndarray:
    """Integer exponents folded into [0, 4] (no negative integer powers, no overflow); floats kept."""
    if values.dtype.kind in "iu":
        return np.abs(values) % 5
    return values


def small_base(values: np.ndarray) -> np.ndarray:
    """Integer bases folded into [-3, 3] so 3**4 fits int8; floats kept."""
    if values.dtype.kind in "iu":
        return np.sign(values) * (np.abs(values) % 4)
    return values


def positive_base(values: np.ndarray) -> np.ndarray:
    """Strictly positive bases (power's gradient in the exponent needs log(x1))."""
    values = np.abs(values)
    return np.where(values < 0.05, values + 0.5, values)


def by_mode(default: ArgsFactory, grad: ArgsFactory) -> ArgsFactory:
    """``grad`` in grad mode, ``default`` otherwise (a narrower domain for gradients)."""
    return lambda dtype, mode: (grad if mode == GRAD else default)(dtype, mode)


def unary_in(domain: Domain, grad_domain: Domain | None = None) -> ArgsFactory:
    return by_mode(unary(domain), unary(grad_domain or domain))


# -- result-dtype rules (Keras 3's compute_output_spec, keras/src/ops/numpy.py) ------
def floating_wide64(dtypes: Sequence[str], kwargs: dict) -> str:
    """As :func:`promotion.floating`, but int64 gives float64.

    Keras' rule for cbrt, deg2rad, rad2deg, i0, heaviside, hypot (their
    ``compute_output_spec``): int8…uint32 and bool -> floatx, int64 -> float64.
    """
    out = promotion.result_type(*dtypes)
    if out == "int64":
        return "float64"
    return out if promotion.is_floating(out) else promotion.FLOATX


# -- strategies ----------------------------------------------------------------------
def _bits(dtype: str) -> int:
    return np.iinfo(dtype_from_name(dtype)).bits


def shift_args(left: bool) -> ArgsFactory:
    """An integer array and shift counts of the same dtype, broadcast together.

    Counts lie in [0, bits): shifting by bits or more is undefined in C and
    differs between backends. Left shifts are drawn in [0, bits - 5] since the
    drawn values (|x| < 32) must not overflow: the int64 oracle cannot wrap.
    """

    def factory(dtype: str, mode: str) -> st.SearchStrategy:
        bits = _bits(dtype)
        top = bits - 5 if left else bits - 1

        def counts(values: np.ndarray) -> np.ndarray:
            return np.abs(values) % (top + 1)

        return binary(rhs_domain=counts)(dtype, mode)

    return factory


def ldexp_args() -> ArgsFactory:
    """x1 of the case's dtype, x2 integer exponents in [-10, 10] of a drawn signed integer dtype."""

    @st.composite
    def draw_ldexp(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x1, x2 = draw(binary()(dtype, mode))[0]
        exp_dtype = draw(st.sampled_from(["int8", "int16", "int32", "int64"]))
        seed = draw(st.integers(0, 2**32 - 1))
        x2 = np.random.default_rng(seed).integers(-10, 11, size=x2.shape).astype(exp_dtype)
        return [x1, x2], {}

    return lambda dtype, mode: draw_ldexp(dtype, mode)


def round_args() -> ArgsFactory:
    """An array and ``decimals`` (left out, or in [-2, 3]; integers: [-1, 2]).

    Values whose scaled value ``x * 10**decimals`` lies within 0.02 of a tie are
    moved off it: whether such a value rounds up depends on the rounding of the
    scaling in the input's precision (NumPy's own float32 round differs from the
    exact result there). With ``decimals`` 0 exact ties (k + 0.5) are drawn on
    purpose: Keras documents round-half-to-even, as NumPy.
    """

    @st.composite
    def draw_round(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        given = draw(st.booleans())
        decimals = draw(st.integers(-2, 3) if is_float(dtype) else st.integers(-1, 2)) if given else 0
        kwargs: dict[str, Any] = {"decimals": decimals} if given else {}
        if not is_float(dtype):
            return [x], kwargs
        wide = x.astype(np.float64)
        if decimals == 0 and draw(st.booleans()):  # exact ties k + 0.5 (exact in every float dtype)
            wide = np.round(wide * 2) / 2
        else:
            scaled = wide * 10.0**decimals
            near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 0.02
            wide = np.where(near_tie, np.floor(scaled) / 10.0**decimals, wide)
        with np.errstate(over="ignore", invalid="ignore"):
            x = np.asarray(np.where(np.isfinite(x.astype(np.float64)), wide, x.astype(np.float64))).astype(x.dtype)
        return [x], kwargs

    return lambda dtype, mode: draw_round(dtype, mode)


def round_reference(x: np.ndarray, decimals: int = 0) -> np.ndarray:
    """Round half to even at ``decimals`` (NumPy's definition; integers stay integers)."""
    if x.dtype.kind in "iu" and decimals >= 0:
        return x
    return np.round(x, decimals)


ISCLOSE_TOLERANCES = (1e-5, 1e-3, 0.05)
ISCLOSE_ATOLS = (1e-8, 1e-3, 0.5)


def isclose_args() -> ArgsFactory:
    """x1, and x2 equal to x1, inside or outside the tolerance, or independent.

    rtol, atol and equal_nan are each left out or given. Pairs whose distance is
    within a factor of two of ``atol + rtol * |x2|`` are made equal: at that
    border the answer depends on the precision each backend computes in.
    """

    @st.composite
    def draw_isclose(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()):
            kwargs["rtol"] = draw(st.sampled_from(ISCLOSE_TOLERANCES))
        if draw(st.booleans()):
            kwargs["atol"] = draw(st.sampled_from(ISCLOSE_ATOLS))
        if draw(st.booleans()):
            kwargs["equal_nan"] = draw(st.booleans())
        rtol, atol = kwargs.get("rtol", 1e-5), kwargs.get("atol", 1e-8)
        x1 = draw(arrays(dtype, shapes(mode), mode))
        other = draw(arrays(dtype, x1.shape, mode))
        seed = draw(st.integers(0, 2**32 - 1))
        rng = np.random.default_rng(seed)
        a = x1.astype(np.float64)
        choice = rng.integers(0, 4, size=x1.shape)
        tol = atol + rtol * np.abs(a)
        with np.errstate(invalid="ignore", over="ignore"):
            sign = rng.choice([-1.0, 1.0], size=x1.shape)
            b = np.where(choice == 0, a, np.where(choice == 1, a + sign * 0.1 * tol,
                                                  np.where(choice == 2, a + sign * 10 * tol,
                                                           other.astype(np.float64))))
            if dtype == "bool":
                b = np.where(choice == 3, other.astype(np.float64), a)
            elif not is_float(dtype):
                b = np.round(b)
                info = np.iinfo(dtype_from_name(dtype))
                b = np.clip(b, max(info.min, -20), min(info.max, 40))
            x2 = b.astype(x1.dtype)
            b = x2.astype(np.float64)
            ratio = np.abs(a - b) / (atol + rtol * np.abs(b))
            border = np.isfinite(ratio) & (ratio > 0.5) & (ratio < 2)
        x2 = np.asarray(np.where(border, x1, x2)).astype(x1.dtype)
        return [x1, x2], kwargs

    return lambda dtype, mode: draw_isclose(dtype, mode)


def isin_args() -> ArgsFactory:
    """x1 and test values x2 of any shapes, x2 partly drawn from x1; assume_unique, invert.

    ``assume_unique=True`` is only drawn with x1 and x2 1-D and free of repeats
    (NumPy leaves the result unspecified otherwise).
    """

    @st.composite
    def draw_isin(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()):
            kwargs["invert"] = draw(st.booleans())
        unique = draw(st.booleans()) and draw(st.booleans())
        if unique:
            kwargs["assume_unique"] = True
        elif draw(st.booleans()):
            kwargs["assume_unique"] = False
        x1 = draw(arrays(dtype, shapes(mode, max_dims=3), mode))
        pool = draw(arrays(dtype, shapes(mode, max_dims=2), mode))
        seed = draw(st.integers(0, 2**32 - 1))
        rng = np.random.default_rng(seed)
        x2 = np.array(pool, copy=True)
        if x1.size and x2.size:
            take = rng.random(x2.shape) < 0.5
            x2[take] = rng.choice(x1.reshape(-1), size=int(take.sum()))
        if unique:
            x1 = _unique_1d(x1, rng)
            x2 = _unique_1d(x2, rng)
        return [x1, x2], kwargs

    return lambda dtype, mode: draw_isin(dtype, mode)


def _unique_1d(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    flat = x.reshape(-1)
    wide = flat.astype(np.float64) if flat.dtype.kind not in "biu" else flat
    _, first = np.unique(wide, return_index=True)
    return flat[rng.permutation(np.sort(first))]


def isin_reference(x1: np.ndarray, x2: np.ndarray, assume_unique: bool = False,
                   invert: bool = False) -> np.ndarray:
    return np.isin(x1, x2, assume_unique=assume_unique, invert=invert)


NAN_FILLS = (0.0, -1.5, 3.0)
INF_FILLS = (1000.0, -7.5, 2.0, 0.5)  # exact in float16 and bfloat16


def nan_to_num_args(defaults: bool) -> ArgsFactory:
    """An array and ``nan`` (left out or given); ``posinf``/``neginf`` given, or left None.

    ``defaults=True`` leaves posinf and neginf out: they become the dtype's largest
    and lowest finite values, which a float64 reference only knows per dtype.
    """

    @st.composite
    def draw_nan_to_num(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()):
            kwargs["nan"] = draw(st.sampled_from(NAN_FILLS))
        if not defaults:
            kwargs["posinf"] = draw(st.sampled_from(INF_FILLS))
            kwargs["neginf"] = draw(st.sampled_from(INF_FILLS))
        return [x], kwargs

    return lambda dtype, mode: draw_nan_to_num(dtype, mode)


def nan_to_num_reference(dtype: str | None = None) -> Callable[..., np.ndarray]:
    """np.nan_to_num with Keras' keywords; ``dtype`` gives the default ±inf replacements."""

    def reference(x: np.ndarray, nan: float = 0.0, posinf: float | None = None,
                  neginf: float | None = None) -> np.ndarray:
        if x.dtype.kind != "f":
            return x
        if dtype is not None:
            from conformance.tolerance import finfo

            info = finfo(dtype)
            posinf = float(info.max) if posinf is None else posinf
            neginf = float(info.min) if neginf is None else neginf
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    return reference


def pair_with_zeros() -> ArgsFactory:
    """Two broadcastable operands; the divisor has exact zeros (divide_no_nan)."""

    @st.composite
    def draw_pair(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        (a, b), kwargs = draw(binary()(dtype, mode))
        if mode != GRAD and b.size:
            seed = draw(st.integers(0, 2**32 - 1))
            zero = np.random.default_rng(seed).random(b.shape) < 0.25
            b = np.asarray(np.where(zero, np.zeros_like(b), b)).astype(b.dtype)
        return [a, b], kwargs

    return lambda dtype, mode: draw_pair(dtype, mode)


# -- references ------------------------------------------------------------------------
def heaviside(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0; NaN where x1 is NaN."""
    return np.heaviside(x1.astype(np.float64), x2.astype(np.float64))


def divide_no_nan(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """x1 / x2, and 0 wherever x2 == 0 (even for x1 NaN or inf), as tf.math.divide_no_nan."""
    x1, x2 = np.broadcast_arrays(x1.astype(np.float64), x2.astype(np.float64))
    safe = np.where(x2 == 0, 1.0, x2)
    return np.where(x2 == 0, 0.0, x1 / safe)


def angle(x: np.ndarray) -> np.ndarray:
    """The argument of a real number: 0 for x >= +0.0, pi for x < 0 and -0.0 (arctan2(0, x))."""
    return np.angle(x.astype(np.float64))


def imag(x: np.ndarray) -> np.ndarray:
    """The imaginary part of a real array: zeros of its dtype."""
    return np.zeros_like(x)


def floating(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``fn`` on float64 copies of its arguments (integer inputs give float results)."""

    def reference(*args: np.ndarray, **kwargs: Any) -> np.ndarray:
        return fn(*(np.asarray(a, dtype=np.float64) for a in args), **kwargs)

    reference.__name__ = getattr(fn, "__name__", "reference")
    return reference


def ldexp(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """x1 * 2**x2 in float64 (x2 integer exponents)."""
    return np.ldexp(x1.astype(np.float64), x2.astype(np.int32))


def logaddexp2(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.logaddexp2(x1.astype(np.float64), x2.astype(np.float64))


def i0(x: np.ndarray) -> np.ndarray:
    from scipy import special

    return special.i0(x.astype(np.float64))
