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


# -- activations ---------------------------------------------------------------
def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return special.expit(x)


def softmax(x: np.ndarray, axis: int | Sequence[int] = -1) -> np.ndarray:
    return special.softmax(x, axis=tuple(axis) if isinstance(axis, list) else axis)


def log_softmax(x: np.ndarray, axis: int | Sequence[int] = -1) -> np.ndarray:
    return special.log_softmax(x, axis=tuple(axis) if isinstance(axis, list) else axis)


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
    for offset, view in _windows(x, window, as_tuple(strides, rank), as_tuple(dilation_rate, rank),
                                 padding, 0.0):
        term = np.tensordot(view, kernel[offset], axes=([-1], [0]))
        out = term if out is None else out + term
    return _restore(out, data_format)


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
