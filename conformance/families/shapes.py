"""Strategies and float64 references of the shape, indexing, creation and linear-algebra ops.

Owns what the specs of ``specs/ops/numpy/{shapes,indexing,creation,linear}.py``
share: argument factories (``(dtype, mode) -> strategy of (args, kwargs)``),
NumPy references with Keras 3 keyword names (multi-output ops return tuples),
conditioning functions, and two small :class:`OpSpec` variants:

- :class:`ShapeOnlySpec`: only the shape and dtype of the result are defined
  (``empty``, ``empty_like``);
- :class:`BitsSpec`: the reference needs the arguments in their own dtype,
  not widened to float64 (``view`` reinterprets bits).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance.spec import Draw, OpSpec
from conformance.strategies import (
    MAX_ELEMENTS,
    SPECIAL,
    ArgsFactory,
    Domain,
    arrays,
    axis_for,
    broadcastable_shapes,
    composite,
    is_float,
    shapes,
)
from conformance.wire import dtype_from_name

KwargsFn = Callable[[Any, np.ndarray], dict]


# -- shapes ------------------------------------------------------------------------
def shapes_at_least(mode: str, min_dims: int = 1, max_dims: int = 4, max_side: int = 6) -> st.SearchStrategy:
    """Shapes of rank >= ``min_dims`` (also in special mode, unlike strategies.shapes); sides of 0 in special."""
    return shapes(mode, min_dims, max(max_dims, min_dims), max_side, min_side=0 if mode == SPECIAL else 1)


def array_and(kwargs_fn: KwargsFn | None = None, min_dims: int = 1, max_dims: int = 4,
              max_side: int = 6, domain: Domain | None = None, zero_d: bool = True) -> ArgsFactory:
    """One array (rank >= ``min_dims``; 0-d too in special mode when ``zero_d``) and drawn kwargs."""

    def draw_one(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        low = 0 if (mode == SPECIAL and zero_d and min_dims <= 1) else min_dims
        x = draw(arrays(dtype, shapes_at_least(mode, low, max_dims, max_side), mode, domain))
        return [x], (kwargs_fn(draw, x) if kwargs_fn else {})

    return composite(draw_one)


def two_arrays(shapes_fn: Callable[[Any, str], tuple[tuple, tuple, dict]],
               domain: Domain | None = None) -> ArgsFactory:
    """Two arrays of one dtype; ``shapes_fn(draw, mode) -> (shape1, shape2, kwargs)``."""

    def draw_two(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        s1, s2, kwargs = shapes_fn(draw, mode)
        cap = MAX_ELEMENTS[mode]
        if int(np.prod(s1)) > cap or int(np.prod(s2)) > cap:
            s1, s2, kwargs = shapes_fn(draw, "tiny")
        return [draw(arrays(dtype, s1, mode, domain)), draw(arrays(dtype, s2, mode, domain))], kwargs

    return composite(draw_two)


def side(draw: Any, mode: str, high: int = 5) -> int:
    return draw(st.integers(0 if mode == SPECIAL else 1, 2 if mode == "tiny" else high))


# -- keyword strategies of one-array ops ---------------------------------------------
def axis_kw(name: str = "axis", allow_none: bool = True, allow_tuple: bool = True) -> KwargsFn:
    return lambda draw, x: {name: draw(axis_for(x.ndim, allow_none, allow_tuple))}


def expand_dims_kw(draw: Any, x: np.ndarray) -> dict:
    rank = x.ndim + 1
    if draw(st.booleans()):
        return {"axis": draw(st.integers(-rank, rank - 1))}
    extra = draw(st.integers(1, 2))
    axes = draw(st.lists(st.integers(0, x.ndim + extra - 1), min_size=extra, max_size=extra, unique=True))
    return {"axis": axes}


def moveaxis_kw(draw: Any, x: np.ndarray) -> dict:
    if draw(st.booleans()):
        return {"source": draw(st.integers(-x.ndim, x.ndim - 1)),
                "destination": draw(st.integers(-x.ndim, x.ndim - 1))}
    n = draw(st.integers(1, x.ndim))
    source = draw(st.lists(st.integers(0, x.ndim - 1), min_size=n, max_size=n, unique=True))
    destination = draw(st.lists(st.integers(0, x.ndim - 1), min_size=n, max_size=n, unique=True))
    return {"source": source, "destination": destination}


def repeat_kw(draw: Any, x: np.ndarray) -> dict:
    axis = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    return {"repeats": draw(st.integers(0, 3)), "axis": axis}


def roll_kw(draw: Any, x: np.ndarray) -> dict:
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return {"shift": draw(st.integers(-8, 8))}
    if choice == 1:
        return {"shift": draw(st.integers(-8, 8)), "axis": draw(st.integers(-x.ndim, x.ndim - 1))}
    n = draw(st.integers(1, x.ndim))
    axes = draw(st.lists(st.integers(0, x.ndim - 1), min_size=n, max_size=n, unique=True))
    return {"shift": draw(st.lists(st.integers(-8, 8), min_size=n, max_size=n)), "axis": axes}


def rot90_kw(draw: Any, x: np.ndarray) -> dict:
    kw: dict = {}
    if draw(st.booleans()):
        kw["k"] = draw(st.integers(-3, 5))
    if draw(st.booleans()):
        kw["axes"] = draw(st.lists(st.integers(0, x.ndim - 1), min_size=2, max_size=2, unique=True))
    return kw


def split_kw(draw: Any, x: np.ndarray) -> dict:
    """Equal sections (a divisor of the axis' length) or sorted split indices in [0, length]."""
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    length = x.shape[axis]
    if draw(st.booleans()) and length > 0:
        sections: Any = draw(st.sampled_from([d for d in range(1, length + 1) if length % d == 0]))
    else:
        sections = sorted(draw(st.lists(st.integers(0, length), min_size=1, max_size=3)))
    return {"indices_or_sections": sections, "axis": axis}


def array_split_kw(draw: Any, x: np.ndarray) -> dict:
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return {"indices_or_sections": draw(st.integers(1, max(x.shape[axis], 1))), "axis": axis}


def directional_split_kw(axis: int) -> KwargsFn:
    """hsplit/vsplit/dsplit: a divisor of the split axis' length (hsplit: axis 0 of 1-D input)."""

    def kw(draw: Any, x: np.ndarray) -> dict:
        length = x.shape[axis if x.ndim > 1 else 0]
        divisors = [d for d in range(1, length + 1) if length % d == 0] or [1]
        return {"indices_or_sections": draw(st.sampled_from(divisors))}

    return kw


def squeeze_kw(draw: Any, x: np.ndarray) -> dict:
    ones = [i for i, s in enumerate(x.shape) if s == 1]
    if not ones or draw(st.booleans()):
        return {} if draw(st.booleans()) else {"axis": None}
    axes = draw(st.lists(st.sampled_from(ones), min_size=1, max_size=len(ones), unique=True))
    if len(axes) == 1 and draw(st.booleans()):
        return {"axis": axes[0] - x.ndim if draw(st.booleans()) else axes[0]}
    return {"axis": axes}


def with_unit_axes(mode: str) -> st.SearchStrategy:
    """Shapes where some sides are 1 (for squeeze)."""
    return shapes_at_least(mode, 1, 4, 4).flatmap(
        lambda s: st.lists(st.booleans(), min_size=len(s), max_size=len(s)).map(
            lambda flags: tuple(1 if f else d for f, d in zip(flags, s))))


def squeeze_args() -> ArgsFactory:
    def draw_squeeze(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, with_unit_axes(mode), mode))
        return [x], squeeze_kw(draw, x)

    return composite(draw_squeeze)


