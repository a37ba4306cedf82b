"""The tolerance model and the comparison of one output with the oracle.

``allowed = atol[dtype] + rtol[dtype] * scale``, where ``scale`` comes from the
spec's conditioning (elementwise: |ref|; a reduction: the reduction of |x|
times sqrt(n); a product: |a|·|b|). Shape, dtype, NaN and inf positions and
signed zeros are compared exactly. Integer and bool results are exact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from conformance.wire import dtype_from_name


@dataclasses.dataclass(frozen=True)
class Tolerance:
    atol: float
    rtol: float


# Started from torch.testing.assert_close's defaults. float64 is tightened from
# (1e-7, 1e-7): float32 rounding (eps 1.2e-7) must never pass as float64.
# atol is about the dtype's epsilon at magnitude 1; conditioning does the rest.
VALUE_TOLERANCE = {
    "float16": Tolerance(atol=1e-3, rtol=1e-3),
    "bfloat16": Tolerance(atol=8e-3, rtol=1.6e-2),
    "float32": Tolerance(atol=1e-6, rtol=1.3e-6),
    "float64": Tolerance(atol=1e-12, rtol=1e-10),
}
# Gradients go through more operations, and the oracle's central differences
# are good to about 1e-9 relative.
GRAD_TOLERANCE = {
    "float32": Tolerance(atol=1e-5, rtol=1e-5),
    "float64": Tolerance(atol=1e-8, rtol=1e-7),
}

def doubled(tol: Tolerance | None) -> Tolerance | None:
    """Twice ``tol``: two answers each within ``tol`` of the oracle can be this far apart."""
    return None if tol is None else Tolerance(atol=2 * tol.atol, rtol=2 * tol.rtol)


#: (args in float64, kwargs, reference) -> scale. A conditioning with the attribute
#: ``needs_dtype = True`` is also called with ``dtype=`` the first argument's dtype as drawn
#: (resampling: the backends compute their weights in it).
Conditioning = Callable[..., np.ndarray]


def elementwise(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Scale of a correctly rounded elementwise result: its own magnitude."""
    return np.abs(ref)


