"""Float64 NumPy/SciPy references shared by the catalog, written here once.

Nothing here calls a backend under test. Functions take float64 (or integer)
arrays and Keras 3 keyword arguments, and follow Keras 3's documented
semantics (defaults, ``"same"`` padding, ``data_format``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import special


def to_oracle(array: np.ndarray) -> np.ndarray:
    """The oracle's view of an input: floats widened to float64, ints to int64."""
    array = np.asarray(array)
    if array.dtype.kind == "f" or array.dtype.name == "bfloat16":
        return array.astype(np.float64)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    return array


def tuples(kwargs: dict) -> dict:
    """Keyword arguments as a Python caller writes them: JSON lists become tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}


def as_tuple(value: Any, rank: int) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    return (int(value),) * rank


# -- numpy-like ops with Keras 3 keyword names ---------------------------------------
def reshape(x: np.ndarray, newshape: Sequence[int]) -> np.ndarray:
    return np.reshape(x, tuple(newshape))


def transpose(x: np.ndarray, axes: Sequence[int] | None = None) -> np.ndarray:
    return np.transpose(x, None if axes is None else tuple(axes))


def clip(x: np.ndarray, x_min: float, x_max: float) -> np.ndarray:
    return np.clip(x, x_min, x_max)


def cast(x: np.ndarray, dtype: str) -> np.ndarray:
    """Floats stay exact float64 (the comparison rounds); integers truncate toward zero."""
    if dtype == "bool":
        return x != 0
    if dtype.startswith(("int", "uint")):
        with np.errstate(invalid="ignore"):
            return np.trunc(x).astype(np.int64) if x.dtype.kind == "f" else x.astype(np.int64)
    return x.astype(np.float64)


def mean(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """Integer inputs give a float mean (Keras promotes them to floatx)."""
    return np.mean(np.asarray(x, dtype=np.float64), axis=axis, keepdims=keepdims)


# -- activations ---------------------------------------------------------------
def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return special.expit(x)


def _softmax_axis(x: np.ndarray, axis: int | Sequence[int]) -> int | tuple[int, ...]:
    """Validate ``axis`` as NumPy does (a 0-d input has no axis -1) and normalise it."""
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            raise ValueError(f"axis {a} is out of bounds for array of dimension {x.ndim}")
    normalised = tuple(a % x.ndim for a in axes)
    return normalised if isinstance(axis, (list, tuple)) else normalised[0]


def softmax(x: np.ndarray, axis: int | Sequence[int] = -1) -> np.ndarray:
    """An empty input gives an empty result; an axis out of range raises."""
    axis = _softmax_axis(x, axis)
    return x.astype(np.float64) if x.size == 0 else special.softmax(x, axis=axis)


def log_softmax(x: np.ndarray, axis: int | Sequence[int] = -1) -> np.ndarray:
    """x - max - log(sum(exp(x - max))), the formula every Keras backend uses.

    Non-finite inputs follow it too: a slice holding +inf or NaN is NaN throughout
    (scipy.special.log_softmax instead resets an infinite max to 0 and gives -inf).
    """
    axis = _softmax_axis(x, axis)
    if x.size == 0:
        return x.astype(np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``numpy.matmul`` semantics computed by einsum (every product formed: NaN * 0 stays NaN)."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    out = np.einsum("...ij,...jk->...ik", a2, b2)
    if b.ndim == 1:
        out = out[..., 0]
    if a.ndim == 1:
        out = out[..., 0] if b.ndim == 1 else out[..., 0, :]
    return out


def gelu(x: np.ndarray, approximate: bool = True) -> np.ndarray:
    """Keras 3's default is the tanh approximation."""
    if approximate:
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1.0 + special.erf(x / np.sqrt(2.0)))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": relu,
    "tanh": np.tanh,
    "sigmoid": sigmoid,
}
#: derivative of each activation, written in terms of its input
ACTIVATION_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": np.ones_like,
    "relu": lambda x: (x > 0).astype(np.float64),
    "tanh": lambda x: 1.0 - np.tanh(x) ** 2,
    "sigmoid": lambda x: sigmoid(x) * (1.0 - sigmoid(x)),
}


