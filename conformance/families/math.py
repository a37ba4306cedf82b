"""Strategies and float64 references of the top-level ``keras.ops`` functions (``ops.math`` and core).

Owns: erf/erfc/erfinv/rsqrt/logsumexp, FFTs and STFTs (Keras passes complex
values as ``(real, imag)`` tuples), segment reductions, top_k/in_top_k,
saturate_cast, cdist, extract_sequences, scatter/slice/unstack/rearrange, and
the control-flow ops. Functions cannot cross the wire: specs name them with
``{"callable": name}`` markers (``adapters/_callables.py`` resolves them in the
worker with ``keras.ops``); :data:`NUMPY_CALLABLES` is the same table in NumPy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from scipy import signal, special

from conformance import oracle
from conformance.strategies import GRAD, SPECIAL, VALUES, arrays, composite, is_float, shapes
from conformance.wire import dtype_from_name

# -- named functions (the NumPy half of adapters/_callables.py) ------------------------
NUMPY_CALLABLES: dict[str, Callable[..., Any]] = {
    "square_plus_one": lambda x: x * x + 1,
    "sin_times_x": lambda x: np.sin(x) * x,
    "scale_by_max": lambda x: x * np.max(x),
    "cumulative_add": lambda c, x: (c + x, c * x),
    "halve_plus_index": lambda i, v: v * 0.5 + i,
    "counter_below": lambda limit, i, x: i < limit,
    "count_and_halve": lambda i, x: (i + 1, x * 0.5 + 1),
    "add": np.add,
    "maximum": np.maximum,
    "branch_double": lambda x: x * 2,
    "branch_negate": lambda x: -x,
    "branch_square": lambda x: x * x,
}


def fn(name: str, *bind: Any) -> dict:
    """The wire marker of a named function, leading arguments bound."""
    return {"callable": name, "bind": list(bind)} if bind else {"callable": name}


def tensor(array: np.ndarray) -> dict:
    """The wire marker of a tensor inside keyword arguments."""
    return {"tensor": array}


def unmark(value: Any) -> Any:
    """The oracle's view of a marked keyword value: a NumPy function or a float64 array."""
    if isinstance(value, dict) and "callable" in value:
        f = NUMPY_CALLABLES[value["callable"]]
        bound = [unmark(v) for v in value.get("bind", ())]
        return functools.partial(f, *bound) if bound else f
    if isinstance(value, dict) and "tensor" in value:
        return oracle.to_oracle(value["tensor"])
    if isinstance(value, (list, tuple)):
        return type(value)(unmark(v) for v in value)
    return value


def marked_dtype(value: Any) -> str | None:
    """The dtype of the first tensor marker in a keyword value."""
    if isinstance(value, dict) and "tensor" in value:
        return value["tensor"].dtype.name
    if isinstance(value, dict) and "bind" in value:
        value = value["bind"]
    if isinstance(value, (list, tuple)):
        for v in value:
            found = marked_dtype(v)
            if found:
                return found
    return None


def dtype_of_kwarg(name: str) -> Callable[[Sequence[str], dict], str | None]:
    """Result-dtype rule: the dtype of the tensor marked in keyword ``name``."""

    def rule(dtypes: Sequence[str], kwargs: dict) -> str | None:
        return marked_dtype(kwargs[name])

    return rule


# -- elementwise special functions ------------------------------------------------------
def open_unit(values: np.ndarray) -> np.ndarray:
    """Domain of erfinv: (-1, 1), via tanh (integers: 0)."""
    if values.dtype.kind in "iu":
        return np.zeros_like(values)
    return np.tanh(values) * 0.999


def erfinv(x: np.ndarray) -> np.ndarray:
    """scipy's erfinv, keeping the sign of a zero: it gives +0.0 for -0.0, while erfinv is
    odd, so -0.0 (as erf, atanh and the backends give)."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x == 0, x, special.erfinv(x))


def rsqrt(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 / np.sqrt(x.astype(np.float64))


def erfinv_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """|ref| + |x f'(x)|: erfinv amplifies the rounding of x near ±1 by f'(x) = sqrt(pi)/2 exp(f^2)."""
    x = np.asarray(args[0], dtype=np.float64)
    slope = np.sqrt(np.pi) / 2 * np.exp(np.where(np.isfinite(ref), ref, 0.0) ** 2)
    return np.abs(ref) + np.abs(x) * slope


def logsumexp(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """max + log(sum(exp(x - max))), an infinite max shifted by 0: +inf -> inf, all -inf -> -inf."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    out = np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis if axis is not None else tuple(range(x.ndim)))