def swapaxes_kw(draw: Any, x: np.ndarray) -> dict:
    return {"axis1": draw(st.integers(-x.ndim, x.ndim - 1)), "axis2": draw(st.integers(-x.ndim, x.ndim - 1))}


def tile_kw(draw: Any, x: np.ndarray) -> dict:
    if draw(st.booleans()):
        return {"repeats": draw(st.integers(1, 3))}
    return {"repeats": draw(st.lists(st.integers(1, 3), min_size=1, max_size=x.ndim + 1))}


def diff_kw(draw: Any, x: np.ndarray) -> dict:
    kw: dict = {}
    if draw(st.booleans()):
        kw["n"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        kw["axis"] = draw(st.integers(-x.ndim, x.ndim - 1))
    return kw


def _offset(draw: Any, rows: int, cols: int, outside: bool) -> int:
    """A diagonal offset: one that meets the matrix (``outside``: one beyond it, by up to 2)."""
    if outside:
        return draw(st.one_of(st.integers(cols, cols + 2), st.integers(-rows - 2, -rows)).filter(
            lambda k: k != 0))
    return draw(st.integers(-max(rows - 1, 0), max(cols - 1, 0)))


def offset_kw(name: str = "k", outside: bool = False) -> KwargsFn:
    """The offset of a diagonal of the last two axes (1-D input: a diagonal of a square matrix)."""

    def kw(draw: Any, x: np.ndarray) -> dict:
        if x.ndim == 1:  # diag/diagflat of a vector: any offset builds a bigger matrix
            return {name: draw(st.integers(-3, 3))} if outside or draw(st.booleans()) else {}
        rows, cols = (x.size, 1) if x.ndim == 0 else x.shape[-2:]
        return {name: _offset(draw, rows, cols, outside)} if outside or draw(st.booleans()) else {}

    return kw


def diagonal_kw(name: str, outside: bool = False) -> KwargsFn:
    """offset and two distinct axes, each left out or given; the offset meets the matrix unless ``outside``."""

    def kw(draw: Any, x: np.ndarray) -> dict:
        out: dict = {}
        axes = (0, 1)
        if draw(st.booleans()):
            axes = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2).filter(
                lambda p: p[0] % x.ndim != p[1] % x.ndim))
            out["axis1"], out["axis2"] = axes
        if outside or draw(st.booleans()):
            out[name] = _offset(draw, x.shape[axes[0]], x.shape[axes[1]], outside)
        return out

    return kw