def softmax_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Conditioning of softmax: exp(x - max) amplifies the rounding of x - max by |x - max|."""
    x = np.asarray(args[0], dtype=np.float64)
    axis = kwargs.get("axis", -1)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    if x.size == 0:
        return np.abs(ref)
    shift = np.abs(x - np.max(x, axis=axis, keepdims=True))
    return np.abs(ref) * (1.0 + np.where(np.isfinite(shift), shift, 0.0))


def one_hot(x: np.ndarray, num_classes: int, axis: int = -1) -> np.ndarray:
    """Out-of-range indices give an all-zero row (Keras documents TF's behaviour)."""
    x = np.asarray(x)
    out = (x[..., None] == np.arange(num_classes)).astype(np.float64)
    return np.moveaxis(out, -1, axis) if axis != -1 else out


# -- convolution and pooling ------------------------------------------------------
def same_padding(size: int, window: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TF/Keras "same": output ceil(size/stride), extra padding on the right."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (window - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _channels_last(x: np.ndarray, data_format: str | None) -> np.ndarray:
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def _restore(x: np.ndarray, data_format: str | None) -> np.ndarray:
    return np.moveaxis(x, -1, 1) if data_format == "channels_first" else x


def _windows(x: np.ndarray, window: Sequence[int], strides: Sequence[int],
             dilation: Sequence[int], padding: str, fill: float):
    """Yield (kernel offset, strided view) pairs over a padded channels-last input."""
    rank = len(window)
    pads = [same_padding(x.shape[1 + i], window[i], strides[i], dilation[i]) if padding == "same"
            else (0, 0) for i in range(rank)]
    padded = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=fill)
    out_shape = [(padded.shape[1 + i] - (window[i] - 1) * dilation[i] - 1) // strides[i] + 1
                 for i in range(rank)]
    for offset in np.ndindex(*window):
        index = tuple(
            slice(o * d, o * d + (n - 1) * s + 1, s)
            for o, d, n, s in zip(offset, dilation, out_shape, strides)
        )
        yield offset, padded[(slice(None), *index, slice(None))]


def conv(inputs: np.ndarray, kernel: np.ndarray, strides: Any = 1, padding: str = "valid",
         data_format: str | None = None, dilation_rate: Any = 1) -> np.ndarray:
    """N-D cross-correlation as ``keras.ops.conv`` (kernel: spatial..., in, out)."""
    x = _channels_last(inputs, data_format)
    rank = x.ndim - 2
    window = kernel.shape[:rank]
    out = None
    strides, dilation = as_tuple(strides, rank), as_tuple(dilation_rate, rank)
    valid = _windows(np.ones_like(x[..., :1]), window, strides, dilation, padding, 0.0)
    for (offset, view), (_, inside) in zip(_windows(x, window, strides, dilation, padding, 0.0), valid):
        # einsum multiplies every pair: BLAS paths (tensordot) may skip zero operands and lose
        # NaN * 0. Padding contributes nothing at all (not 0 * w): NaN/inf weights stay local.
        term = np.where(inside > 0, np.einsum("...i,io->...o", view, kernel[offset]), 0.0)
        out = term if out is None else out + term
    return _restore(out, data_format)


def matmul_terms(a: np.ndarray, b: np.ndarray, **_: Any) -> int:
    """Products summed into one matmul output."""
    return int(a.shape[-1])


def pool_terms(inputs: np.ndarray, pool_size: Any, **_: Any) -> int:
    """Values averaged into one pooled output."""
    return int(np.prod(as_tuple(pool_size, inputs.ndim - 2)))


def conv_terms(inputs: np.ndarray, kernel: np.ndarray, **_: Any) -> int:
    """Products summed into one conv output (its conditioning factor)."""
    return int(np.prod(kernel.shape[:-1]))


def pool(inputs: np.ndarray, pool_size: Any, strides: Any = None, padding: str = "valid",
         data_format: str | None = None, mode: str = "max") -> np.ndarray:
    """Max or average pooling; "same" averages exclude the padding (TF semantics)."""
    x = _channels_last(inputs, data_format)
    rank = x.ndim - 2
    window = as_tuple(pool_size, rank)
    stride = as_tuple(strides if strides is not None else pool_size, rank)
    ones = (1,) * rank
    if mode == "max":
        views = [v for _, v in _windows(x, window, stride, ones, padding, -np.inf)]
        return _restore(np.max(views, axis=0), data_format)
    total = sum(v for _, v in _windows(x, window, stride, ones, padding, 0.0))
    count = sum(v for _, v in _windows(np.ones_like(x[:1, ..., :1]), window, stride, ones, padding, 0.0))
    return _restore(total / count, data_format)


def max_pool(inputs: np.ndarray, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> np.ndarray:
    return pool(inputs, pool_size, strides, padding, data_format, mode="max")


def average_pool(inputs: np.ndarray, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> np.ndarray:
    return pool(inputs, pool_size, strides, padding, data_format, mode="avg")


# -- layers ------------------------------------------------------------------------
def dense(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, activation: str) -> np.ndarray:
    y = x @ kernel
    if bias is not None:
        y = y + bias
    return ACTIVATIONS[activation](y)


def layer_norm(x: np.ndarray, gamma: np.ndarray | None, beta: np.ndarray | None,
               axis: Any = -1, epsilon: float = 1e-3) -> np.ndarray:
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + epsilon)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


# -- gradients -----------------------------------------------------------------------
def numerical_vjp(fn: Callable[..., np.ndarray], args: Sequence[np.ndarray], wrt: Sequence[int],
                  cotangent: np.ndarray, kwargs: dict | None = None) -> list[np.ndarray]:
    """Vector-Jacobian product by Richardson-extrapolated central differences.

    Truncation error O(h^4) is negligible; rounding is about 1e-10 relative
    for O(1) inputs, far below the gradient tolerances. The step is small so
    that a kink (relu at 0, a tie in max) is almost never within reach.
    """
    kwargs = kwargs or {}
    args = [np.array(a, dtype=np.float64) if i in wrt else a for i, a in enumerate(args)]
    cot = np.asarray(cotangent, dtype=np.float64)

    def directional(i: int, index: tuple, h: float) -> float:
        plus = list(args)
        minus = list(args)
        plus[i] = args[i].copy()
        minus[i] = args[i].copy()
        plus[i][index] += h
        minus[i][index] -= h
        return float(np.sum((np.asarray(fn(*plus, **kwargs)) - np.asarray(fn(*minus, **kwargs))) * cot)) / (2 * h)

    grads = []
    for i in wrt:
        g = np.zeros_like(args[i])
        for index in np.ndindex(*args[i].shape):
            h = 1e-6 * max(1.0, abs(float(args[i][index])))
            g[index] = (4 * directional(i, index, h / 2) - directional(i, index, h)) / 3
        grads.append(g)
    return grads


# -- whole layers (Dense, Conv2D, LayerNormalization) ----------------------------------
def activation_slope(activation: str, z: np.ndarray) -> np.ndarray:
    """|d activation / dz| at the pre-activation ``z``, for error propagation.

    relu counts as slope 1 everywhere: at a kink a rounding error of z may
    cross zero, and the output error is then at most that of z.
    """
    if activation == "relu":
        return np.ones_like(z)
    return np.abs(ACTIVATION_DERIVATIVES[activation](z))


def conv_layer(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, strides: Any = 1,
               padding: str = "valid", data_format: str | None = None, dilation_rate: Any = 1,
               activation: str = "linear") -> np.ndarray:
    """``layers.ConvND``: cross-correlation, bias on the channel axis, activation."""
    y = conv(x, kernel, strides=strides, padding=padding, data_format=data_format,
             dilation_rate=dilation_rate)
    if bias is not None:
        y = y + (bias.reshape((-1,) + (1,) * (y.ndim - 2)) if data_format == "channels_first" else bias)
    return ACTIVATIONS[activation](y)


def layer_normalization(x: np.ndarray, gamma: np.ndarray | None, beta: np.ndarray | None,
                        axis: Any = -1, epsilon: float = 1e-3) -> np.ndarray:
    """``layers.LayerNormalization``: gamma and beta have the shape of the normalised axes.

    They are broadcast along those axes of ``x`` (not its trailing ones), then
    :func:`layer_norm` does the arithmetic.
    """
    axes = sorted(a % x.ndim for a in (axis if isinstance(axis, (list, tuple)) else (axis,)))
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    gamma = None if gamma is None else gamma.reshape(shape)
    beta = None if beta is None else beta.reshape(shape)
    return layer_norm(x, gamma, beta, axis=tuple(axes), epsilon=epsilon)
