"""Every hypothesis strategy of the catalog lives here, once.

Hypothesis draws the structure of an input (shape, dtype, a value profile,
where special values go, a seed) and NumPy's Generator fills the values: that
costs about the same at any size and still shrinks meaningfully (smaller
shapes, simpler profiles, seed 0). See DESIGN.md, "What a case costs".

Modes: ``values`` (finite values in the op's domain, no empty or 0-d arrays),
``special`` (NaN, ±inf, ±0.0 at drawn positions, empty and 0-d arrays allowed,
domain ignored), ``grad`` (smooth normal values, small arrays, float dtypes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conformance.wire import dtype_from_name

VALUES, SPECIAL, GRAD = "values", "special", "grad"

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32")
GRAD_DTYPES = ("float32", "float64")

#: value profiles for floating inputs, simplest first (hypothesis shrinks towards it)
FLOAT_PROFILES = ("small_int", "normal", "uniform", "wide")
MAX_ELEMENTS = {VALUES: 512, SPECIAL: 64, GRAD: 48}
SPECIAL_VALUES = (np.nan, np.inf, -np.inf, -0.0, 0.0)

Domain = Callable[[np.ndarray], np.ndarray]


def positive(values: np.ndarray) -> np.ndarray:
    """Domain of log, sqrt…: strictly positive (zero becomes one)."""
    values = np.abs(values)
    return np.where(values == 0, 1.0, values)


def is_float(dtype: str) -> bool:
    return dtype in FLOAT_DTYPES


def fill(dtype: str, shape: Sequence[int], profile: str, seed: int,
         domain: Domain | None = None, specials: tuple[int, int] | None = None) -> np.ndarray:
    """Materialise an array from its drawn structure, reproducibly."""
    rng = np.random.default_rng(seed)
    shape = tuple(shape)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    target = dtype_from_name(dtype)
    if not is_float(dtype):
        info = np.iinfo(target)
        lo, hi = (0, 20) if info.min == 0 else (-10, 10)
        return rng.integers(lo, hi + 1, size=shape).astype(target)
    if profile == "small_int":
        values = rng.integers(-4, 5, size=shape).astype(np.float64)
    elif profile == "uniform":
        values = rng.uniform(-1.0, 1.0, size=shape)
    elif profile == "wide":  # magnitudes from 1e-3 to 1e3, both signs
        values = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(-3, 3, size=shape)
    else:
        values = rng.standard_normal(shape)
    if domain is not None and specials is None:
        values = domain(values)
    if specials is not None and values.size:
        count, which = specials
        flat = values.reshape(-1)
        positions = rng.choice(flat.size, size=min(count, flat.size), replace=False)
        pool = np.array(SPECIAL_VALUES)
        flat[positions] = pool[rng.integers(0, len(pool), size=positions.size) % (which + 1)]
    with np.errstate(over="ignore"):
        return values.astype(target)


def shapes(mode: str, min_dims: int = 1, max_dims: int = 4, max_side: int = 6) -> st.SearchStrategy:
    """Array shapes capped in size; empty and 0-d shapes only in special mode."""
    if mode == SPECIAL:
        min_dims, min_side = min(min_dims, 0), 0
    else:
        min_side = 1
    cap = MAX_ELEMENTS[mode]
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side).filter(lambda s: int(np.prod(s)) <= cap)


@st.composite
def arrays(draw: Any, dtype: str, shape: Sequence[int] | st.SearchStrategy, mode: str = VALUES,
           domain: Domain | None = None) -> np.ndarray:
    """One array of ``dtype``: structure drawn here, values filled by NumPy."""
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    profile = "normal" if mode == GRAD else draw(st.sampled_from(FLOAT_PROFILES))
    seed = draw(st.integers(0, 2**32 - 1))
    specials = None
    if mode == SPECIAL and is_float(dtype):
        specials = (draw(st.integers(1, 8)), draw(st.integers(0, len(SPECIAL_VALUES) - 1)))
    return fill(dtype, shape, profile, seed, domain, specials)


def dtypes_for(mode: str, dtypes: Sequence[str]) -> st.SearchStrategy:
    if mode == GRAD:
        dtypes = [d for d in dtypes if d in GRAD_DTYPES]
    elif mode == SPECIAL:
        dtypes = [d for d in dtypes if is_float(d)]
    return st.sampled_from(list(dtypes))


def axis_for(ndim: int, allow_none: bool = True, allow_tuple: bool = True) -> st.SearchStrategy:
    """An axis argument for an array of rank ``ndim``: int (negative too), tuple or None."""
    options = []
    if allow_none:
        options.append(st.none())
    if ndim > 0:
        options.append(st.integers(-ndim, ndim - 1))
        if allow_tuple and ndim > 1:
            options.append(
                st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(sorted)
            )
    return st.one_of(options) if options else st.none()


# -- argument strategies: factories (dtype, mode) -> strategy of (args, kwargs) --

ArgsFactory = Callable[[str, str], st.SearchStrategy]


def unary(domain: Domain | None = None, **fixed: Any) -> ArgsFactory:
    def factory(dtype: str, mode: str) -> st.SearchStrategy:
        return arrays(dtype, shapes(mode), mode, domain).map(lambda x: ([x], dict(fixed)))

    return factory


def binary(domain: Domain | None = None) -> ArgsFactory:
    """Two operands of one dtype with mutually broadcastable shapes."""

    @st.composite
    def draw_pair(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        min_side = 0 if mode == SPECIAL else 1
        pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0 if mode == SPECIAL else 1,
                                                      max_dims=4, min_side=min_side, max_side=5))
        cap = MAX_ELEMENTS[mode]
        shape_a, shape_b = (s if int(np.prod(s)) <= cap else (2,) for s in pair.input_shapes)
        a = draw(arrays(dtype, shape_a, mode, domain))
        b = draw(arrays(dtype, shape_b, mode, domain))
        return [a, b], {}

    return lambda dtype, mode: draw_pair(dtype, mode)


def with_axis(keepdims: bool = True, allow_none: bool = True, allow_tuple: bool = True,
              domain: Domain | None = None, min_dims: int = 1, **fixed: Any) -> ArgsFactory:
    """One array and an axis (and keepdims when the op has it)."""

    @st.composite
    def draw_reduction(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode, min_dims=min_dims), mode, domain))
        kwargs: dict[str, Any] = {"axis": draw(axis_for(x.ndim, allow_none, allow_tuple))}
        if kwargs["axis"] is None and not allow_none:
            kwargs.pop("axis")
        if keepdims:
            kwargs["keepdims"] = draw(st.booleans())
        kwargs.update(fixed)
        return [x], kwargs

    return lambda dtype, mode: draw_reduction(dtype, mode)


def composite(fn: Callable[..., tuple[list, dict]]) -> ArgsFactory:
    """Wrap ``fn(draw, dtype, mode) -> (args, kwargs)`` as an argument factory."""
    wrapped = st.composite(fn)
    return lambda dtype, mode: wrapped(dtype, mode)


def weights(draw: Any, shapes_by_name: dict[str, tuple[int, ...]], dtype: str) -> dict[str, np.ndarray]:
    """Non-trivial values for every weight (biases and scales too), by variable path.

    Default initialisers give zeros and ones, which hide bugs; these are normal
    values scaled by 1/sqrt(fan_in) so activations stay O(1).
    """
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    drawn = {}
    for name, shape in sorted(shapes_by_name.items()):
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        values = rng.standard_normal(shape) / np.sqrt(max(fan_in, 1))
        drawn[name] = values.astype(dtype_from_name(dtype))
    return drawn