def pad_kw(mode: str, broadcast: bool = False) -> KwargsFn:
    """pad_width a pair per axis (``broadcast``: an int or one pair for every axis).

    reflect needs widths < side, symmetric <= side; constant_values left out or given.
    """

    def kw(draw: Any, x: np.ndarray) -> dict:
        limit = {"reflect": min(x.shape) - 1, "symmetric": min(x.shape)}.get(mode, 3)
        width = st.integers(0, max(min(limit, 3), 0))
        pad_width: Any
        if broadcast:
            pad_width = draw(width) if draw(st.booleans()) else [[draw(width), draw(width)]]
        else:
            pad_width = [[draw(width), draw(width)] for _ in range(x.ndim)]
        out: dict = {"pad_width": pad_width}
        if mode != "constant" or draw(st.booleans()):
            out["mode"] = mode
        if mode == "constant" and draw(st.booleans()):
            out["constant_values"] = draw(st.integers(0, 5))  # exact in every dtype the dtype check draws
        return out

    return kw


def broadcast_to_kw(draw: Any, x: np.ndarray) -> dict:
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    shape = [*lead, *(draw(st.integers(1, 3)) if s == 1 else s for s in x.shape)]
    if int(np.prod(shape)) > 512:
        shape = list(x.shape)
    return {"shape": shape}


# -- references (Keras 3 keyword names) ------------------------------------------------
def split(x: np.ndarray, indices_or_sections: Any, axis: int = 0) -> tuple:
    return tuple(np.split(x, list(indices_or_sections) if isinstance(indices_or_sections, tuple)
                          else indices_or_sections, axis=axis))


def array_split(x: np.ndarray, indices_or_sections: int, axis: int = 0) -> tuple:
    return tuple(np.array_split(x, indices_or_sections, axis=axis))


def axis_split(axis: int) -> Callable[..., tuple]:
    def ref(x: np.ndarray, indices_or_sections: Any) -> tuple:
        return split(x, indices_or_sections, axis if x.ndim > 1 else 0)

    return ref


def tile(x: np.ndarray, repeats: Any) -> np.ndarray:
    return np.tile(x, repeats)