def with_input_magnitude(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """|ref| + |x|: for results formed by cancellation against the input (gelu, log_softmax)."""
    return np.abs(ref) + np.abs(np.asarray(args[0], dtype=np.float64))


def reduction_of(reference: Callable[..., np.ndarray]) -> Conditioning:
    """The reduction applied to |x|, times sqrt(number of terms)."""

    def scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
        x = np.abs(np.asarray(args[0], dtype=np.float64))
        reduced = np.asarray(reference(x, **kwargs), dtype=np.float64)
        terms = max(x.size // max(np.asarray(ref).size, 1), 1)
        return np.abs(reduced) * np.sqrt(terms)

    return scale


def products_of(reference: Callable[..., np.ndarray], terms: Callable[..., int]) -> Conditioning:
    """A bilinear op (matmul, conv) on |a|, |b|, times sqrt(terms per output)."""

    def scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
        magnitudes = [np.abs(np.asarray(a, dtype=np.float64)) for a in args]
        return np.asarray(reference(*magnitudes, **kwargs)) * np.sqrt(max(terms(*args, **kwargs), 1))

    return scale


@dataclasses.dataclass
class Mismatch:
    """Why one output differs from the oracle, with the figures to show."""

    kind: str  # shape | dtype | nan | inf | signed_zero | value | integer
    summary: str
    max_abs: float = 0.0
    max_rel: float = 0.0
    max_ulp: float = 0.0


@dataclasses.dataclass
class ErrorStats:
    max_abs: float = 0.0
    max_rel: float = 0.0
    max_ulp: float = 0.0


def finfo(dtype: str) -> Any:
    """np.finfo, or ml_dtypes.finfo for the extension dtypes (bfloat16)."""
    try:
        return np.finfo(dtype_from_name(dtype))
    except ValueError:
        import ml_dtypes

        return ml_dtypes.finfo(dtype_from_name(dtype))


def ulp_of(values: np.ndarray, dtype: str) -> np.ndarray:
    """The spacing of ``dtype`` at each value's magnitude (normal range)."""
    info = finfo(dtype)
    eps, tiny = float(info.eps), float(info.tiny)
    magnitude = np.maximum(np.abs(values), tiny)
    return eps * np.exp2(np.floor(np.log2(magnitude)))


def compare(got: np.ndarray, ref: np.ndarray, dtype: str | None, scale: np.ndarray | None,
            tol: Tolerance | None, signed_zeros: bool = True) -> tuple[Mismatch | None, ErrorStats]:
    """Compare an adapter's output with the oracle's float64 (or integer) result.

    ``dtype`` is the expected result dtype (None: not checked, judged at the
    dtype the adapter returned).
    """
    stats = ErrorStats()
    got = np.asarray(got)
    ref = np.asarray(ref)
    if got.shape != ref.shape:
        return Mismatch("shape", f"shape {got.shape}, expected {ref.shape}"), stats
    got_dtype = got.dtype.name
    if dtype is not None and got_dtype != dtype:
        return Mismatch("dtype", f"dtype {got_dtype}, expected {dtype}"), stats
    if got.size == 0:
        return None, stats
    judged = dtype or got_dtype
    if judged not in VALUE_TOLERANCE:  # integers and bools: exact
        equal = got.astype(np.float64) == ref.astype(np.float64)
        if ref.dtype.kind == "f":
            equal |= np.isnan(got.astype(np.float64)) & np.isnan(ref)
        if not equal.all():
            idx = _first(~equal)
            return Mismatch(
                "integer", f"{int((~equal).sum())}/{got.size} elements differ; first at {idx}: "
                f"got {got[idx]!r}, expected {ref[idx]!r}"), stats
        return None, stats
    g = got.astype(np.float64)
    r = ref.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        r_rounded = r.astype(dtype_from_name(judged)).astype(np.float64)
    nan_g, nan_r = np.isnan(g), np.isnan(r)
    if (nan_g != nan_r).any():
        idx = _first(nan_g != nan_r)
        return Mismatch("nan", f"NaN positions differ ({int((nan_g != nan_r).sum())}/{g.size}); "
                        f"first at {idx}: got {g[idx]!r}, expected {r[idx]!r}"), stats
    inf_g, inf_r = np.isinf(g), np.isinf(r_rounded)
    bad_inf = (inf_g | inf_r) & ~nan_r & (g != r_rounded)
    if bad_inf.any():
        idx = _first(bad_inf)
        return Mismatch("inf", f"inf positions differ ({int(bad_inf.sum())}/{g.size}); first at "
                        f"{idx}: got {g[idx]!r}, expected {r[idx]!r} ({judged}: {r_rounded[idx]!r})"), stats
    finite = ~(nan_r | inf_r | inf_g)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.where(finite, np.abs(g - r), 0.0)
    assert tol is not None
    sc = np.broadcast_to(np.abs(r) if scale is None else scale, r.shape)
    allowed = tol.atol + tol.rtol * sc
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(finite & (r != 0), err / np.abs(r), np.where(err > 0, np.inf, 0.0))
    ulp = np.where(finite, err / ulp_of(r, judged), 0.0)
    stats = ErrorStats(float(err.max()), float(rel.max()), float(ulp.max()))
    bad = err > allowed
    if bad.any():
        excess = np.where(bad, err - np.nan_to_num(allowed, nan=0.0), -np.inf)
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
        return Mismatch(
            "value",
            f"{int(bad.sum())}/{g.size} elements beyond tolerance; worst at {worst}: "
            f"got {g[worst]!r}, expected {r[worst]!r}, |error| {err[worst]:.3g} > allowed "
            f"{allowed[worst]:.3g} (atol {tol.atol:g} + rtol {tol.rtol:g} x scale {sc[worst]:.3g}); "
            f"greatest abs error {stats.max_abs:.3g}, greatest rel error {stats.max_rel:.3g} "
            f"at {tuple(int(i) for i in np.unravel_index(int(np.argmax(rel)), rel.shape))}, "
            f"{stats.max_ulp:.3g} ulp ({judged})",
            stats.max_abs, stats.max_rel, stats.max_ulp), stats
    if signed_zeros:
        zero = finite & (r == 0) & (g == 0) & (np.signbit(g) != np.signbit(r))
        if zero.any():
            idx = _first(zero)
            return Mismatch("signed_zero", f"sign of zero differs ({int(zero.sum())}/{g.size}); "
                            f"first at {idx}: got {g[idx]!r}, expected {r[idx]!r}"), stats
    return None, stats


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def describe_array(a: Any, limit: int = 12) -> str:
    a = np.asarray(a)
    flat = a.reshape(-1)
    head = np.array2string(flat[:limit], precision=6, separator=", ", threshold=limit)
    more = f" … ({a.size} elements)" if a.size > limit else ""
    return f"{a.dtype.name}{list(a.shape)} {head}{more}"
