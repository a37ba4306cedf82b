"""Strategies, references and conditioning shared by the reduction, statistic, cumulative,
sorting and search specs (``specs/ops/numpy/{reductions,statistics,sorting}.py``).

References take the oracle's float64/int64 arrays and Keras 3 keyword names.
Strategies draw the structure with hypothesis and fill values with NumPy
(:mod:`conformance.strategies`); where the op's answer would be ambiguous
(ties in ``argsort``, the free order inside an ``argpartition``), the strategy
draws inputs whose answer is unique and the spec's notes say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import promotion
from conformance.strategies import (
    FLOAT_DTYPES,
    GRAD,
    INT_DTYPES,
    SPECIAL,
    VALUES,
    ArgsFactory,
    arrays,
    axis_for,
    composite,
    fill,
    is_float,
    shapes,
)
from conformance.tolerance import Conditioning
from conformance.wire import dtype_from_name

NUMERIC = FLOAT_DTYPES + INT_DTYPES
ALL = ("bool",) + NUMERIC
PROFILES = ("small_int", "normal", "uniform", "wide")
#: quantiles exact in every float dtype, so q * (n - 1) is exact and "lower"/"nearest" are defined
DYADIC_Q = (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0)
QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _axes(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


# -- value domains ---------------------------------------------------------------------
def near_one(values: np.ndarray) -> np.ndarray:
    """Factors of a product: floats of magnitude in [0.9, 1.1] (both signs), integers in {-1, 0, 1}.

    A product of up to 512 such floats stays far from overflow and underflow in float16,
    so the order of the multiplications cannot decide whether a result is finite.
    """
    if values.dtype.kind in "iu":
        return np.sign(values) * (np.abs(values) % 2)
    return np.where(values < 0, -1.0, 1.0) * (0.9 + 0.2 * (np.abs(values) % 1.0))


def sparse_ones(values: np.ndarray) -> np.ndarray:
    """Terms of a cumulative integer sum: ±1 with probability about 1/6, else 0.

    The running sum of up to 512 of them stays inside int8 and uint8 (no wrap-around).
    """
    if values.dtype.kind in "iu":
        return np.sign(values) * (np.abs(values) % 7 == 1)
    return values


# -- argument strategies -----------------------------------------------------------------
def with_nans(factory: ArgsFactory, slice_may_be_all_nan: bool = False,
              never_all_nan: bool = False) -> ArgsFactory:
    """``factory``'s arguments with NaNs placed in the first (float) array.

    Outside special mode a reduced slice keeps at least one number unless
    ``slice_may_be_all_nan`` (nancumsum & co. define the all-NaN case as 0/1).
    ``never_all_nan`` (an int or None axis only): in every mode, the first element of an
    all-NaN slice becomes 0 (nanargmax of an all-NaN slice is undocumented).
    """

    @st.composite
    def draw_nans(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        args, kwargs = draw(factory(dtype, mode))
        x = args[0]
        if not is_float(dtype) or x.size == 0:
            return args, kwargs
        count = draw(st.integers(0, max(1, x.size // 3)))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        y = x.copy()
        y.reshape(-1)[rng.choice(x.size, size=min(count, x.size), replace=False)] = np.nan
        if never_all_nan:
            return [_first_not_nan(y, kwargs.get("axis")), *args[1:]], kwargs
        if mode != SPECIAL and not slice_may_be_all_nan:
            axis = _axes(kwargs.get("axis"))
            if np.isnan(y.astype(np.float64)).all(axis=axis).any():
                return args, kwargs
        return [y, *args[1:]], kwargs

    return lambda dtype, mode: draw_nans(dtype, mode)


def _first_not_nan(x: np.ndarray, axis: int | None) -> np.ndarray:
    """``x`` with the first element of every all-NaN slice along ``axis`` set to 0."""
    if x.size == 0 or x.ndim == 0:
        return np.where(np.isnan(x.astype(np.float64)), 0, x).astype(x.dtype)
    work = x.reshape(1, -1) if axis is None else np.moveaxis(x.copy(), axis, -1)
    work = work.copy()
    dead = np.isnan(work.astype(np.float64)).all(axis=-1)
    work[..., 0] = np.where(dead, 0, work[..., 0])
    return work.reshape(x.shape) if axis is None else np.moveaxis(work, -1, axis)


def min_terms(factory: ArgsFactory, count: int = 2) -> ArgsFactory:
    """``factory``'s draws; in grad mode only those whose every reduced slice holds at least
    ``count`` numbers (std of one number is a sqrt kink at 0: no gradient to compare)."""

    def enough(drawn: tuple[list, dict]) -> bool:
        x = drawn[0][0].astype(np.float64)
        kw = drawn[1]
        counts = np.sum(~np.isnan(x), axis=_axes(kw.get("axis")))
        return bool(np.all(counts >= count))

    def build(dtype: str, mode: str) -> st.SearchStrategy:
        drawn = factory(dtype, mode)
        return drawn.filter(enough) if mode == GRAD else drawn

    return build


def axis_only(allow_none: bool = True, allow_tuple: bool = False, keepdims: bool = False,
              domain: Any = None, empty: bool = True) -> ArgsFactory:
    """One array and an ``axis`` (int, None, tuple as asked); ``keepdims`` only when asked."""

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = shapes(mode)
        if not empty:
            shape = shape.filter(lambda s: len(s) > 0 and min(s) > 0)
        x = draw(arrays(dtype, shape, mode, domain))
        kwargs: dict[str, Any] = {}
        axis = draw(axis_for(x.ndim, allow_none, allow_tuple))
        if axis is not None or draw(st.booleans()):
            kwargs["axis"] = axis
        if keepdims:
            kwargs["keepdims"] = draw(st.booleans())
        return [x], kwargs

    return composite(draw)


def quantile_args(percent: bool = False, nans: bool = False) -> ArgsFactory:
    """``x``, a scalar or list ``q``, an axis (int, tuple, None), ``method``, ``keepdims``.

    ``q`` is dyadic (exact in every dtype); ``percent`` scales it to [0, 100].
    """

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        # no empty arrays: NumPy's quantile of an empty slice is NaN or an IndexError by shape
        x = draw(arrays(dtype, shapes(mode).filter(lambda s: 0 not in s), mode))
        scale = 100.0 if percent else 1.0
        q_value = st.sampled_from(DYADIC_Q).map(lambda q: q * scale)
        q: Any = draw(st.one_of(q_value, st.lists(q_value, min_size=1, max_size=3)))
        kwargs: dict[str, Any] = {"q": q, "axis": draw(axis_for(x.ndim))}
        if draw(st.booleans()):
            kwargs["method"] = draw(st.sampled_from(QUANTILE_METHODS))
        if kwargs.get("method") == "nearest":  # an index halfway between two is an undocumented tie
            n = x.size // max(np.sum(np.ones(x.shape), axis=_axes(kwargs["axis"])).size, 1)
            ok = [float(v) for v in np.atleast_1d(q) if (v / scale * max(n - 1, 0)) % 1 != 0.5]
            kwargs["q"] = (ok[0] if ok else 0.0) if not isinstance(q, list) else (ok or [0.0])
        kwargs["keepdims"] = draw(st.booleans())
        return [x], kwargs

    factory = composite(draw)
    return with_nans(factory) if nans else factory


def distinct_along(x: np.ndarray, axis: int | None) -> np.ndarray:
    """``x`` with ties along ``axis`` (None: the whole array) replaced by distinct values.

    A slice with a tie gets the ranks of its values (stable), shifted so signed
    dtypes see negatives: the order is kept, the tie is gone.
    """
    flat_axis = axis is None
    work = x.reshape(-1) if flat_axis else np.moveaxis(x, axis, -1)
    wide = work.astype(np.float64)
    sorted_ = np.sort(wide, axis=-1)
    tied = (sorted_[..., 1:] == sorted_[..., :-1]).any(axis=-1, keepdims=True)  # inf == inf too
    if not tied.any():
        return x
    n = work.shape[-1]
    ranks = np.argsort(np.argsort(wide, axis=-1, kind="stable"), axis=-1, kind="stable")
    shift = 0 if x.dtype.kind == "u" else n // 2
    replaced = np.where(tied, ranks - shift, wide).astype(x.dtype)
    return replaced.reshape(x.shape) if flat_axis else np.moveaxis(replaced, -1, axis)


def sort_args(distinct: bool = False, allow_none: bool = True) -> ArgsFactory:
    """One array and ``axis`` (int; None flattens): ties kept unless ``distinct``.

    ``distinct`` caps axis=None arrays at 100 elements so int8 ranks stay in range.
    """

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        axis = draw(axis_for(x.ndim, allow_none and (not distinct or x.size <= 100), False))
        if distinct and x.size:  # (special mode too: a tied slice loses its special values)
            x = distinct_along(x, axis)
        kwargs: dict[str, Any] = {}
        if axis != -1 or draw(st.booleans()):
            kwargs["axis"] = axis
        return [x], kwargs

    return composite(draw)


def argpartition_args() -> ArgsFactory:
    """An array whose partition along ``axis`` is unique, and ``kth``.

    Only the kth element's position is defined; the order inside each side is
    free. With at most one element on each side the answer is unique: the axis
    has 1 or 2 elements (any kth), or 3 with kth = 1. Values are distinct along it.
    """

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        n = draw(st.integers(1, 3))
        kth = 1 if n == 3 else draw(st.integers(0, n - 1))
        if draw(st.booleans()):
            kth -= n  # a negative kth counts from the end, as in numpy
        lead = draw(shapes(VALUES, min_dims=0, max_dims=2, max_side=4))
        axis = draw(st.integers(-(len(lead) + 1), len(lead)))
        shape = list(lead)
        shape.insert(axis % (len(lead) + 1), n)
        x = draw(arrays(dtype, tuple(shape), VALUES if mode == SPECIAL else mode))
        x = distinct_along(x, axis)
        kwargs: dict[str, Any] = {"kth": kth}
        if axis != -1 or draw(st.booleans()):
            kwargs["axis"] = axis
        return [x], kwargs

    return composite(draw)


def _sorted_sequence(draw: Any, dtype: str, mode: str, strict: bool = False) -> np.ndarray:
    n = draw(st.integers(0 if mode == SPECIAL else 1, 8))
    seq = np.sort(draw(arrays(dtype, (n,), mode)))  # NaN sorts last
    if strict:
        seq = np.unique(seq)
    return seq


def searchsorted_args() -> ArgsFactory:
    """A sorted 1-D sequence (ties kept), N-D query values, ``side`` left out or given."""

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        seq = _sorted_sequence(draw, dtype, mode)
        values = draw(arrays(dtype, shapes(mode, max_dims=3), mode))
        if seq.size and values.size and draw(st.booleans()):  # exact hits exercise side=
            rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
            values.reshape(-1)[:] = rng.choice(seq, size=values.size)
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()):
            kwargs["side"] = draw(st.sampled_from(["left", "right"]))
        return [seq, values], kwargs

    return composite(draw)


def digitize_args() -> ArgsFactory:
    """N-D ``x`` and strictly increasing 1-D ``bins`` (values on the edges included)."""

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        bins = _sorted_sequence(draw, dtype, VALUES if mode == SPECIAL else mode, strict=True)
        x = draw(arrays(dtype, shapes(mode, max_dims=3), mode))
        if bins.size and x.size and draw(st.booleans()):
            rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
            hits = rng.random(x.shape) < 0.5
            x = np.where(hits, rng.choice(bins, size=x.shape), x).astype(x.dtype)
        return [x, bins], {}

    return composite(draw)


def histogram_args() -> ArgsFactory:
    """1-D ``x``, ``bins`` left out or in [1, 8], ``range`` left out or a (lo, hi) pair.

    Values are small integers and the edges land on multiples of 1/8 of the
    range: the bin of every value is exact in every dtype, edges included.
    """

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        n = draw(st.integers(1, 24))
        seed = draw(st.integers(0, 2**32 - 1))
        x = fill(dtype, (n,), "small_int", seed)
        kwargs: dict[str, Any] = {}
        bins = 10
        if draw(st.booleans()):
            bins = draw(st.sampled_from([1, 2, 4, 8]))
            kwargs["bins"] = bins
        if draw(st.booleans()):
            lo = float(draw(st.integers(-4, 2)))
            kwargs["range"] = [lo, lo + float(draw(st.sampled_from([2, 4, 8])))]
        else:  # range from the data: make max - min a power of two so the edges are exact
            wide = x.astype(np.float64)  # (a single value's range is undocumented: spread it)
            span = wide.max() - wide.min()
            target = 2.0 ** np.ceil(np.log2(span)) if span > 0 else 2.0
            if wide.size == 1:
                wide = np.append(wide, wide.min() + target)
            else:
                wide[np.argmax(wide)] = wide.min() + target
            x = wide.astype(x.dtype)
        if bins == 10:  # 10 bins divide a power-of-two range inexactly: values must avoid edges
            x = x.astype(np.float64)
            lo, hi = kwargs.get("range", (x.min(), x.max()))
            width = (hi - lo) / 10 if hi > lo else 1.0
            inside = lo + (np.floor((x - lo) / width) + 0.5) * width
            x = np.where((x > lo) & (x < hi), inside, x)
            x = np.round(x * 8) / 8  # still representable in float16/bfloat16
            x = x.astype(dtype_from_name(dtype))
        return [x], kwargs

    return composite(draw)


def unique_args(sized: bool = False) -> ArgsFactory:
    """An array with repeats, ``axis`` None or an int, and the ``return_*`` flags.

    ``sized``: ``size`` (and ``fill_value`` left out or given) instead of the flags.
    """

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(mode, max_dims=3, max_side=5))
        seed = draw(st.integers(0, 2**32 - 1))
        x = fill(dtype, shape, "small_int", seed)
        if mode == SPECIAL and is_float(dtype):
            x = draw(arrays(dtype, shape, mode))
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()) and x.ndim:
            kwargs["axis"] = draw(st.integers(-x.ndim, x.ndim - 1))
        if sized:
            kwargs["size"] = draw(st.integers(1, 8))
            if draw(st.booleans()):
                kwargs["fill_value"] = draw(st.sampled_from([-1, 0, 7])) if dtype[0] != "u" else 7
        else:
            for flag in ("return_index", "return_inverse", "return_counts"):
                if draw(st.booleans()):
                    kwargs[flag] = draw(st.booleans())
        return [x], kwargs

    return composite(draw)


def corrcoef_args(one_row: bool = False) -> ArgsFactory:
    """``x`` of shape (N, D): N >= 2 variables in rows (``one_row``: N = 1), D >= 2 observations
    (1-D is undocumented)."""

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        # grad: 3+ observations (with 2 the correlation is ±1 whatever x: a zero gradient
        # that float32 rounding turns into noise of 1e-5)
        low = {SPECIAL: 1, GRAD: 3}.get(mode, 2)
        rows = st.just(1) if one_row else st.integers(2, 4)
        shape = draw(st.tuples(rows, st.integers(low, 6)))
        return [draw(arrays(dtype, shape, mode))], {}

    return composite(draw)


def trapezoid_args(sample_points: bool = False) -> ArgsFactory:
    """``y`` N-D and ``axis``; ``dx`` left out or given, or (``sample_points``) an increasing ``x``."""

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        y = draw(arrays(dtype, shapes(mode).filter(lambda s: len(s) > 0), mode))
        kwargs: dict[str, Any] = {}
        axis = draw(axis_for(y.ndim, False, False))
        if axis != -1 or draw(st.booleans()):
            kwargs["axis"] = axis
        if sample_points:
            n = y.shape[axis]
            steps = draw(arrays(dtype, (n,), VALUES if mode == SPECIAL else mode,
                                lambda v: np.abs(v) % 2 + 0.25 if v.dtype.kind == "f" else np.abs(v)))
            x = np.cumsum(steps.astype(np.float64)).astype(steps.dtype)
            return [y, x], kwargs
        if draw(st.booleans()):
            kwargs["dx"] = draw(st.sampled_from([0.5, 2.0, -1.0, 0.125]))
        return [y], kwargs

    return composite(draw)


def average_args() -> ArgsFactory:
    """``x``, ``axis`` (int or None) and ``weights`` left out, full-shape or 1-D along ``axis``.

    Weights travel as a (nested) list of positive multiples of 1/4, exact in float32.
    """

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        axis = draw(axis_for(x.ndim, True, False))
        kwargs: dict[str, Any] = {}
        if axis is not None or draw(st.booleans()):
            kwargs["axis"] = axis
        kinds = ["none", "full", "1d"] if axis is not None else ["none", "full"]
        kind = draw(st.sampled_from(kinds if x.size else ["none"]))  # sum(weights) must not be 0
        if kind != "none":
            rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
            shape = x.shape if kind == "full" else (x.shape[axis],)
            kwargs["weights"] = (rng.integers(1, 17, size=shape) / 4.0).tolist()
        return [x], kwargs

    return composite(draw)


def bincount_args(weighted: bool = False) -> ArgsFactory:
    """1-D non-negative integers (dtype drawn among the integer ones when ``weighted``),
    ``minlength`` left out or given, and 1-D ``weights`` of the case's dtype."""

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x_dtype = draw(st.sampled_from(INT_DTYPES)) if weighted else dtype
        n = draw(st.integers(0 if mode == SPECIAL else 1, 16))
        x = np.abs(fill(x_dtype, (n,), "small_int", draw(st.integers(0, 2**32 - 1))))
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()):
            kwargs["minlength"] = draw(st.integers(0, 25))
        if not weighted:
            return [x], kwargs
        return [x, draw(arrays(dtype, (n,), mode))], kwargs

    return composite(draw)