def pad(x: np.ndarray, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> np.ndarray:
    width = np.asarray(pad_width).tolist()
    if mode == "constant":
        return np.pad(x, width, mode="constant", constant_values=constant_values or 0)
    return np.pad(x, width, mode=mode)


def trace_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    d = np.diagonal(np.abs(np.asarray(args[0], dtype=np.float64)), **kwargs)
    return np.sum(d, axis=-1) * np.sqrt(max(d.shape[-1], 1))


def diff_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Differences cancel: scale by the n-th difference of |x| (the sum of the terms' magnitudes)."""
    x = np.abs(np.asarray(args[0], dtype=np.float64))
    n, axis = kwargs.get("n", 1), kwargs.get("axis", -1)
    out = x
    for _ in range(n):
        if out.shape[axis] == 0:
            break
        out = np.delete(out, -1, axis=axis) + np.delete(out, 0, axis=axis)
    return out


# -- indexing ---------------------------------------------------------------------------
INDEX_DTYPES = ("int32", "int64")


def _indices(draw: Any, shape: Sequence[int], length: int, negative: bool) -> np.ndarray:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    low = -length if negative else 0
    out = rng.integers(low, length, size=tuple(shape)) if length > 0 else np.zeros(shape, np.int64)
    return out.astype(dtype_from_name(draw(st.sampled_from(INDEX_DTYPES))))


def take_args(negative: bool = False) -> ArgsFactory:
    """x, integer indices in [0, n) (``negative``: [-n, n)) of any rank, axis None or an int."""

    def draw_take(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes_at_least(mode, 1, 3, 5).filter(lambda s: min(s) > 0), mode))
        axis = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
        length = x.size if axis is None else x.shape[axis]
        idx_shape = draw(shapes(mode, 0, 2, 4, min_side=0 if mode == SPECIAL else 1))
        return [x, _indices(draw, idx_shape, length, negative)], {"axis": axis}

    return composite(draw_take)


def take(x: np.ndarray, indices: np.ndarray, axis: int | None = None) -> np.ndarray:
    return np.take(x, indices, axis=axis)


def take_along_axis_args(negative: bool = False) -> ArgsFactory:
    """x and indices of the same rank (sides 1 broadcast), axis an int or None (flattened)."""

    def draw_along(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes_at_least(mode, 1, 3, 5).filter(lambda s: min(s) > 0), mode))
        axis = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
        if axis is None:
            idx_shape: tuple = (draw(st.integers(1, 6)),)
            length = x.size
        else:
            idx_shape = tuple(draw(st.integers(1, 4)) if i == axis % x.ndim else
                              draw(st.sampled_from([1, s])) for i, s in enumerate(x.shape))
            length = x.shape[axis]
        return [x, _indices(draw, idx_shape, length, negative)], {"axis": axis}

    return composite(draw_along)


def take_along_axis(x: np.ndarray, indices: np.ndarray, axis: int | None = None) -> np.ndarray:
    if axis is None:
        return np.take_along_axis(x.reshape(-1), indices.reshape(-1), axis=0)
    axis %= x.ndim
    shape = [max(a, b) for a, b in zip(x.shape, indices.shape)]  # sides of 1 broadcast off the axis
    shape[axis] = x.shape[axis]
    idx_shape = list(shape)
    idx_shape[axis] = indices.shape[axis]
    return np.take_along_axis(np.broadcast_to(x, shape), np.broadcast_to(indices, idx_shape), axis=axis)


def get_item_kw(draw: Any, x: np.ndarray) -> dict:
    """An int (negative too) or a tuple of ints, one per leading axis (of nonzero side)."""
    leading = next((i for i, s in enumerate(x.shape) if s == 0), x.ndim)
    if leading == 0:
        return {"key": []}
    n = draw(st.integers(1, leading))
    key = [draw(st.integers(-s, s - 1)) for s in x.shape[:n]]
    return {"key": key[0] if n == 1 and draw(st.booleans()) else key}


def get_item(x: np.ndarray, key: Any) -> np.ndarray:
    return x[tuple(key) if isinstance(key, (list, tuple)) else key]


def nonzero(x: np.ndarray) -> tuple:
    return tuple(np.nonzero(x))


def sparse_zeros(values: np.ndarray) -> np.ndarray:
    """Domain of nonzero: about half the elements zero."""
    return np.where(np.abs(values) < 0.7, 0, values).astype(values.dtype)


