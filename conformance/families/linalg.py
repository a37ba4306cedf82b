"""Strategies and float64 references of ``keras.ops.linalg`` (and ``ops.logdet``).

Matrices are drawn well conditioned, so that a backend's float32 answer is
judged against rounding, not against the conditioning of the problem:

- general square: ``U diag(s) V^T`` with U, V random orthogonal and ``s`` in
  [0.5, 2] (condition number <= 4), random signs of the determinant;
- symmetric positive definite: ``Q diag(s) Q^T``, ``s`` in [0.5, 2];
- symmetric (eigh): ``Q diag(s) Q^T`` with ``s`` in ±[0.5, 2], eigenvalues
  at least 0.05 apart (eigenvectors then well defined, though sign-free);
- triangular: diagonal in ±[1, 2], off-diagonal uniform in [-0.3, 0.3];
- rectangular full rank (lstsq, pinv, svd): ``U diag(s) V^T`` with ``s`` in [0.5, 2];
- rank-r (matrix_rank): r singular values in [0.5, 2], the rest exactly zero.

Rounding the drawn float64 matrix to the case's dtype perturbs it by an
ulp; the oracle computes on the rounded matrix, which stays well conditioned.
Tolerances scale with ``cond * |result|`` (:func:`conditioned`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.linalg
from hypothesis import strategies as st

from conformance.strategies import GRAD, SPECIAL, composite
from conformance.wire import dtype_from_name

#: the condition number bound of every drawn matrix (s_max / s_min <= 2 / 0.5)
COND = 4.0


def orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _batch(draw: Any, mode: str) -> tuple[int, ...]:
    if mode == GRAD:
        return ()
    return tuple(draw(st.lists(st.integers(1, 2), max_size=2)))


def matrix(kind: str, rng: np.random.Generator, m: int, n: int, rank: int | None = None) -> np.ndarray:
    """One float64 matrix of ``kind`` (see the module docstring)."""
    if kind == "general":
        s = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)
        return orthogonal(rng, n) @ np.diag(s) @ orthogonal(rng, n).T
    if kind == "spd":
        q = orthogonal(rng, n)
        a = q @ np.diag(rng.uniform(0.5, 2.0, n)) @ q.T
        return (a + a.T) / 2
    if kind == "symmetric":
        s = np.sort(rng.uniform(0.5, 2.0, n))
        s = s + 0.05 * np.arange(n)  # at least 0.05 apart before the signs
        s = s * rng.choice([-1.0, 1.0], n)
        q = orthogonal(rng, n)
        a = q @ np.diag(s) @ q.T
        return (a + a.T) / 2
    if kind in ("lower", "upper"):
        a = rng.uniform(-0.3, 0.3, (n, n))
        np.fill_diagonal(a, rng.uniform(1.0, 2.0, n) * rng.choice([-1.0, 1.0], n))
        return np.tril(a) if kind == "lower" else np.triu(a)
    if kind in ("rectangular", "rank"):
        k = min(m, n)
        s = rng.uniform(0.5, 2.0, k)
        if rank is not None:
            s[rank:] = 0.0
        return orthogonal(rng, m)[:, :k] @ np.diag(s) @ orthogonal(rng, n)[:, :k].T
    raise ValueError(kind)


def _stack(kind: str, rng: np.random.Generator, batch: tuple[int, ...], m: int, n: int,
           dtype: str, rank: int | None = None) -> np.ndarray:
    mats = [matrix(kind, rng, m, n, rank) for _ in range(int(np.prod(batch)))]
    out = np.array(mats).reshape(*batch, m, n)
    rounded = out.astype(dtype_from_name(dtype))
    if kind in ("spd", "symmetric"):  # symmetric before and after rounding
        rounded = ((rounded.astype(np.float64) + np.swapaxes(rounded.astype(np.float64), -1, -2)) / 2).astype(
            rounded.dtype)
    return rounded


def square(kind: str, **fixed: Any) -> Any:
    """One square matrix (batched unless grad) of ``kind``; ``fixed`` kwargs, lists drawn from."""

    def draw_square(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        n = draw(st.integers(1, 3 if mode == GRAD else 5))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        kwargs = {k: draw(st.sampled_from(v)) if isinstance(v, list) else v for k, v in fixed.items()}
        kwargs = {k: v for k, v in kwargs.items() if v is not _LEFT_OUT}
        if kind == "factor":  # cholesky_inverse: a triangular factor with a positive diagonal
            x = _stack("lower", rng, _batch(draw, mode), n, n, dtype)
            x = x * np.sign(np.diagonal(x, axis1=-2, axis2=-1))[..., None, :].astype(x.dtype)
            if kwargs.get("upper"):
                x = np.swapaxes(x, -1, -2).copy()
        else:
            x = _stack(kind, rng, _batch(draw, mode), n, n, dtype)
        return [x], kwargs

    return composite(draw_square)


#: a sentinel in a ``fixed`` list: the keyword is left out
_LEFT_OUT = object()
LEFT_OUT = _LEFT_OUT


def system(kind: str, vector_rhs: bool = False, **fixed: Any) -> Any:
    """A square matrix of ``kind`` and right-hand sides b (..., n, k) (or (n,) when ``vector_rhs``)."""

    def draw_system(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        n = draw(st.integers(1, 3 if mode == GRAD else 5))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        kwargs = {k: draw(st.sampled_from(v)) if isinstance(v, list) else v for k, v in fixed.items()}
        kwargs = {k: v for k, v in kwargs.items() if v is not _LEFT_OUT}
        this = kind
        if kind == "triangular":
            this = "lower" if kwargs.get("lower") else "upper"
        batch = _batch(draw, mode)
        a = _stack(this, rng, batch, n, n, dtype)
        if vector_rhs and not batch:
            shape_b: tuple[int, ...] = (n,)
        else:
            shape_b = (*batch, n, draw(st.integers(1, 2 if mode == GRAD else 3)))
        b = rng.standard_normal(shape_b).astype(dtype_from_name(dtype))
        return [a, b], kwargs

    return composite(draw_system)


def rectangular(kind: str = "rectangular", tall: bool | None = None, batched: bool = True, **fixed: Any) -> Any:
    """An m x n full-rank matrix (``kind="rank"``: a random rank r <= min(m, n))."""

    def draw_rect(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        m, n = draw(st.integers(1, 5)), draw(st.integers(1, 5))
        if tall is not None and (m < n) == tall:
            m, n = n, m
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        rank = draw(st.integers(0, min(m, n))) if kind == "rank" else None
        kwargs = {k: draw(st.sampled_from(v)) if isinstance(v, list) else v for k, v in fixed.items()}
        kwargs = {k: v for k, v in kwargs.items() if v is not _LEFT_OUT}
        batch = _batch(draw, mode) if batched else ()
        return [_stack(kind, rng, batch, m, n, dtype, rank)], kwargs

    return composite(draw_rect)


def lstsq_args() -> Any:
    """a (m, n), m >= n, full column rank; b (m,) or (m, k); rcond left out."""

    def draw_lstsq(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        n = draw(st.integers(1, 4))
        m = draw(st.integers(n, 6))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        a = _stack("rectangular", rng, (), m, n, dtype)
        shape_b = (m,) if draw(st.booleans()) else (m, draw(st.integers(1, 3)))
        return [a, rng.standard_normal(shape_b).astype(dtype_from_name(dtype))], {}

    return composite(draw_lstsq)


def norm_args(matrix_norm: bool) -> Any:
    """Vector norms (axis an int or None on 1-D) or matrix norms (axis a pair or None on 2-D)."""

    def draw_norm(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        from conformance.strategies import arrays, shapes

        if matrix_norm:
            shape = draw(shapes(mode, min_dims=2, max_dims=3, max_side=5).filter(lambda s: len(s) >= 2))
            x = draw(arrays(dtype, shape, mode))
            pair = draw(st.permutations(list(range(x.ndim))))[:2]
            axis = tuple(pair) if x.ndim > 2 or draw(st.booleans()) else None
            orders: list[Any] = [None, "fro", 1, -1, np.inf, -np.inf]
            if mode != SPECIAL:
                orders += ["nuc", 2, -2]
            ord_ = draw(st.sampled_from(orders))
            kwargs: dict[str, Any] = {"ord": ord_, "axis": list(axis) if axis else None}
        else:
            x = draw(arrays(dtype, shapes(mode, min_dims=1, max_dims=3).filter(lambda s: len(s) > 0), mode))
            axis = draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim > 1 or draw(st.booleans()) else None
            if x.ndim > 1 and axis is None:
                axis = -1
            ord_ = draw(st.sampled_from([None, 1, 2, 3, 0.5, np.inf, -np.inf, 0]))
            kwargs = {"ord": ord_, "axis": axis}
        if kwargs["ord"] is None and draw(st.booleans()):
            del kwargs["ord"]
        kwargs["keepdims"] = draw(st.booleans())
        if isinstance(kwargs.get("ord"), float) and np.isinf(kwargs["ord"]):
            kwargs["ord"] = float(kwargs["ord"])
        return [x], kwargs

    return composite(draw_norm)


# -- references ---------------------------------------------------------------------------
def _batched(fn: Callable[[np.ndarray], Any]) -> Callable[[np.ndarray], Any]:
    """Apply a 2-D function over leading batch dimensions."""

    def apply(x: np.ndarray) -> Any:
        if x.ndim == 2:
            return fn(x)
        outs = [fn(m) for m in x.reshape(-1, *x.shape[-2:])]
        if isinstance(outs[0], tuple):
            return tuple(np.array([o[i] for o in outs]).reshape(*x.shape[:-2], *np.shape(outs[0][i]))
                         for i in range(len(outs[0])))
        return np.array(outs).reshape(*x.shape[:-2], *np.shape(outs[0]))

    return apply


det = np.linalg.det
inv = np.linalg.inv


def cholesky(x: np.ndarray, upper: bool = False) -> np.ndarray:
    lower = np.linalg.cholesky(x)
    return np.swapaxes(lower, -1, -2) if upper else lower


def cholesky_inverse(x: np.ndarray, upper: bool = False) -> np.ndarray:
    """The inverse of A = L L^T (x = L) or A = U^T U (x = U)."""
    xt = np.swapaxes(x, -1, -2)
    a = xt @ x if upper else x @ xt
    return np.linalg.inv(a)


def eigh_values(x: np.ndarray) -> tuple[np.ndarray]:
    """Only the eigenvalues (ascending): out1, the eigenvectors, is unique up to sign and not judged."""
    return (np.linalg.eigvalsh(x),)


def lu_factor(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LAPACK getrf: L and U packed, and 0-based row interchanges (row i swapped with piv[i])."""
    return _batched(lambda m: scipy.linalg.lu_factor(m, check_finite=False))(x)