def allclose_args() -> ArgsFactory:
    """Two broadcastable arrays, the second a perturbation of the first: well inside
    (x 0.01) or well outside (x 100) the tolerance ``atol + rtol * |x2|``."""

    def draw(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x1 = draw(arrays(dtype, shapes(mode, max_dims=3), mode))
        kwargs: dict[str, Any] = {}
        rtol, atol = 1e-5, 1e-8
        if draw(st.booleans()):
            rtol = kwargs["rtol"] = draw(st.sampled_from([1e-3, 1e-2, 0.1]))
        if draw(st.booleans()):
            atol = kwargs["atol"] = draw(st.sampled_from([1e-3, 1e-2, 0.1, 1.0]))
        if draw(st.booleans()):
            kwargs["equal_nan"] = draw(st.booleans())
        factor = draw(st.sampled_from([0.0, 0.01, 100.0]))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        wide = x1.astype(np.float64)
        if is_float(dtype):
            sign = rng.choice([-1.0, 1.0], size=x1.shape)
            moved = rng.random(x1.shape) < 0.5
            with np.errstate(invalid="ignore"):
                x2 = np.where(moved, wide + sign * factor * (atol + rtol * np.abs(wide)), wide)
            x2 = x2.astype(x1.dtype)
            x2 = np.where(np.abs(x2.astype(np.float64) - wide) > 0.5 * (atol + rtol * np.abs(wide))
                          if 0 < factor < 1 else False, x1, x2)  # rounding pushed it to the boundary
        else:
            step = int(np.ceil(2 * atol + 2 * rtol * 20)) + 1  # well outside for |x| <= 20
            x2 = wide + (rng.random(x1.shape) < 0.3) * (factor > 1) * step
            x2 = x2.astype(x1.dtype)
        return [x1, np.asarray(x2, dtype=x1.dtype)], kwargs

    return composite(draw)


# -- references ------------------------------------------------------------------------
def cumulative(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``numpy.cumsum`` & co. with Keras' ``axis`` (None flattens) and no ``dtype``."""

    def reference(x: np.ndarray, axis: int | None = None) -> np.ndarray:
        if x.dtype == bool:
            x = x.astype(np.int64)
        return fn(x, axis=axis)

    return reference


def reduce_axis(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``fn(x, axis=, keepdims=)`` with list axes as tuples."""

    def reference(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        return fn(x, axis=_axes(axis), keepdims=keepdims)

    return reference


def as_float(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``fn`` on a float64 view (integer inputs give float results)."""

    def reference(x: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        if "axis" in kwargs:
            kwargs["axis"] = _axes(kwargs["axis"])
        return fn(np.asarray(x, dtype=np.float64), *args, **kwargs)

    return reference


def quantile(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``numpy.quantile`` & co. with ``q`` a float or a list."""

    def reference(x: np.ndarray, q: Any, axis: Any = None, method: str = "linear",
                  keepdims: bool = False) -> np.ndarray:
        x, q = np.asarray(x, dtype=np.float64), np.asarray(q, dtype=np.float64)
        kw = {"axis": _axes(axis), "keepdims": keepdims}
        out = fn(x, q, method=method, **kw)
        # NumPy interpolates a + (b - a) * t even when both neighbours are the same value:
        # inf there gives NaN (inf - inf). Where they are equal the answer is that value.
        low, high = fn(x, q, method="lower", **kw), fn(x, q, method="higher", **kw)
        return np.where(low == high, low, out)

    return reference


def argpartition(x: np.ndarray, kth: int, axis: int | None = -1) -> np.ndarray:
    """Unique on the strategy's inputs; the stable argsort is one valid partition."""
    return np.argsort(x, axis=axis, kind="stable")


def argsort(x: np.ndarray, axis: int | None = -1) -> np.ndarray:
    """Ties keep their original order (a stable sort); NaN sorts last, as NumPy's."""
    return np.argsort(x, axis=axis, kind="stable")


def sort(x: np.ndarray, axis: int | None = -1) -> np.ndarray:
    return np.sort(x, axis=axis)


def histogram(x: np.ndarray, bins: int = 10, range: Any = None) -> tuple[np.ndarray, np.ndarray]:  # noqa: A002
    return np.histogram(np.asarray(x, dtype=np.float64), bins=bins,
                        range=None if range is None else tuple(range))


def unique(x: np.ndarray, sorted: bool = True, return_index: bool = False,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, axis: int | None = None,
           size: int | None = None, fill_value: Any = None) -> Any:
    """``numpy.unique`` (NaNs kept apart, as Keras passes ``equal_nan=False``); with ``size``,
    the unique values truncated or padded with ``fill_value`` (Keras' documented default 0)."""
    out = np.unique(x, return_index=return_index, return_inverse=return_inverse,
                    return_counts=return_counts, axis=axis, equal_nan=False)
    if size is None:
        return out
    values = out if isinstance(out, np.ndarray) else out[0]
    dim = 0 if axis is None else axis % x.ndim
    count = values.shape[dim]
    if count >= size:
        return np.take(values, np.arange(size), axis=dim)
    pad = [(0, 0)] * values.ndim
    pad[dim] = (0, size - count)
    return np.pad(values, pad, constant_values=0 if fill_value is None else fill_value)


def corrcoef(x: np.ndarray) -> np.ndarray:
    """Shape (N, N) as Keras documents, N = 1 included (NumPy squeezes that to a scalar)."""
    out = np.corrcoef(np.asarray(x, dtype=np.float64))
    return np.reshape(out, (x.shape[0], x.shape[0]))


def trapezoid(y: np.ndarray, x: np.ndarray | None = None, dx: float = 1.0, axis: int = -1) -> np.ndarray:
    return np.trapezoid(np.asarray(y, dtype=np.float64), x, dx=dx, axis=axis)


def average(x: np.ndarray, axis: int | None = None, weights: Any = None) -> np.ndarray:
    """Without weights the mean (NumPy's average raises on an empty 2-D slice, its mean gives NaN)."""
    if weights is None:
        return np.mean(np.asarray(x, dtype=np.float64), axis=axis)
    return np.average(np.asarray(x, dtype=np.float64), axis=axis, weights=np.asarray(weights, dtype=np.float64))


def bincount(x: np.ndarray, weights: np.ndarray | None = None, minlength: int = 0) -> np.ndarray:
    return np.bincount(x, weights=weights, minlength=minlength)


def allclose(x1: np.ndarray, x2: np.ndarray, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> np.ndarray:
    return np.asarray(np.allclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


def searchsorted(sorted_sequence: np.ndarray, values: np.ndarray, side: str = "left") -> np.ndarray:
    return np.searchsorted(sorted_sequence, values, side=side)


def digitize(x: np.ndarray, bins: np.ndarray) -> np.ndarray:
    return np.digitize(x, bins)


# -- result dtypes (Keras 3's compute_output_spec, checked against jax.numpy's) ----------------
_WIDEN = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}


def widened(dtypes: Sequence[str], kwargs: dict) -> str:
    """prod, nansum, nanprod: bool/int8/int16 -> int32, uint8/uint16 -> uint32, others kept."""
    return _WIDEN.get(dtypes[0], dtypes[0])


def cumulative_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """cumsum & co.: the input dtype, bool -> int32."""
    return "int32" if dtypes[0] == "bool" else dtypes[0]


def corrcoef_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """int64 -> float64 (Corrcoef.compute_output_spec), other integers -> floatx."""
    return "float64" if dtypes[0] == "int64" else promotion.floating(dtypes, kwargs)


def average_result(dtypes: Sequence[str], kwargs: dict) -> str:
    """result_type(x, float, weights); list weights become a float32 tensor."""
    extra = ("float32",) if kwargs.get("weights") is not None else ()
    return promotion.floating([*dtypes, *extra], kwargs)


# -- conditioning ------------------------------------------------------------------------
def _terms(x: np.ndarray, ref: np.ndarray) -> int:
    return max(x.size // max(np.asarray(ref).size, 1), 1)


def magnitude_of_slice(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Order statistics (median, quantile, ptp): an interpolation between two slice values
    rounds relative to the largest |x| of the slice."""
    x = np.abs(np.asarray(args[0], dtype=np.float64))
    axis = _axes(kwargs.get("axis"))
    if x.size == 0:
        return np.abs(ref)
    with np.errstate(invalid="ignore"):
        top = np.nanmax(x, axis=axis, keepdims=kwargs.get("keepdims", False))
    return np.broadcast_to(np.nan_to_num(top), np.shape(ref)) + np.abs(ref)


def spread_of(nan: bool = False, root: bool = False) -> Conditioning:
    """var/std: rounding of the mean and of one-pass E[x^2] - E[x]^2 is relative to mean(x^2),
    times sqrt(terms); the square root halves the relative error of a nonzero variance."""

    def scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
        x = np.asarray(args[0], dtype=np.float64)
        if x.size == 0:
            return np.abs(ref)
        kw = {"axis": _axes(kwargs.get("axis")), "keepdims": kwargs.get("keepdims", False)}
        with np.errstate(invalid="ignore"):
            square = np.asarray((np.nanmean if nan else np.mean)(x * x, **kw))
        spread = square * np.sqrt(_terms(x, ref))
        if root:
            with np.errstate(divide="ignore", invalid="ignore"):
                spread = np.where(np.abs(ref) > 0, spread / (2 * np.abs(ref)), np.sqrt(spread))
        return np.abs(ref) + np.nan_to_num(spread, nan=0.0, posinf=np.inf)

    return scale


def cumulative_scale(kind: str) -> Conditioning:
    """Running sums: cumsum(|x|) times sqrt(position); running products: |ref| times sqrt(position)."""

    def scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
        x = np.asarray(args[0], dtype=np.float64)
        axis = kwargs.get("axis")
        if axis is None:
            x = x.reshape(-1)
            axis = 0
        if x.size == 0:
            return np.abs(ref)
        shape = [1] * x.ndim
        shape[axis] = x.shape[axis]
        position = np.arange(1, x.shape[axis] + 1, dtype=np.float64).reshape(shape)
        clean = np.where(np.isnan(x), 0.0, np.abs(x))
        base = np.cumsum(clean, axis=axis) if kind == "sum" else np.abs(ref).reshape(x.shape)
        return (base * np.sqrt(position)).reshape(np.shape(ref))

    return scale


def corrcoef_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Centered sums of D products: sqrt(D), times rms/std of each row (a large mean cancels)."""
    x = np.atleast_2d(np.asarray(args[0], dtype=np.float64))
    d = x.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sqrt(np.mean(x * x, axis=-1)) / np.std(x, axis=-1)
    ratio = np.nan_to_num(ratio, nan=1.0, posinf=np.inf)
    out = np.sqrt(d) * np.outer(ratio, ratio)
    return out.reshape(np.shape(ref)) if np.size(ref) == out.size else np.broadcast_to(out.max(), np.shape(ref))


def histogram_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Edges lo + i * (hi - lo) / bins formed in the input's dtype: rounding relative to |lo| + |hi|,
    a few operations deep. (Counts are integers: no scale.)"""
    x = np.asarray(args[0], dtype=np.float64)
    lo, hi = kwargs.get("range") or ((x.min(), x.max()) if x.size else (0.0, 1.0))
    return np.abs(ref) + 4.0 * (abs(lo) + abs(hi))


def trapezoid_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    y = np.abs(np.asarray(args[0], dtype=np.float64))
    x = args[1] if len(args) > 1 else None
    dx = abs(kwargs.get("dx", 1.0))
    axis = kwargs.get("axis", -1)
    terms = y.shape[axis] if y.ndim else 1
    return np.abs(np.trapezoid(y, x, dx=dx, axis=axis)) * np.sqrt(max(terms, 1))


def average_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    x = np.abs(np.asarray(args[0], dtype=np.float64))
    return np.abs(average(x, kwargs.get("axis"), kwargs.get("weights"))) * np.sqrt(_terms(x, ref))
