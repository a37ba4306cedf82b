"""Strategies and references of ops that take a list of arrays or a leading string.

``concatenate``/``stack``/``hstack``/``vstack``/``dstack`` take a list ``xs``;
``select`` two lists; ``einsum`` a subscripts string before its operands. The
spec passes the arrays flat and a calling convention (``_pack``, ``_leading``:
see ``OpSpec.prepare``); the references here take them flat too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance.strategies import SPECIAL, ArgsFactory, arrays, bounded, composite, shapes

MAX_ARRAYS = 4


# -- references ------------------------------------------------------------------------------
def concatenate(*xs: np.ndarray, axis: int | None = 0) -> np.ndarray:
    return np.concatenate(xs, axis=axis)


def stack(*xs: np.ndarray, axis: int = 0) -> np.ndarray:
    return np.stack(xs, axis=axis)


def hstack(*xs: np.ndarray) -> np.ndarray:
    return np.hstack(xs)


def vstack(*xs: np.ndarray) -> np.ndarray:
    return np.vstack(xs)


def dstack(*xs: np.ndarray) -> np.ndarray:
    return np.dstack(xs)


def select(*arrays_: np.ndarray, default: float = 0) -> np.ndarray:
    """``arrays_`` = conditions then choices, as many of each."""
    half = len(arrays_) // 2
    return np.select(list(arrays_[:half]), list(arrays_[half:]), default=default)


def einsum(subscripts: str, *operands: np.ndarray) -> np.ndarray:
    # optimize=False: a plain sum of products, so NaN * 0 stays NaN in the float64 reference
    return np.einsum(subscripts, *operands, optimize=False)


# -- strategies ------------------------------------------------------------------------------
def _count(draw: Any) -> int:
    return draw(st.integers(1, MAX_ARRAYS))


def concatenate_args(axis_none: bool = True) -> ArgsFactory:
    """1-4 arrays equal in every dimension but ``axis``."""

    def draw_args(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        base = list(draw(shapes(mode, min_dims=1, max_dims=3, max_side=4))) or [1]
        axis = draw(st.integers(-len(base), len(base) - 1))
        options = [axis, None] if axis_none else [axis]
        chosen = draw(st.sampled_from(options))
        xs = []
        for _ in range(_count(draw)):
            shape = list(base)
            if chosen is not None:
                shape[axis] = draw(st.integers(0 if mode == SPECIAL else 1, 4))
            else:
                shape = list(draw(shapes(mode, min_dims=1, max_dims=3, max_side=4))) or [1]
            xs.append(draw(arrays(dtype, tuple(shape), mode)))
        return xs, {"axis": chosen, "_pack": [[0, None]]}

    return composite(draw_args)


def same_shape_args(with_axis: bool, min_dims: int = 0) -> ArgsFactory:
    """1-4 arrays of one shape (``stack``; ``hstack``/``vstack``/``dstack`` with ``with_axis=False``)."""

    def draw_args(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(mode, min_dims=max(min_dims, 1 if mode != SPECIAL else 0),
                            max_dims=3, max_side=4))
        xs = [draw(arrays(dtype, shape, mode)) for _ in range(_count(draw))]
        kwargs: dict[str, Any] = {"_pack": [[0, None]]}
        if with_axis:
            kwargs["axis"] = draw(st.integers(-len(shape) - 1, len(shape)))
        return xs, kwargs

    return composite(draw_args)


def select_args() -> ArgsFactory:
    """n boolean conditions and n choices of one shape, and a default (given or left out)."""

    def draw_args(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(mode, min_dims=1, max_dims=3, max_side=4))
        n = _count(draw)
        conditions = [draw(arrays("bool", shape, mode)) for _ in range(n)]
        choices = [draw(arrays(dtype, shape, mode)) for _ in range(n)]
        kwargs: dict[str, Any] = {"_pack": [[0, n], [n, None]]}
        if draw(st.booleans()):
            kwargs["default"] = draw(st.integers(0, 5))
        return conditions + choices, kwargs

    return composite(draw_args)


#: einsum patterns and the operand shapes they take (letters -> drawn sizes)
EINSUM_PATTERNS = (
    ("ij,jk->ik", ("ij", "jk")),
    ("ij->ji", ("ij",)),
    ("ii->i", ("ii",)),
    ("ij->", ("ij",)),
    ("i,i->", ("i", "i")),
    ("i,j->ij", ("i", "j")),
    ("bij,bjk->bik", ("bij", "bjk")),
    ("ij,ij->ij", ("ij", "ij")),
    ("...ij,...jk->...ik", ("bij", "bjk")),
)


def einsum_args() -> ArgsFactory:
    def draw_args(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        subscripts, operands = draw(st.sampled_from(EINSUM_PATTERNS))
        low = 0 if mode == SPECIAL else 1
        sizes = {letter: draw(st.integers(low, 4)) for letter in "bijk"}
        # integers folded into [-5, 5]: at most 4 products of 25 cannot overflow int8
        xs = [draw(arrays(dtype, tuple(sizes[c] for c in spec), mode, bounded(5))) for spec in operands]
        return xs, {"_leading": [subscripts]}

    return composite(draw_args)


def einsum_terms(*operands: np.ndarray, **_: Any) -> int:
    return max((max(o.shape) if o.ndim else 1) for o in operands) if operands else 1


def einsum_scale(args: list, kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Conditioning of a sum of products: einsum over |operands|, times sqrt(terms)."""
    subscripts, *operands = args
    magnitudes = [np.abs(np.asarray(o, dtype=np.float64)) for o in operands]
    return np.asarray(einsum(subscripts, *magnitudes)) * np.sqrt(einsum_terms(*operands))