def unravel_index_args() -> ArgsFactory:
    def draw_unravel(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
        total = int(np.prod(shape))
        seed = draw(st.integers(0, 2**32 - 1))
        n = draw(st.lists(st.integers(1, 6), min_size=0, max_size=2))
        idx = np.random.default_rng(seed).integers(0, min(total, 20 if dtype == "int8" else total), size=n)
        return [idx.astype(dtype_from_name(dtype))], {"shape": shape}

    return composite(draw_unravel)


def unravel_index(indices: np.ndarray, shape: Sequence[int]) -> tuple:
    return tuple(np.unravel_index(indices, tuple(shape)))


def meshgrid_args() -> ArgsFactory:
    def draw_mesh(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        n = draw(st.integers(1, 3))
        xs = [draw(arrays(dtype, (side(draw, mode, 4),), mode)) for _ in range(n)]
        return xs, ({"indexing": draw(st.sampled_from(["xy", "ij"]))} if draw(st.booleans()) else {})

    return composite(draw_mesh)


def meshgrid(*xs: np.ndarray, indexing: str = "xy") -> tuple:
    return tuple(np.meshgrid(*xs, indexing=indexing))


# -- creation ------------------------------------------------------------------------
def creation(kwargs_fn: Callable[[Any, str, str], dict]) -> ArgsFactory:
    """No array argument: ``kwargs_fn(draw, dtype, mode)`` draws every keyword (dtype included)."""

    def draw_creation(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        return [], kwargs_fn(draw, dtype, mode)

    return composite(draw_creation)


def maybe_dtype(draw: Any, dtype: str) -> dict:
    """``dtype=`` given (the drawn dtype) or left out (Keras: floatx)."""
    return {"dtype": dtype} if draw(st.booleans()) else {}


def kwarg_dtype(default: str = "float32") -> Callable[[Sequence[str], dict], str]:
    """Rule: the ``dtype`` keyword, else ``default``."""

    def rule(dtypes: Sequence[str], kwargs: dict) -> str:
        return kwargs.get("dtype") or default

    return rule


def like_dtype(dtypes: Sequence[str], kwargs: dict) -> str:
    """Rule of the ``*_like`` ops: the ``dtype`` keyword, else the input's dtype."""
    return kwargs.get("dtype") or dtypes[0]


def shape_kw(draw: Any) -> list[int]:
    return draw(st.lists(st.integers(0, 4), min_size=0, max_size=3))


def fill_value(draw: Any, dtype: str) -> Any:
    if dtype == "bool":
        return draw(st.booleans())
    if is_float(dtype):
        return draw(st.sampled_from([0.0, 1.0, -2.5, 3.25, 0.5]))
    low = 0 if dtype.startswith("u") else -5
    return draw(st.integers(low, 5))


def windows_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Cosine windows: terms of magnitude <= 1 cancel, cosine arguments up to 4*pi are rounded."""
    return np.full(ref.shape, 1.0 + 4 * np.pi)


# -- BitsSpec / ShapeOnlySpec --------------------------------------------------------------
@dataclasses.dataclass
class ShapeOnlySpec(OpSpec):
    """Only the result's shape and dtype are defined (``empty``): values are never judged."""

    def prepare(self, check: str, args: list[np.ndarray], kwargs: dict, grad_seed: int = 0) -> Draw:
        drawn = super().prepare(check, args, kwargs, grad_seed)
        rule = self.result_dtype
        dtype = rule([a.dtype.name for a in args], kwargs) if callable(rule) else rule
        for expected in (drawn.expected or {}).values():
            expected.values, expected.dtype = False, dtype
        return drawn


@dataclasses.dataclass
class BitsSpec(OpSpec):
    """The reference receives each argument in its drawn dtype (``view`` reinterprets its bits)."""

    raw_reference: Callable[..., Any] | None = None

    def prepare(self, check: str, args: list[np.ndarray], kwargs: dict, grad_seed: int = 0) -> Draw:
        raw, kinds = self.raw_reference, [a.dtype for a in args]
        assert raw is not None

        def reference(*wide: np.ndarray, **kw: Any) -> Any:
            out = raw(*(np.asarray(w).astype(k) for w, k in zip(wide, kinds)), **kw)
            return oracle_view(out)

        self.reference = reference
        return super().prepare(check, args, kwargs, grad_seed)


def oracle_view(out: np.ndarray) -> np.ndarray:
    from conformance.oracle import to_oracle

    return to_oracle(out)


def view_args() -> ArgsFactory:
    """x with a last side that is a multiple of 8 bytes' worth, and a target dtype (not bool)."""

    def draw_view(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        lead = draw(st.lists(st.integers(1, 3), max_size=2))
        x = draw(arrays(dtype, (*lead, 8 * draw(st.integers(1, 2))), mode))
        target = draw(st.sampled_from(["float16", "bfloat16", "float32", "float64", "int8", "int16",
                                       "int32", "int64", "uint8", "uint16", "uint32"]))
        return [x], {"dtype": target}

    return composite(draw_view)


def view(x: np.ndarray, dtype: str) -> np.ndarray:
    return x.view(dtype_from_name(dtype))


# -- linear algebra: contractions written with einsum (every product formed: NaN * 0 stays NaN) --
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def contract(a: np.ndarray, b: np.ndarray, axes_a: Sequence[int], axes_b: Sequence[int]) -> np.ndarray:
    """numpy.tensordot(a, b, (axes_a, axes_b)), by einsum."""
    axes_a = [x % a.ndim for x in axes_a]
    axes_b = [x % b.ndim for x in axes_b]
    sa = list(_LETTERS[:a.ndim])
    sb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for i, j in zip(axes_a, axes_b):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in axes_a] + [c for j, c in enumerate(sb) if j not in axes_b]
    return np.einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def dot(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    return contract(x1, x2, [-1], [-1 if x2.ndim == 1 else -2])


def inner(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    return contract(x1, x2, [-1], [-1])


def vdot(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.einsum("i,i->", x1.reshape(-1), x2.reshape(-1))


def outer(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1.reshape(-1)[:, None] * x2.reshape(-1)[None, :]  # products only: signs of zeros kept


def tensordot(x1: np.ndarray, x2: np.ndarray, axes: Any = 2) -> np.ndarray:
    if isinstance(axes, int):
        return contract(x1, x2, list(range(x1.ndim - axes, x1.ndim)), list(range(axes)))
    first, second = axes
    first = [first] if isinstance(first, int) else list(first)
    second = [second] if isinstance(second, int) else list(second)
    return contract(x1, x2, first, second)


def correlate(x1: np.ndarray, x2: np.ndarray, mode: str = "valid") -> np.ndarray:
    """numpy.correlate: c[k] = sum_n x1[n + k] * x2[n], k over the mode's range (x1 the longer)."""
    if mode == "same" and len(x1) < len(x2):  # numpy centres on the longer operand, x2
        full = correlate(x1, x2, "full")
        off = (len(x1) - 1) - len(x1) // 2
        return full[len(full) - off - len(x2):len(full) - off]
    a, v = (x1, x2) if len(x1) >= len(x2) else (x2[::-1], x1[::-1])
    n, m = len(a), len(v)
    pad = {"valid": 0, "same": m // 2, "full": m - 1}[mode]
    right = {"valid": 0, "same": m - 1 - m // 2, "full": m - 1}[mode]
    padded = np.concatenate([np.zeros(pad), a, np.zeros(right)])
    inside = np.concatenate([np.zeros(pad), np.ones(n), np.zeros(right)])
    out = []
    for k in range(len(padded) - m + 1):
        terms = np.where(inside[k:k + m] > 0, padded[k:k + m] * v, 0.0)
        out.append(np.sum(terms))
    return np.asarray(out, dtype=np.result_type(x1, x2, np.float64) if x1.dtype.kind == "f" else
                      np.result_type(x1, x2))


def terms_of(kind: str) -> Callable[..., int]:
    """Products summed into one output of the contraction ``kind``."""

    def terms(x1: np.ndarray, x2: np.ndarray, **kwargs: Any) -> int:
        if kind == "vdot":
            return x1.size
        if kind == "correlate":
            return min(len(x1), len(x2))
        if kind == "tensordot":
            axes = kwargs.get("axes", 2)
            if isinstance(axes, int):
                return int(np.prod(x1.shape[x1.ndim - axes:]))
            first = [axes[0]] if isinstance(axes[0], int) else list(axes[0])
            return int(np.prod([x1.shape[i] for i in first]))
        if x1.ndim == 0 or x2.ndim == 0:
            return 1
        return int(x1.shape[-1])

    return terms


def cross(x1: np.ndarray, x2: np.ndarray, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> np.ndarray:
    return np.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


def cross_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """a_j b_k - a_k b_j cancels: scale by a_j b_k + a_k b_j on magnitudes."""
    a, b = (np.abs(np.asarray(x, dtype=np.float64)) for x in args)
    axis = kwargs.get("axis")
    axisa, axisb, axisc = (axis, axis, axis) if axis is not None else (
        kwargs.get("axisa", -1), kwargs.get("axisb", -1), kwargs.get("axisc", -1))
    a, b = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1)
    a, b = np.broadcast_arrays(a, b)
    comps = [a[..., 1] * b[..., 2] + a[..., 2] * b[..., 1], a[..., 2] * b[..., 0] + a[..., 0] * b[..., 2],
             a[..., 0] * b[..., 1] + a[..., 1] * b[..., 0]]
    return np.moveaxis(np.stack(comps, axis=-1), -1, axisc)


def _dims(draw: Any, mode: str, n: int, high: int = 4) -> tuple[int, ...]:
    return tuple(side(draw, mode, high) for _ in range(n))


def dot_shapes(case: str) -> Callable[[Any, str], tuple[tuple, tuple, dict]]:
    """numpy.dot's cases: ``scalar`` (a 0-d operand), ``matrix`` (1-D . 1-D, N-D . 1-D, N-D . 2-D)
    and ``nd`` (N-D . M-D, M >= 3: last axis of x1 against the second-to-last of x2)."""

    def shapes_fn(draw: Any, mode: str) -> tuple[tuple, tuple, dict]:
        k = side(draw, mode)
        if case == "scalar":
            shape = _dims(draw, mode, draw(st.integers(0, 2)))
            return ((), shape, {}) if draw(st.booleans()) else (shape, (), {})
        lead = _dims(draw, mode, draw(st.integers(0, 2)), 3)
        if case == "nd":
            other = _dims(draw, mode, draw(st.integers(1, 2)), 3)
            return (*lead, k), (*other, k, side(draw, mode)), {}
        form = draw(st.integers(0, 2))
        if form == 0:
            return (k,), (k,), {}
        if form == 1:
            return (*lead, k), (k,), {}
        return (*lead, k), (k, side(draw, mode)), {}

    return shapes_fn


def inner_shapes(draw: Any, mode: str) -> tuple[tuple, tuple, dict]:
    if draw(st.integers(0, 4)) == 0:
        return (), _dims(draw, mode, draw(st.integers(0, 2))), {}
    k = side(draw, mode)
    return ((*_dims(draw, mode, draw(st.integers(0, 2)), 3), k),
            (*_dims(draw, mode, draw(st.integers(0, 2)), 3), k), {})


def vdot_shapes(flattened: bool) -> Callable[[Any, str], tuple[tuple, tuple, dict]]:
    """Two vectors of one length (``flattened``: arrays of rank 1 to 3 of one size)."""

    def shapes_fn(draw: Any, mode: str) -> tuple[tuple, tuple, dict]:
        if not flattened:
            k = side(draw, mode, 8)
            return (k,), (k,), {}
        s1 = _dims(draw, mode, draw(st.integers(2, 3)))
        return s1, (s1[::-1] if draw(st.booleans()) else (int(np.prod(s1)),)), {}

    return shapes_fn


def any_two_shapes(max_dims: int = 2, high: int = 4) -> Callable[[Any, str], tuple[tuple, tuple, dict]]:
    def shapes_fn(draw: Any, mode: str) -> tuple[tuple, tuple, dict]:
        return (_dims(draw, mode, draw(st.integers(1, max_dims)), high),
                _dims(draw, mode, draw(st.integers(1, max_dims)), high), {})

    return shapes_fn


def tensordot_shapes(draw: Any, mode: str) -> tuple[tuple, tuple, dict]:
    """axes an int n (last n of x1 against first n of x2), or a pair of axis lists."""
    n = draw(st.integers(0, 2))
    shared = _dims(draw, mode, n, 3)
    left, right = _dims(draw, mode, draw(st.integers(0, 2)), 3), _dims(draw, mode, draw(st.integers(0, 2)), 3)
    if draw(st.booleans()):
        kw: dict = {"axes": n} if n != 2 or draw(st.booleans()) else {}
        return (*left, *shared), (*shared, *right), kw
    s1, s2 = list(left) + list(shared), list(right) + list(shared)
    a1 = list(range(len(left), len(s1)))
    a2 = list(range(len(right), len(s2)))
    p1, p2 = draw(st.permutations(range(len(s1)))), draw(st.permutations(range(len(s2))))
    s1p, s2p = tuple(s1[i] for i in p1), tuple(s2[i] for i in p2)
    axes1 = [list(p1).index(i) for i in a1]
    axes2 = [list(p2).index(i) for i in a2]
    if n == 1 and draw(st.booleans()):
        return s1p, s2p, {"axes": [axes1[0], axes2[0]]}
    return s1p, s2p, {"axes": [axes1, axes2]}


def cross_shapes(separate_axes: bool) -> Callable[[Any, str], tuple[tuple, tuple, dict]]:
    """3-vectors along the chosen axes, other axes broadcast: the last axis or ``axis``
    (``separate_axes``: axisa/axisb/axisc)."""
    return lambda draw, mode: _cross_shapes(draw, mode, separate_axes)


def _cross_shapes(draw: Any, mode: str, separate_axes: bool) -> tuple[tuple, tuple, dict]:
    pair = draw(broadcastable_shapes(mode, 2, 0, 2, 3))
    if not separate_axes:
        rank = max(len(pair[0]), len(pair[1]))
        pair = tuple((1,) * (rank - len(s)) + s for s in pair)  # equal ranks: see the spec's notes
        if draw(st.booleans()):
            return (*pair[0], 3), (*pair[1], 3), {}
        axis = draw(st.integers(-(rank + 1), rank))
        s1, s2 = (list(s) for s in pair)
        s1.insert(axis % (rank + 1), 3)
        s2.insert(axis % (rank + 1), 3)
        return tuple(s1), tuple(s2), {"axis": axis}
    ka, kb = draw(st.integers(-1, len(pair[0]))), draw(st.integers(-1, len(pair[1])))
    s1, s2 = list(pair[0]), list(pair[1])
    s1.insert(ka % (len(s1) + 1), 3)
    s2.insert(kb % (len(s2) + 1), 3)
    out_rank = max(len(pair[0]), len(pair[1])) + 1
    kw = {"axisa": ka, "axisb": kb, "axisc": draw(st.integers(-out_rank, out_rank - 1))}
    return tuple(s1), tuple(s2), kw


def correlate_shapes(shorter_first: bool) -> Callable[[Any, str], tuple[tuple, tuple, dict]]:
    """1-D operands, x1 at least as long as x2 (``shorter_first``: strictly shorter)."""
    return lambda draw, mode: _correlate_shapes(draw, shorter_first)


def _correlate_shapes(draw: Any, shorter_first: bool) -> tuple[tuple, tuple, dict]:
    n, m = sorted((draw(st.integers(1, 8)), draw(st.integers(1, 8))), reverse=True)
    if shorter_first:
        n, m = (n, n + 1) if n == m else (m, n)
    kw = {"mode": draw(st.sampled_from(["valid", "same", "full"]))} if draw(st.booleans()) else {}
    return (n,), (m,), kw


def vander_kw(draw: Any, x: np.ndarray) -> dict:
    kw: dict = {}
    if draw(st.booleans()):
        kw["N"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        kw["increasing"] = draw(st.booleans())
    return kw


def vander(x: np.ndarray, N: int | None = None, increasing: bool = False) -> np.ndarray:
    return np.vander(x, N=N, increasing=increasing)


def vander_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """x**k by repeated products or pow: about k roundings of |x**k|."""
    return np.abs(ref) * max(ref.shape[-1], 1)