def logsumexp_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """|ref| + max|x| over the reduced axes: x - max is formed before the exp."""
    x = np.abs(np.asarray(args[0], dtype=np.float64))
    if x.size == 0:
        return np.abs(ref)
    big = np.max(np.where(np.isfinite(x), x, 0.0), axis=kwargs.get("axis"), keepdims=kwargs.get("keepdims", False))
    return np.abs(ref) + big


# -- FFT family: complex values as (real, imag) -------------------------------------------
def _complex(x: Any) -> np.ndarray:
    re, im = x
    return np.asarray(re, dtype=np.float64) + 1j * np.asarray(im, dtype=np.float64)


def _parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.real(z).copy(), np.imag(z).copy()


def fft(x: Any) -> tuple[np.ndarray, np.ndarray]:
    return _parts(np.fft.fft(_complex(unmark(x)), axis=-1))


def fft2(x: Any) -> tuple[np.ndarray, np.ndarray]:
    return _parts(np.fft.fft2(_complex(unmark(x)), axes=(-2, -1)))


def ifft2(x: Any) -> tuple[np.ndarray, np.ndarray]:
    return _parts(np.fft.ifft2(_complex(unmark(x)), axes=(-2, -1)))


def rfft(x: np.ndarray, fft_length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    return _parts(np.fft.rfft(x, n=fft_length, axis=-1))


def irfft(x: Any, fft_length: int | None = None) -> np.ndarray:
    return np.fft.irfft(_complex(unmark(x)), n=fft_length, axis=-1)


def fft_scale(axes: int, inverse: bool = False) -> Callable[[Sequence[np.ndarray], dict, np.ndarray], np.ndarray]:
    """|ref| + (1 + log2 n) * the 2-norm of the input over the transformed axes (an FFT's error
    bound, eps log n |x|), divided by sqrt(n) for an inverse (its 1/n normalisation)."""

    def scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
        z = _complex(unmark(kwargs["x"])) if "x" in kwargs else np.asarray(args[0], dtype=np.float64)
        axis = tuple(range(-axes, 0))
        if z.size == 0 or ref.size == 0:
            return np.abs(ref)
        n = max(int(np.prod([z.shape[a] for a in axis])), int(kwargs.get("fft_length") or 1), ref.shape[-1], 1)
        norm = np.sqrt(np.sum(np.abs(np.where(np.isfinite(z), z, 0)) ** 2, axis=axis))
        norm = norm.reshape(norm.shape + (1,) * (ref.ndim - norm.ndim))
        bound = norm * (1 + np.log2(n)) / (np.sqrt(n) if inverse else 1.0)
        return np.abs(ref) + bound

    return scale


def _window(window: str | None, sequence_length: int, fft_length: int) -> np.ndarray:
    if window is None:  # Keras: no windowing at all, a frame of fft_length (not sequence_length)
        return np.ones(fft_length)
    win = signal.get_window(window, sequence_length)
    left = (fft_length - sequence_length) // 2
    return np.pad(win, (left, fft_length - sequence_length - left))


def stft(x: np.ndarray, sequence_length: int, sequence_stride: int, fft_length: int,
         window: str | None = "hann", center: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Frames of fft_length (the window centred in them), stride sequence_stride; reflect-padded
    by fft_length // 2 on each side when ``center``; the rfft of each windowed frame, unscaled."""
    if fft_length < sequence_length:
        raise ValueError("fft_length < sequence_length")
    x = np.asarray(x, dtype=np.float64)
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        x = np.pad(x, pad, mode="reflect")
    frames = frame(x, fft_length, sequence_stride)
    return _parts(np.fft.rfft(frames * _window(window, sequence_length, fft_length), axis=-1))


def istft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int, length: int | None = None,
          window: str | None = "hann", center: bool = True) -> np.ndarray:
    """Windowed overlap-add of the inverse rffts, divided by the overlap-added squared window."""
    z = _complex(unmark(x))
    frames = np.fft.irfft(z, n=fft_length, axis=-1)
    win = _window(window, sequence_length, fft_length)
    count = z.shape[-2]
    total = fft_length + sequence_stride * (count - 1)
    out = np.zeros(z.shape[:-2] + (total,))
    norm = np.zeros(total)
    for t in range(count):
        out[..., t * sequence_stride: t * sequence_stride + fft_length] += frames[..., t, :] * win
        norm[t * sequence_stride: t * sequence_stride + fft_length] += win**2
    out = np.where(norm > 1e-10, out / np.where(norm > 1e-10, norm, 1.0), out)
    start = fft_length // 2 if center else 0
    if length is not None:
        return out[..., start:start + length]
    return out[..., start:total - start] if center else out


def frame(x: np.ndarray, length: int, stride: int) -> np.ndarray:
    """Frames over the last axis: (..., count, length)."""
    count = 1 + (x.shape[-1] - length) // stride
    return np.stack([x[..., t * stride: t * stride + length] for t in range(count)], axis=-2)


def extract_sequences(x: np.ndarray, sequence_length: int, sequence_stride: int) -> np.ndarray:
    return frame(x, sequence_length, sequence_stride)


def _complex_pair(draw: Any, dtype: str, shape: tuple[int, ...], mode: str) -> list[np.ndarray]:
    return [draw(arrays(dtype, shape, mode)), draw(arrays(dtype, shape, mode))]


def fft_args(axes: int, real: bool = False, length: bool = False) -> Any:
    """(real, imag) as a tuple kwarg ``x`` (or a real positional x for rfft); ``fft_length`` optional."""

    def draw_fft(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(mode, min_dims=axes, max_dims=axes + 1, max_side=8)
                     .filter(lambda s: len(s) >= axes and min(s) > 0))
        kwargs: dict[str, Any] = {}
        if length and draw(st.booleans()):
            kwargs["fft_length"] = draw(st.integers(1, 10))
        if real:
            return [draw(arrays(dtype, shape, mode))], kwargs
        return [], {"x": [tensor(a) for a in _complex_pair(draw, dtype, shape, mode)], **kwargs}

    return composite(draw_fft)


def irfft_args() -> Any:
    """A half spectrum: the rfft of a real signal of length n; fft_length n or left out."""

    def draw_irfft(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(VALUES if mode == SPECIAL else mode, min_dims=1, max_dims=2, max_side=8)
                     .filter(lambda s: s[-1] >= 2))
        signal_ = draw(arrays("float64", shape, mode))
        re, im = rfft(signal_)
        kwargs: dict[str, Any] = {"x": [tensor(re.astype(dtype_from_name(dtype))),
                                        tensor(im.astype(dtype_from_name(dtype)))]}
        if draw(st.booleans()):
            kwargs["fft_length"] = shape[-1]
        return [], kwargs

    return composite(draw_irfft)


def stft_args(windows: Sequence[str | None] = ("hann", "hamming")) -> Any:
    """A signal, sequence_length <= fft_length, a stride, a window of ``windows``, center."""

    def draw_stft(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        sequence_length = draw(st.integers(2, 6))
        fft_length = draw(st.integers(sequence_length, 8))
        stride = draw(st.integers(1, sequence_length))
        n = draw(st.integers(fft_length + 1, 20))
        batch = draw(st.lists(st.integers(1, 2), max_size=1))
        x = draw(arrays(dtype, (*batch, n), mode))
        return [x], {"sequence_length": sequence_length, "sequence_stride": stride, "fft_length": fft_length,
                     "window": draw(st.sampled_from(list(windows))), "center": draw(st.booleans())}

    return composite(draw_stft)


def istft_args() -> Any:
    """The stft (this module's reference) of a real signal, overlap >= 50% so the window norm is bounded."""

    def draw_istft(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        sequence_length = draw(st.integers(4, 8))
        fft_length = draw(st.integers(sequence_length, 10))
        stride = draw(st.integers(1, sequence_length // 2))
        window = draw(st.sampled_from(["hann", "hamming"]))
        n = draw(st.integers(fft_length + 1, 24))
        sig = draw(arrays("float64", (n,), VALUES))
        re, im = stft(sig, sequence_length, stride, fft_length, window, True)
        cast = dtype_from_name(dtype)
        kwargs: dict[str, Any] = {"x": [tensor(re.astype(cast)), tensor(im.astype(cast))],
                                  "sequence_length": sequence_length, "sequence_stride": stride,
                                  "fft_length": fft_length, "window": window, "center": True}
        if draw(st.booleans()):
            kwargs["length"] = n
        return [], kwargs

    return composite(draw_istft)


def sequences_args() -> Any:
    def draw_seq(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        length = draw(st.integers(1, 5))
        stride = draw(st.integers(1, 4))
        batch = draw(st.lists(st.integers(1, 3), max_size=2))
        x = draw(arrays(dtype, (*batch, draw(st.integers(length, 12))), mode))
        return [x], {"sequence_length": length, "sequence_stride": stride}

    return composite(draw_seq)


# -- segment reductions -------------------------------------------------------------------
SEGMENT_REDUCERS = {"sum": (np.add, 0.0), "prod": (np.multiply, 1.0),
                    "max": (np.maximum, -np.inf), "min": (np.minimum, np.inf)}


def segment(kind: str) -> Callable[..., np.ndarray]:
    """segment_<kind>(data, segment_ids, num_segments, sorted): an empty segment holds the identity."""
    ufunc, identity = SEGMENT_REDUCERS[kind]

    def reference(data: np.ndarray, segment_ids: np.ndarray, num_segments: int | None = None,
                  sorted: bool = False) -> np.ndarray:  # noqa: A002 - Keras's name
        n = int(num_segments if num_segments is not None else np.max(segment_ids) + 1)
        wide = np.asarray(data, dtype=np.float64)
        out = np.full((n,) + wide.shape[1:], identity)
        ufunc.at(out, np.asarray(segment_ids), wide)
        return out

    return reference


def segment_sum_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """The segment sum of |data|, times sqrt(rows): a reduction's rounding."""
    data, ids = args[0], args[1]
    wide = np.abs(np.asarray(data, dtype=np.float64))
    return segment("sum")(np.where(np.isfinite(wide), wide, 0), ids, **kwargs) * np.sqrt(len(ids))


def segment_args(empty: bool = False, sorted_ids: bool = False, domain: Any = None) -> Any:
    """data (segments along axis 0), int32 ids in [0, num_segments): sorted with sorted=True when
    ``sorted_ids``, else shuffled with sorted left out or False; every segment non-empty unless ``empty``."""

    def draw_segment(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        num = draw(st.integers(1, 5))
        rows = draw(st.integers(num, 8))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        ids = np.concatenate([np.arange(num), rng.integers(0, num, rows - num)])
        if empty:
            num += draw(st.integers(1, 2))
        ids = np.sort(ids) if sorted_ids else rng.permutation(ids)
        inner = draw(st.lists(st.integers(1, 3), max_size=2))
        data = draw(arrays(dtype, (rows, *inner), mode, domain))
        kwargs: dict[str, Any] = {"num_segments": num}
        if sorted_ids or draw(st.booleans()):
            kwargs["sorted"] = sorted_ids
        return [data, ids.astype(np.int32)], kwargs

    return composite(draw_segment)


# -- top_k, in_top_k ------------------------------------------------------------------------
def distinct(dtype: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Values without ties along the last axis, exactly representable in ``dtype``."""
    n = shape[-1]
    ranks = np.argsort(rng.random(shape), axis=-1)
    if dtype.startswith("uint"):
        values = ranks
    elif is_float(dtype):
        values = (ranks - n / 2) * 0.5
    else:
        values = ranks - n // 2
    return values.astype(dtype_from_name(dtype))


def top_k_args(give_sorted: bool) -> Any:
    def draw_top_k(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(VALUES, max_dims=3, max_side=8))
        x = distinct(dtype, shape, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))
        kwargs: dict[str, Any] = {"k": draw(st.integers(1, shape[-1]))}
        if give_sorted:
            kwargs["sorted"] = True
        return [x], kwargs

    return composite(draw_top_k)


def top_k(x: np.ndarray, k: int, sorted: bool = True) -> tuple[np.ndarray, np.ndarray]:  # noqa: A002
    order = np.argsort(-np.asarray(x, dtype=np.float64), axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, order, axis=-1), order.astype(np.int32)


def in_top_k_args() -> Any:
    def draw_in_top_k(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        batch, classes = draw(st.integers(1, 6)), draw(st.integers(1, 8))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        predictions = distinct(dtype, (batch, classes), rng)
        targets = rng.integers(0, classes, batch).astype(np.int32)
        return [targets, predictions], {"k": draw(st.integers(1, classes))}

    return composite(draw_in_top_k)


def in_top_k(targets: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    target_values = np.take_along_axis(predictions, targets[:, None].astype(np.int64), axis=-1)
    return np.sum(predictions > target_values, axis=-1) < k


# -- saturate_cast, cdist --------------------------------------------------------------------
SATURATE_TARGETS = ("int8", "uint8", "int16", "uint16", "int32", "float16")


def saturate_args() -> Any:
    """Values spread beyond the target's range (magnitudes up to 1e6), NaN-free."""

    def draw_saturate(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        targets = [t for t in SATURATE_TARGETS if t != dtype and (is_float(dtype) or not is_float(t))]
        target = draw(st.sampled_from(targets))
        x = draw(arrays(dtype, shapes(mode), VALUES if mode == SPECIAL else mode))
        if is_float(dtype):
            x = (x.astype(np.float64) * 1000.0).astype(x.dtype)
        return [x], {"dtype": target}

    return composite(draw_saturate)


def saturate_cast(x: np.ndarray, dtype: str) -> np.ndarray:
    target = dtype_from_name(dtype)
    info = np.finfo(target) if target.kind == "f" else np.iinfo(target)
    clipped = np.clip(x.astype(np.float64), float(info.min), float(info.max))
    return clipped if target.kind == "f" else np.trunc(clipped).astype(np.int64)


def cdist_args() -> Any:
    def draw_cdist(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        batch = draw(st.lists(st.integers(1, 2), max_size=1))
        m, n, d = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
        small = VALUES if mode == SPECIAL else mode
        x = draw(arrays(dtype, (*batch, m, d), mode))
        y = draw(arrays(dtype, (*batch, n, d), small))
        if mode == GRAD:
            y = (y + 3.0).astype(y.dtype)  # no zero distance: sqrt has no derivative there
        return [x, y], {}

    return composite(draw_cdist)


def cdist(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    diff = x[..., :, None, :] - y[..., None, :, :]
    return np.sqrt(np.sum(diff**2, axis=-1))


def cdist_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """|ref| + (|x|^2 + |y|^2) / (|ref| + |x| + |y|): a backend may form |x|^2 + |y|^2 - 2 x.y."""
    x, y = (np.asarray(a, dtype=np.float64) for a in args)
    nx = np.sqrt(np.sum(np.where(np.isfinite(x), x, 0) ** 2, axis=-1))[..., :, None]
    ny = np.sqrt(np.sum(np.where(np.isfinite(y), y, 0) ** 2, axis=-1))[..., None, :]
    big = nx + ny
    return np.abs(ref) + big * big / (np.where(np.isfinite(ref), np.abs(ref), 0) + big + 1e-30) * np.sqrt(
        x.shape[-1])



# -- control flow: every function a named one, every operand a marked tensor ---------------
def _operand(draw: Any, dtype: str, mode: str) -> np.ndarray:
    return draw(arrays(dtype, shapes(mode, max_dims=3, max_side=4), mode))


def cond_args() -> Any:
    """A 0-d bool ``pred``; branches over a tensor x: 2x if pred else -x."""

    def draw_cond(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = _operand(draw, dtype, mode)
        pred = np.array(draw(st.booleans()))
        return [pred], {"true_fn": fn("branch_double", tensor(x)), "false_fn": fn("branch_negate", tensor(x))}

    return composite(draw_cond)


def cond(pred: np.ndarray, true_fn: Any, false_fn: Any) -> np.ndarray:
    return unmark(true_fn)() if bool(pred) else unmark(false_fn)()


SWITCH_BRANCHES = ("branch_double", "branch_negate", "branch_square")


def switch_args() -> Any:
    """A 0-d int32 index in range; three branches (2x, -x, x*x) over a tensor x."""

    def draw_switch(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = _operand(draw, dtype, mode)
        index = np.array(draw(st.integers(0, len(SWITCH_BRANCHES) - 1)), dtype=np.int32)
        return [index], {"branches": [fn(b, tensor(x)) for b in SWITCH_BRANCHES]}

    return composite(draw_switch)


def switch(index: np.ndarray, branches: Sequence[Any]) -> np.ndarray:
    return unmark(branches[int(index)])()


def fori_loop_args() -> Any:
    def draw_fori(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        lower = draw(st.integers(0, 3))
        return [], {"lower": lower, "upper": lower + draw(st.integers(0, 4)),
                    "body_fun": fn("halve_plus_index"), "init_val": tensor(_operand(draw, dtype, mode))}

    return composite(draw_fori)


def fori_loop(lower: int, upper: int, body_fun: Any, init_val: Any) -> np.ndarray:
    body, value = unmark(body_fun), unmark(init_val)
    for i in range(lower, upper):
        value = body(i, value)
    return value


def while_loop_args() -> Any:
    """loop_vars (i: int32 0-d, x); cond i < limit; body (i + 1, x / 2 + 1); maximum_iterations or not."""

    def draw_while(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        kwargs: dict[str, Any] = {
            "cond": fn("counter_below", draw(st.integers(0, 5))), "body": fn("count_and_halve"),
            "loop_vars": [tensor(np.array(0, dtype=np.int32)), tensor(_operand(draw, dtype, mode))]}
        if draw(st.booleans()):
            kwargs["maximum_iterations"] = draw(st.integers(1, 6))
        return [], kwargs

    return composite(draw_while)


def while_loop(cond: Any, body: Any, loop_vars: Any, maximum_iterations: int | None = None) -> tuple:
    test, step, values = unmark(cond), unmark(body), tuple(unmark(loop_vars))
    count = 0
    while test(*values) and (maximum_iterations is None or count < maximum_iterations):
        values = tuple(step(*values))
        count += 1
    return values


def scan_args() -> Any:
    """f(carry, x) = (carry + x, carry * x) over xs (length L along axis 0); reverse, length optional."""

    def draw_scan(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        xs = draw(arrays(dtype, shapes(mode, min_dims=1, max_dims=3, max_side=5)
                         .filter(lambda s: len(s) > 0 and s[0] > 0), mode))
        init = draw(arrays(dtype, xs.shape[1:], mode))
        kwargs: dict[str, Any] = {"f": fn("cumulative_add"), "init": tensor(init), "xs": tensor(xs)}
        if draw(st.booleans()):
            kwargs["reverse"] = draw(st.booleans())
        if draw(st.booleans()):
            kwargs["length"] = xs.shape[0]
        return [], kwargs

    return composite(draw_scan)


def scan(f: Any, init: Any, xs: Any = None, length: int | None = None, reverse: bool = False,
         unroll: int = 1) -> tuple[np.ndarray, np.ndarray]:
    step, carry, values = unmark(f), unmark(init), unmark(xs)
    order = range(values.shape[0] - 1, -1, -1) if reverse else range(values.shape[0])
    outputs: dict[int, np.ndarray] = {}
    for i in order:
        carry, outputs[i] = step(carry, values[i])
    return carry, np.stack([outputs[i] for i in range(values.shape[0])])


def map_args(kwarg: str = "xs", function: str = "f") -> Any:
    """f(slice) = slice * max(slice) over the slices along axis 0 (not elementwise)."""

    def draw_map(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        xs = draw(arrays(dtype, shapes(mode, min_dims=1, max_dims=3, max_side=5)
                         .filter(lambda s: len(s) > 0 and min(s) > 0), mode))
        return [], {function: fn("scale_by_max"), kwarg: tensor(xs)}

    return composite(draw_map)


def map_(f: Any, xs: Any) -> np.ndarray:
    step, values = unmark(f), unmark(xs)
    return np.stack([step(values[i]) for i in range(values.shape[0])])


def vectorized_map(function: Any, elements: Any) -> np.ndarray:
    return map_(function, elements)


def associative_scan_args() -> Any:
    def draw_ascan(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        elems = draw(arrays(dtype, shapes(mode, min_dims=1, max_dims=3, max_side=6)
                            .filter(lambda s: len(s) > 0 and min(s) > 0), mode))
        kwargs: dict[str, Any] = {"f": fn(draw(st.sampled_from(["add", "maximum"]))), "elems": tensor(elems)}
        if draw(st.booleans()):
            kwargs["reverse"] = draw(st.booleans())
        if draw(st.booleans()):
            kwargs["axis"] = draw(st.integers(-elems.ndim, elems.ndim - 1))
        return [], kwargs

    return composite(draw_ascan)


def associative_scan(f: Any, elems: Any, reverse: bool = False, axis: int = 0) -> np.ndarray:
    ufunc = {"add": np.add, "maximum": np.maximum}[f["callable"]]
    values = np.moveaxis(unmark(elems), axis, 0)
    if reverse:
        values = values[::-1]
    out = ufunc.accumulate(values, axis=0)
    if reverse:
        out = out[::-1]
    return np.moveaxis(out, 0, axis)


def jvp_args() -> Any:
    def draw_jvp(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(mode, max_dims=3, max_side=4))
        primal, tangent = draw(arrays(dtype, shape, mode)), draw(arrays(dtype, shape, mode))
        return [], {"fun": fn("sin_times_x"), "primals": [tensor(primal)], "tangents": [tensor(tangent)]}

    return composite(draw_jvp)


def jvp_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """|ref| + |cos(x) x t| + |sin(x) t|: the tangent is a sum of two terms that may cancel."""
    x, t = unmark(kwargs["primals"][0]), unmark(kwargs["tangents"][0])
    if ref.shape != x.shape:
        return np.abs(ref)
    return np.abs(ref) + np.abs(np.cos(x) * x * t) + np.abs(np.sin(x) * t) + np.abs(x)


def jvp(fun: Any, primals: Any, tangents: Any, has_aux: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """fun is sin(x) * x: derivative (cos(x) x + sin(x)) applied to the tangent."""
    assert fun["callable"] == "sin_times_x"
    x, t = unmark(primals[0]), unmark(tangents[0])
    return np.sin(x) * x, (np.cos(x) * x + np.sin(x)) * t


# -- rearrange, scatter, slice, unstack, view_as_real -----------------------------------------
#: (pattern, {axis: length} to pass, the input's rank)
REARRANGE_PATTERNS = (
    ("a b -> b a", 2), ("a b c -> c a b", 3), ("a b c -> a (b c)", 3), ("a b c -> (a b c)", 3),
    ("(a b) c -> a b c", 2), ("a (b c) -> (c b) a", 2), ("a b c d -> a (c d) b", 4),
)


def _groups(side: str) -> list[list[str]]:
    groups, current = [], None
    for token in side.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            current = []
        elif token == ")":
            groups.append(current)
            current = None
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    return groups


def rearrange(tensor_: np.ndarray, pattern: str, **axes_lengths: int) -> np.ndarray:
    """einops' rearrange for patterns without ellipsis: split groups, permute, merge."""
    left, right = (_groups(s) for s in pattern.split("->"))
    sizes = dict(axes_lengths)
    for group, size in zip(left, tensor_.shape):
        unknown = [a for a in group if a not in sizes]
        known = int(np.prod([sizes[a] for a in group if a in sizes]))
        if unknown:
            sizes[unknown[0]] = size // known
    names = [a for g in left for a in g]
    split = tensor_.reshape([sizes[a] for a in names])
    order = [names.index(a) for g in right for a in g]
    return split.transpose(order).reshape([int(np.prod([sizes[a] for a in g])) for g in right])


def rearrange_args() -> Any:
    def draw_rearrange(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        pattern, rank = draw(st.sampled_from(REARRANGE_PATTERNS))
        left = _groups(pattern.split("->")[0])
        sizes = {a: draw(st.integers(1, 3)) for g in left for a in g}
        shape = [int(np.prod([sizes[a] for a in g])) for g in left]
        kwargs: dict[str, Any] = {"pattern": pattern}
        for g in left:
            if len(g) > 1:
                kwargs[g[0]] = sizes[g[0]]
        return [draw(arrays(dtype, shape, mode))], kwargs

    return composite(draw_rearrange)


def scatter_args() -> Any:
    """int32 indices (k, r) into ``shape`` (duplicates allowed: summed), values (k, *shape[r:])."""

    def draw_scatter(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
        r = draw(st.integers(1, len(shape)))
        k = draw(st.integers(1, 6))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        indices = np.stack([rng.integers(0, s, k) for s in shape[:r]], axis=-1).astype(np.int32)
        values = draw(arrays(dtype, (k, *shape[r:]), mode))
        return [indices, values], {"shape": shape}

    return composite(draw_scatter)


def scatter(indices: np.ndarray, values: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    out = np.zeros(tuple(shape), dtype=np.float64 if values.dtype.kind == "f" else values.dtype)
    np.add.at(out, tuple(indices.T), values)
    return out


def scatter_update_args() -> Any:
    """inputs, distinct int32 indices (k, r), updates (k, *inputs.shape[r:])."""

    def draw_update(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
        r = draw(st.integers(1, len(shape)))
        cells = int(np.prod(shape[:r]))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        chosen = rng.choice(cells, size=draw(st.integers(1, cells)), replace=False)
        indices = np.stack(np.unravel_index(chosen, shape[:r]), axis=-1).astype(np.int32)
        inputs = draw(arrays(dtype, shape, mode))
        updates = draw(arrays(dtype, (len(chosen), *shape[r:]), mode))
        return [inputs, indices, updates], {}

    return composite(draw_update)


def scatter_update(inputs: np.ndarray, indices: np.ndarray, updates: np.ndarray) -> np.ndarray:
    out = inputs.copy()
    out[tuple(indices.T)] = updates
    return out


def slice_args(update: bool) -> Any:
    """inputs, in-range start_indices, and a shape (slice) or updates (slice_update)."""

    def draw_slice(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        inputs = draw(arrays(dtype, shapes(VALUES if mode == SPECIAL else mode, max_dims=3), mode))
        start = [draw(st.integers(0, s - 1)) for s in inputs.shape]
        size = [draw(st.integers(1, s - b)) for s, b in zip(inputs.shape, start)]
        if update:
            return [inputs], {"start_indices": start, "updates": tensor(draw(arrays(dtype, size, mode)))}
        return [inputs], {"start_indices": start, "shape": size}

    return composite(draw_slice)


def slice_(inputs: np.ndarray, start_indices: Sequence[int], shape: Sequence[int]) -> np.ndarray:
    return inputs[tuple(slice(b, b + s) for b, s in zip(start_indices, shape))]


def slice_update(inputs: np.ndarray, start_indices: Sequence[int], updates: Any) -> np.ndarray:
    out, updates = inputs.astype(np.float64 if inputs.dtype.kind == "f" else inputs.dtype), unmark(updates)
    out[tuple(slice(b, b + s) for b, s in zip(start_indices, updates.shape))] = updates
    return out


def unstack_args(give_num: bool) -> Any:
    def draw_unstack(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode, max_dims=3, max_side=4).filter(lambda s: len(s) > 0), mode))
        axis = draw(st.integers(-x.ndim, x.ndim - 1))
        kwargs: dict[str, Any] = {"axis": axis}
        if give_num:
            kwargs["num"] = x.shape[axis]
        return [x], kwargs

    return composite(draw_unstack)


def unstack(x: np.ndarray, num: int | None = None, axis: int = 0) -> tuple[np.ndarray, ...]:
    return tuple(np.moveaxis(x, axis, 0))


COMPLEX_OF = {"float32": "complex64", "float64": "complex128"}


def complex_args() -> Any:
    """A complex64 (float32 case) or complex128 (float64 case) array."""

    def draw_complex(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(mode, max_dims=3))
        re, im = _complex_pair(draw, dtype, shape, mode)
        z = (re.astype(np.float64) + 1j * im.astype(np.float64)).astype(COMPLEX_OF[dtype])
        return [z], {}

    return composite(draw_complex)


def view_as_real(x: np.ndarray) -> np.ndarray:
    return np.stack([np.real(x), np.imag(x)], axis=-1).astype(np.float64)


def real_of_complex(dtypes: Sequence[str], kwargs: dict) -> str:
    return {"complex64": "float32", "complex128": "float64"}[dtypes[0]]
