"""Every hypothesis strategy of the catalog lives here, once.

Hypothesis draws the structure of an input (shape, dtype, a value profile,
where special values go, a seed) and NumPy's Generator fills the values: that
costs about the same at any size and still shrinks meaningfully (smaller
shapes, simpler profiles, seed 0). See DESIGN.md, "What a case costs".

Shapes come from a per-run vocabulary (``shape_vocabulary``: a few shapes per rank,
chosen by the run's seed), so eager JAX and tf.function reuse what they compiled
across examples and ops; another seed draws other shapes.

Modes: ``values`` (finite values in the op's domain, no empty or 0-d arrays),
``special`` (NaN, ±inf, ±0.0 at drawn positions, empty and 0-d arrays allowed,
domain ignored), ``grad`` (smooth normal values, small arrays, float dtypes).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from hypothesis import strategies as st

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
Factory = TypeVar("Factory", bound=Callable[..., st.SearchStrategy])


def reusable(factory: Factory) -> Factory:
    """``factory`` returning one strategy object per distinct (hashable) arguments.

    Hypothesis validates a strategy, and computes its label, the first time each
    *object* is drawn from; a strategy built inside a composite per example is a new
    object every time, and those checks were about a tenth of the engine's time
    (measured with py-spy on a default-profile run). Lists become tuples; an
    unhashable argument (an array) builds a fresh strategy as before.
    """
    cached = functools.lru_cache(maxsize=8192)(factory)

    @functools.wraps(factory)
    def build(*args: Any, **kwargs: Any) -> st.SearchStrategy:
        args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
        try:
            return cached(*args, **kwargs)
        except TypeError:  # unhashable
            return factory(*args, **kwargs)

    build.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return build  # type: ignore[return-value]


def positive(values: np.ndarray) -> np.ndarray:
    """Domain of log, sqrt…: strictly positive (zero becomes one)."""
    values = np.abs(values)
    return np.where(values == 0, 1.0, values)


def nonzero(values: np.ndarray) -> np.ndarray:
    """Domain of a divisor: zero becomes one."""
    return np.where(values == 0, 1, values)


def nonnegative(values: np.ndarray) -> np.ndarray:
    """Domain of a cast to an unsigned type: |x|."""
    return np.abs(values)


def bounded(limit: int) -> Domain:
    """Integers folded into [-limit, limit] so a product cannot overflow; floats untouched."""

    def domain(values: np.ndarray) -> np.ndarray:
        if values.dtype.kind in "iu":
            return np.sign(values) * (np.abs(values) % (limit + 1))
        return values

    return domain


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
        ints = rng.integers(lo, hi + 1, size=shape)
        return (ints if domain is None else domain(ints)).astype(target)
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


def recast(array: np.ndarray, dtype: str) -> np.ndarray:
    """``array`` in ``dtype`` for the dtype check: values folded into [0, 10] so every cast is exact."""
    if dtype == "bool":
        return array.astype(bool)
    wide = np.abs(np.nan_to_num(array.astype(np.float64))) % 11
    return np.round(wide).astype(dtype_from_name(dtype))


#: How many shapes of each rank (and side bounds) one run draws from: see shape_vocabulary.
SHAPES_PER_RANK = 3
_vocabulary_seed = 0


def set_shape_vocabulary(seed: int) -> None:
    """Choose the run's shape vocabulary (the plugin passes the run's seed)."""
    global _vocabulary_seed
    _vocabulary_seed = int(seed)
    shape_vocabulary.cache_clear()
    shapes.cache_clear()
    broadcastable_shapes.cache_clear()


@functools.lru_cache(maxsize=1024)
def shape_vocabulary(rank: int, min_side: int, max_side: int, cap: int) -> tuple[tuple[int, ...], ...]:
    """The few shapes of ``rank`` that one run uses, smallest first, chosen by the run's seed.

    Why a vocabulary: eager JAX compiles every primitive for every new (shape, dtype)
    signature (40-60 ms each on a 2-core CPU), and TF retraces ``tf.function`` per shape;
    drawing every shape afresh made that most of a run's time. Every spec of a run draws
    from the same few shapes per rank, so the compiled primitives are reused across
    examples and across ops; another seed (another run) draws other shapes, so the
    catalog still covers the whole shape space across runs. With ``min_side == 0`` one
    shape of the list is empty (a zero side).
    """
    if rank == 0:
        return ((),)
    rng = np.random.default_rng([_vocabulary_seed, rank, min_side, max_side, cap])
    low = max(min_side, 1)
    found: set[tuple[int, ...]] = set()
    for _ in range(200):
        if len(found) >= SHAPES_PER_RANK:
            break
        shape = tuple(int(n) for n in rng.integers(low, max_side + 1, size=rank))
        if int(np.prod(shape)) <= cap:
            found.add(shape)
    if not found:
        found.add((1,) * rank)
    ordered = sorted(found, key=lambda s: (int(np.prod(s)), s))
    if min_side == 0:
        empty = list(ordered[-1])
        empty[int(rng.integers(0, rank))] = 0
        ordered.insert(0, tuple(empty))
    return tuple(ordered)


@reusable
def shapes(mode: str, min_dims: int = 1, max_dims: int = 4, max_side: int = 6,
           min_side: int | None = None) -> st.SearchStrategy:
    """Array shapes from the run's vocabulary, capped in size; empty and 0-d shapes only in special mode.

    ``min_side`` given: those bounds in every mode (and no 0-d shape unless ``min_dims`` is 0).
    """
    if min_side is None:
        if mode == SPECIAL:
            min_dims, min_side = min(min_dims, 0), 0
        else:
            min_side = 1
    cap = MAX_ELEMENTS[mode]
    ranks = range(min_dims, max(max_dims, min_dims) + 1)
    return st.deferred(lambda: st.sampled_from(
        [shape for rank in ranks for shape in shape_vocabulary(rank, min_side, max_side, cap)]))


@reusable
def broadcastable_shapes(mode: str, num_shapes: int = 2, min_dims: int = 1, max_dims: int = 4,
                         max_side: int = 5) -> st.SearchStrategy:
    """Tuples of ``num_shapes`` mutually broadcastable shapes built on the run's vocabulary.

    For each vocabulary shape: the shape for every operand, and two variants in which
    operands lose leading axes or have sides of 1 (chosen by the run's seed).
    """
    min_side = 0 if mode == SPECIAL else 1
    cap = MAX_ELEMENTS[mode]

    def build() -> st.SearchStrategy:
        rng = np.random.default_rng([_vocabulary_seed, num_shapes, min_dims, max_dims, max_side, cap])
        found: list[tuple[tuple[int, ...], ...]] = []
        for rank in range(min_dims, max_dims + 1):
            for base in shape_vocabulary(rank, min_side, max_side, cap):
                found.append((base,) * num_shapes)
                for _ in range(2):
                    variant = []
                    for _ in range(num_shapes):
                        drop = int(rng.integers(0, rank - min_dims + 1)) if rng.random() < 0.5 else 0
                        kept = [1 if rng.random() < 0.3 else side for side in base[drop:]]
                        variant.append(tuple(kept))
                    found.append(tuple(variant))
        return st.sampled_from(list(dict.fromkeys(found)))

    return st.deferred(build)


@reusable
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


@reusable
def dtypes_for(mode: str, dtypes: Sequence[str]) -> st.SearchStrategy:
    if mode == GRAD:
        dtypes = [d for d in dtypes if d in GRAD_DTYPES]
    elif mode == SPECIAL:
        dtypes = [d for d in dtypes if is_float(d)]
    return st.sampled_from(list(dtypes))


@reusable
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


def binary(domain: Domain | None = None, rhs_domain: Domain | None = None) -> ArgsFactory:
    """Two operands of one dtype with mutually broadcastable shapes (``rhs_domain``: the second's)."""

    @st.composite
    def draw_pair(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        pair = draw(broadcastable_shapes(mode, 2, 0 if mode == SPECIAL else 1, 4, 5))
        cap = MAX_ELEMENTS[mode]
        shape_a, shape_b = (s if int(np.prod(s)) <= cap else (1,) * len(s) for s in pair)
        a = draw(arrays(dtype, shape_a, mode, domain))
        b = draw(arrays(dtype, shape_b, mode, rhs_domain or domain))
        if mode == GRAD and (np.broadcast_arrays(a, b)[0] == np.broadcast_arrays(a, b)[1]).any():
            b = (b + 0.25).astype(b.dtype)  # a tie is a kink of maximum & co: no gradient to compare
        return [a, b], {}

    return lambda dtype, mode: draw_pair(dtype, mode)


def with_axis(keepdims: bool = True, allow_none: bool = True, allow_tuple: bool = True,
              domain: Domain | None = None, min_dims: int = 1, empty: bool = True,
              **fixed: Any) -> ArgsFactory:
    """One array and an axis (and keepdims when the op has it).

    ``empty=False``: no 0-d or empty arrays, special mode included.
    """

    @st.composite
    def draw_reduction(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = shapes(mode, min_dims=min_dims)
        if not empty:
            shape = shape.filter(lambda found: len(found) > 0 and min(found) > 0)
        x = draw(arrays(dtype, shape, mode, domain))
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


def _cap(shape: tuple[int, ...], mode: str) -> bool:
    return int(np.prod(shape)) <= MAX_ELEMENTS[mode]


def matmul_pair(domain: Domain | None = None) -> ArgsFactory:
    """Operands of ``matmul``: batch dims broadcast against each other, 1-D operands too."""

    @st.composite
    def draw_matmul(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        low = 0 if mode == SPECIAL else 1
        m, k, n = (draw(st.integers(low, 5)) for _ in range(3))
        batch = draw(broadcastable_shapes(mode, 2, 0, 2, 3))
        vec_a, vec_b = draw(st.booleans()) and draw(st.booleans()), draw(st.booleans()) and draw(st.booleans())
        shape_a = (k,) if vec_a else (*batch[0], m, k)
        shape_b = (k,) if vec_b else (*batch[1], k, n)
        if not (_cap(shape_a, mode) and _cap(shape_b, mode)):
            shape_a, shape_b = (m, k), (k, n)
        return [draw(arrays(dtype, shape_a, mode, domain)), draw(arrays(dtype, shape_b, mode, domain))], {}

    return lambda dtype, mode: draw_matmul(dtype, mode)


def reshape_args() -> ArgsFactory:
    """An array and a ``newshape`` of the same size, possibly with one -1."""

    @st.composite
    def draw_reshape(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        size = x.size
        newshape: list[int] = []
        rest = size
        for _ in range(draw(st.integers(0, 3))):
            divisors = [d for d in range(1, rest + 1) if rest % d == 0] or [1]
            d = draw(st.sampled_from(divisors))
            newshape.append(d)
            rest //= d if d else 1
        newshape.append(rest)
        newshape = draw(st.permutations(newshape))
        if size > 0 and draw(st.booleans()):
            newshape[draw(st.integers(0, len(newshape) - 1))] = -1
        return [x], {"newshape": list(newshape)}

    return lambda dtype, mode: draw_reshape(dtype, mode)


def transpose_args() -> ArgsFactory:
    """An array and ``axes``: None (reverse) or a permutation."""

    @st.composite
    def draw_transpose(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        axes = draw(st.one_of(st.none(), st.permutations(list(range(x.ndim)))))
        return [x], {"axes": axes}

    return lambda dtype, mode: draw_transpose(dtype, mode)


def where_args() -> ArgsFactory:
    """A bool condition and two operands of ``dtype``, all three broadcast together."""

    @st.composite
    def draw_where(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        low = 0 if mode == SPECIAL else 1
        triple = draw(broadcastable_shapes(mode, 3, low, 4, 4))
        found = [s if _cap(s, mode) else (1,) * len(s) for s in triple]
        cond = draw(arrays("bool", found[0], mode))
        return [cond, draw(arrays(dtype, found[1], mode)), draw(arrays(dtype, found[2], mode))], {}

    return lambda dtype, mode: draw_where(dtype, mode)


def clip_args() -> ArgsFactory:
    """An array and scalar bounds ``x_min <= x_max`` (ints for integer dtypes)."""

    @st.composite
    def draw_clip(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        if is_float(dtype):
            bound = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 3.0])
        else:
            low = 0 if np.iinfo(dtype_from_name(dtype)).min == 0 else -10
            bound = st.integers(low, 20)
        lo, hi = sorted((draw(bound), draw(bound)))
        return [x], {"x_min": lo, "x_max": hi}

    return lambda dtype, mode: draw_clip(dtype, mode)


def cast_args(targets: Sequence[str]) -> ArgsFactory:
    """An array and a target ``dtype``; float->int casts only of in-range values.

    Casting NaN, inf, or an out-of-range float to an integer is undefined in C
    and differs between backends: special mode casts to float targets only.
    """

    @st.composite
    def draw_cast(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        options = [t for t in targets if mode != SPECIAL or is_float(t)]
        target = draw(st.sampled_from(options))
        domain = None
        if not is_float(target) and target != "bool":
            info = np.iinfo(dtype_from_name(target))
            lo = float(info.min)
            hi = min(float(info.max), 1e6)
            domain = (lambda v, lo=lo, hi=hi: np.clip(v, lo, hi))  # noqa: E731
        return [draw(arrays(dtype, shapes(mode), mode, domain))], {"dtype": target}

    return lambda dtype, mode: draw_cast(dtype, mode)


def gelu_args(approximate: bool | None = None) -> ArgsFactory:
    """An array; ``approximate`` passed as given, or left out when None (Keras 3 default: True)."""
    fixed = {} if approximate is None else {"approximate": approximate}
    return unary(**fixed)


def one_hot_args(out_of_range: bool = False) -> ArgsFactory:
    """Integer indices in [0, num_classes) and ``num_classes``.

    ``out_of_range``: indices in [-2, num_classes + 2), the first always outside [0, num_classes).
    """

    @st.composite
    def draw_one_hot(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        num_classes = draw(st.integers(1, 8))
        seed = draw(st.integers(0, 2**32 - 1))
        shape = draw(shapes(mode, max_dims=3))
        info = np.iinfo(dtype_from_name(dtype))
        lo = max(int(info.min), -2) if out_of_range else 0
        rng = np.random.default_rng(seed)
        values = rng.integers(lo, num_classes + 2 if out_of_range else num_classes, size=shape)
        if out_of_range and values.size:
            values.flat[0] = rng.choice([v for v in (-2, -1, num_classes, num_classes + 1) if v >= lo])
        return [values.astype(dtype_from_name(dtype))], {"num_classes": num_classes}

    return lambda dtype, mode: draw_one_hot(dtype, mode)


def _spatial(draw: Any, rank: int, low: int, high: int) -> list[int]:
    return [draw(st.integers(low, high)) for _ in range(rank)]


def conv_args(ranks: Sequence[int] = (1, 2),
              data_formats: Sequence[str] = ("channels_last", "channels_first")) -> ArgsFactory:
    """``conv`` inputs and kernels: strides or dilation (not both), both paddings and layouts."""

    @st.composite
    def draw_conv(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        rank = draw(st.sampled_from(list(ranks)))
        small = mode != VALUES
        batch, cin, cout = draw(st.integers(1, 2)), draw(st.integers(1, 2 if small else 3)), draw(
            st.integers(1, 2 if small else 3))
        window = _spatial(draw, rank, 1, 2 if small else 3)
        strided = draw(st.booleans())
        strides = _spatial(draw, rank, 1, 2) if strided else [1] * rank
        dilation = [1] * rank if strided else _spatial(draw, rank, 1, 2)
        padding = draw(st.sampled_from(["valid", "same"]))
        data_format = draw(st.sampled_from(list(data_formats)))
        reach = [(w - 1) * d + 1 for w, d in zip(window, dilation)]
        spatial = [draw(st.integers(r, r + (2 if small else 4))) for r in reach]
        shape = (batch, *spatial, cin) if data_format == "channels_last" else (batch, cin, *spatial)
        if not _cap(shape, mode):
            shape = tuple(1 if i == 0 else s for i, s in enumerate(shape))
        x = draw(arrays(dtype, shape, mode))
        # Special values go in the input only: whether zero padding times a NaN/inf weight
        # counts (0 * inf = NaN) differs between backends and is specified nowhere.
        kernel = draw(arrays(dtype, (*window, cin, cout), VALUES if mode == SPECIAL else mode))
        kwargs = {"strides": strides if len(set(strides)) > 1 or draw(st.booleans()) else strides[0],
                  "padding": padding, "data_format": data_format,
                  "dilation_rate": dilation if len(set(dilation)) > 1 else dilation[0]}
        return [x, kernel], kwargs

    return lambda dtype, mode: draw_conv(dtype, mode)


def pool_args(ranks: Sequence[int] = (1, 2), paddings: Sequence[str] = ("valid", "same"),
              default_strides: bool = False) -> ArgsFactory:
    """Pooling inputs: ``pool_size`` and ``strides`` as ints or tuples, the given paddings, both layouts.

    ``default_strides``: ``strides`` is None (Keras then strides by the pool size).
    """

    @st.composite
    def draw_pool(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        rank = draw(st.sampled_from(list(ranks)))
        batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 3))
        window = _spatial(draw, rank, 1, 3)
        strides: Any = None if default_strides else _spatial(draw, rank, 1, 3)
        if strides is not None and len(set(strides)) == 1 and draw(st.booleans()):
            strides = strides[0]
        padding = draw(st.sampled_from(list(paddings)))
        data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
        spatial = [draw(st.integers(w, w + 4)) for w in window]
        shape = (batch, *spatial, channels) if data_format == "channels_last" else (batch, channels, *spatial)
        if not _cap(shape, mode):
            shape = tuple(1 if i == 0 else s for i, s in enumerate(shape))
        x = draw(arrays(dtype, shape, mode))
        pool_size: Any = window if len(set(window)) > 1 or draw(st.booleans()) else window[0]
        return [x], {"pool_size": pool_size, "strides": strides, "padding": padding,
                     "data_format": data_format}

    return lambda dtype, mode: draw_pool(dtype, mode)


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