def lstsq(a: np.ndarray, b: np.ndarray, rcond: float | None = None) -> np.ndarray:
    return np.linalg.lstsq(a, b, rcond=rcond)[0]


def matrix_rank(x: np.ndarray, tol: float | None = None) -> np.ndarray:
    return np.linalg.matrix_rank(x, tol=tol)


def norm(x: np.ndarray, ord: Any = None, axis: Any = None, keepdims: bool = False) -> np.ndarray:  # noqa: A002
    return np.linalg.norm(x.astype(np.float64), ord=ord, axis=axis, keepdims=keepdims)


def pinv(x: np.ndarray, rcond: float | None = None) -> np.ndarray:
    return np.linalg.pinv(x) if rcond is None else np.linalg.pinv(x, rcond=rcond)


def solve_triangular(a: np.ndarray, b: np.ndarray, lower: bool = False) -> np.ndarray:
    return np.linalg.solve(np.tril(a) if lower else np.triu(a), b)


def svd_values(x: np.ndarray, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    s = np.linalg.svd(x, compute_uv=False)
    return s if not compute_uv else (s,)


def logdet(x: np.ndarray) -> np.ndarray:
    sign, value = np.linalg.slogdet(x)
    return np.where(sign > 0, value, np.nan)


def slogdet(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sign, log|det|), as numpy.linalg.slogdet."""
    sign, value = np.linalg.slogdet(x)
    return sign, value


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if b.ndim == 1:
        return np.linalg.solve(a, b[:, None])[:, 0]
    return np.linalg.solve(a, b)


# -- conditioning ---------------------------------------------------------------------------
def conditioned(factor: float = COND) -> Callable[[Sequence[np.ndarray], dict, np.ndarray], np.ndarray]:
    """|ref| + cond * n * max|ref| over each matrix: a backward-stable algorithm's forward error."""

    def scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
        if ref.size == 0 or ref.ndim == 0:
            return np.abs(ref) * factor
        n = max(np.asarray(args[0]).shape[-1], 1)
        axes = (-2, -1) if ref.ndim >= 2 else (-1,)
        big = np.max(np.abs(np.where(np.isfinite(ref), ref, 0)), axis=axes, keepdims=True)
        return np.abs(ref) + factor * n * big

    return scale


def determinant_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """cond * n * |det|: the relative error of an LU-based determinant."""
    return np.abs(ref) * COND * max(np.asarray(args[0]).shape[-1], 1)


def logdet_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """|ref| + cond * n: a relative error of det is an absolute error of its log."""
    return np.abs(ref) + COND * max(np.asarray(args[0]).shape[-1], 1)
