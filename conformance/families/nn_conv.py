"""The ``ops.nn`` convolution family: float64 references and argument strategies for
conv_transpose, depthwise/separable conv, adaptive pooling, depth/space layout ops and
unfold/fold (split from :mod:`conformance.families.nn`; nothing here calls a backend).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle
from conformance.strategies import (
    MAX_ELEMENTS,
    SPECIAL,
    VALUES,
    ArgsFactory,
    arrays,
    composite,
    conv_args,
)


# -- pooling, convolution, layout -----------------------------------------------------------
def adaptive_pool(inputs: np.ndarray, output_size: Any, data_format: str | None = None,
                  mode: str = "avg") -> np.ndarray:
    """PyTorch's adaptive windows: output i pools [floor(i·n/m), ceil((i+1)·n/m))."""
    x = np.moveaxis(inputs, 1, -1) if data_format == "channels_first" else inputs
    rank = x.ndim - 2
    size = oracle.as_tuple(output_size, rank)
    out = np.empty((x.shape[0], *size, x.shape[-1]))
    reduce = np.max if mode == "max" else np.mean
    for index in np.ndindex(*size):
        window = tuple(slice(i * n // m, -(-(i + 1) * n // m)) for i, n, m in zip(index, x.shape[1:-1], size))
        out[(slice(None), *index, slice(None))] = reduce(x[(slice(None), *window, slice(None))],
                                                         axis=tuple(range(1, rank + 1)))
    return np.moveaxis(out, -1, 1) if data_format == "channels_first" else out


def adaptive_average_pool(inputs: np.ndarray, output_size: Any, data_format: str | None = None) -> np.ndarray:
    return adaptive_pool(inputs, output_size, data_format, "avg")


def adaptive_max_pool(inputs: np.ndarray, output_size: Any, data_format: str | None = None) -> np.ndarray:
    return adaptive_pool(inputs, output_size, data_format, "max")


def adaptive_pool_args(windows_fit: bool = False) -> ArgsFactory:
    """``windows_fit``: every side n and output size m keep ceil(n/m) + 1 <= n (no size 1), so
    that Keras' second, longer window still fits in the input (TF crashes otherwise)."""

    def draw_adaptive(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        rank = draw(st.sampled_from([1, 2, 3]))
        low = 2 if windows_fit else 1
        spatial = [draw(st.integers(low, 6 if rank < 3 else 3)) for _ in range(rank)]
        channels, batch = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        data_format = draw(st.sampled_from([None, "channels_last", "channels_first"]))
        shape = (batch, channels, *spatial) if data_format == "channels_first" else (batch, *spatial, channels)
        if int(np.prod(shape)) > MAX_ELEMENTS[mode]:
            shape = (1, *shape[1:])
        x = draw(arrays(dtype, shape, mode))
        size = [draw(st.integers(-(-n // (n - 1)) if windows_fit else 1, n)) for n in spatial]
        output_size: Any = size[0] if len(set(size)) == 1 and draw(st.booleans()) else size
        kwargs = {"output_size": output_size}
        if data_format is not None:
            kwargs["data_format"] = data_format
        return [x], kwargs

    return composite(draw_adaptive)


def depthwise_conv(inputs: np.ndarray, kernel: np.ndarray, strides: Any = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: Any = 1) -> np.ndarray:
    """Each input channel c convolved with kernel[..., c, :]; output channel c·multiplier + m."""
    channel_axis = 1 if data_format == "channels_first" else -1
    parts = [oracle.conv(np.take(inputs, [c], axis=channel_axis), kernel[..., c:c + 1, :], strides,
                         padding, data_format, dilation_rate) for c in range(kernel.shape[-2])]
    return np.concatenate(parts, axis=channel_axis)


def separable_conv(inputs: np.ndarray, depthwise_kernel: np.ndarray, pointwise_kernel: np.ndarray,
                   strides: Any = 1, padding: str = "valid", data_format: str | None = None,
                   dilation_rate: Any = 1) -> np.ndarray:
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return oracle.conv(y, pointwise_kernel, 1, "valid", data_format, 1)


def depthwise_terms(inputs: np.ndarray, kernel: np.ndarray, *rest: Any, **_: Any) -> int:
    terms = int(np.prod(kernel.shape[:-2]))
    return terms * (int(rest[0].shape[-2]) if rest else 1)


def conv_transpose(inputs: np.ndarray, kernel: np.ndarray, strides: Any = 1, padding: str = "valid",
                   output_padding: Any = None, data_format: str | None = None,
                   dilation_rate: Any = 1) -> np.ndarray:
    """The adjoint of ``conv`` (kernel: spatial..., out, in), cropped as Keras's output shape rule says.

    Input i with tap j lands at i·stride + j·dilation of the full result; ``valid`` keeps its
    start, ``same`` crops floor((k_eff - stride)/2) (TF's conv_transpose padding), and the
    length is Keras's ``compute_conv_transpose_output_shape``.
    """
    x = np.moveaxis(inputs, 1, -1) if data_format == "channels_first" else inputs
    rank = x.ndim - 2
    window = kernel.shape[:rank]
    s, d = oracle.as_tuple(strides, rank), oracle.as_tuple(dilation_rate, rank)
    pads = [None] * rank if output_padding is None else list(oracle.as_tuple(output_padding, rank))
    reach = [(w - 1) * di + 1 for w, di in zip(window, d)]
    full_shape = [(n - 1) * si + r for n, si, r in zip(x.shape[1:-1], s, reach)]
    full = np.zeros((x.shape[0], *[f + 2 * max(si, r) for f, si, r in zip(full_shape, s, reach)], kernel.shape[-2]))
    for offset in np.ndindex(*window):
        index = tuple(slice(o * di, o * di + (n - 1) * si + 1, si)
                      for o, di, n, si in zip(offset, d, x.shape[1:-1], s))
        full[(slice(None), *index, slice(None))] += np.einsum("...i,oi->...o", x, kernel[offset])
    crops = []
    for n, si, r, op in zip(x.shape[1:-1], s, reach, pads):
        if padding == "valid":
            length = (n - 1) * si + r + (max(r, si) - r if op is None else op)
            start = 0
        else:
            length = n * si if op is None else (n - 1) * si + r % 2 + op
            start = max((n - 1) * si + r - length, 0) // 2
        crops.append(slice(start, start + length))
    out = full[(slice(None), *crops, slice(None))]
    return np.moveaxis(out, -1, 1) if data_format == "channels_first" else out


def conv_transpose_terms(inputs: np.ndarray, kernel: np.ndarray, **_: Any) -> int:
    return int(np.prod(kernel.shape)) // int(kernel.shape[-2])


def conv_family_args(kind: str, data_formats: Sequence[str]) -> ArgsFactory:
    """``strategies.conv_args`` reshaped for depthwise (multiplier), separable (+ pointwise
    kernel) and transposed convolutions (kernel: spatial..., out, in; ``output_padding`` drawn
    below the stride when strided)."""
    base = conv_args(data_formats=data_formats)

    def draw_family(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        (x, kernel), kwargs = draw(base(dtype, mode))
        if kind == "separable":
            rank = kernel.ndim - 2
            inner = kernel.shape[-2] * kernel.shape[-1]
            point_mode = VALUES if mode == SPECIAL else mode
            pointwise = draw(arrays(dtype, (*(1,) * rank, inner, draw(st.integers(1, 3))), point_mode))
            return [x, kernel, pointwise], kwargs
        if kind == "transpose":
            kernel = np.ascontiguousarray(np.swapaxes(kernel, -1, -2))
            rank = kernel.ndim - 2
            strides = oracle.as_tuple(kwargs["strides"], rank)
            if max(strides) > 1 and draw(st.booleans()):
                kwargs["output_padding"] = [draw(st.integers(0, si - 1)) for si in strides]
        return [x, kernel], kwargs

    return composite(draw_family)


def depth_to_space(x: np.ndarray, block_size: int, data_format: str = "channels_last") -> np.ndarray:
    """TF's DCR order: out[h·b + i, w·b + j, c] = in[h, w, (i·b + j)·C + c]."""
    y = np.moveaxis(x, 1, -1) if data_format == "channels_first" else x
    n, h, w, c = y.shape
    b = block_size
    y = y.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5).reshape(n, h * b, w * b, c // (b * b))
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def space_to_depth(x: np.ndarray, block_size: int, data_format: str = "channels_last") -> np.ndarray:
    y = np.moveaxis(x, 1, -1) if data_format == "channels_first" else x
    n, h, w, c = y.shape
    b = block_size
    y = y.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5).reshape(n, h // b, w // b, b * b * c)
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def block_args(kind: str, data_formats: Sequence[str | None]) -> ArgsFactory:
    """A 4-D image whose channels (depth_to_space) or sides (space_to_depth) divide by the block."""

    def draw_block(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        b = draw(st.integers(2, 3))  # Keras requires block_size >= 2
        batch, h, w, c = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(
            st.integers(1, 2))
        if kind == "depth":
            dims = (batch, h, w, c * b * b)
        else:
            dims = (batch, h * b, w * b, c)
        data_format = draw(st.sampled_from(list(data_formats)))
        if data_format == "channels_first":
            dims = (dims[0], dims[3], dims[1], dims[2])
        if int(np.prod(dims)) > MAX_ELEMENTS[mode]:
            dims = (1, *dims[1:])
        x = draw(arrays(dtype, dims, mode))
        kwargs: dict[str, Any] = {"block_size": b}
        if data_format is not None:
            kwargs["data_format"] = data_format
        return [x], kwargs

    return composite(draw_block)


def _pair(v: Any) -> tuple[int, int]:
    return oracle.as_tuple(v, 2)  # type: ignore[return-value]


def _patch_grid(size: tuple[int, int], kernel_size: Any, dilation: Any, padding: Any, stride: Any):
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    counts = [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
    return k, d, p, s, counts


def unfold(x: np.ndarray, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> np.ndarray:
    """im2col as torch.nn.functional.unfold: (N, C·kH·kW, L), channel outermost."""
    n, c, height, width = x.shape
    k, d, p, s, (lh, lw) = _patch_grid((height, width), kernel_size, dilation, padding, stride)
    padded = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    cols = np.empty((n, c, k[0], k[1], lh, lw))
    for i, j in np.ndindex(k[0], k[1]):
        cols[:, :, i, j] = padded[:, :, i * d[0]: i * d[0] + (lh - 1) * s[0] + 1: s[0],
                                  j * d[1]: j * d[1] + (lw - 1) * s[1] + 1: s[1]]
    return cols.reshape(n, c * k[0] * k[1], lh * lw)


def fold(x: np.ndarray, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> np.ndarray:
    """col2im as torch.nn.functional.fold: overlapping patch entries are summed."""
    n, ckk, _ = x.shape
    size = _pair(output_size)
    k, d, p, s, (lh, lw) = _patch_grid(size, kernel_size, dilation, padding, stride)
    c = ckk // (k[0] * k[1])
    cols = x.reshape(n, c, k[0], k[1], lh, lw)
    out = np.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]))
    for i, j in np.ndindex(k[0], k[1]):
        out[:, :, i * d[0]: i * d[0] + (lh - 1) * s[0] + 1: s[0],
            j * d[1]: j * d[1] + (lw - 1) * s[1] + 1: s[1]] += cols[:, :, i, j]
    return out[:, :, p[0]: p[0] + size[0], p[1]: p[1] + size[1]]


def fold_terms(x: np.ndarray, output_size: Any, kernel_size: Any, **_: Any) -> int:
    k = _pair(kernel_size)
    return k[0] * k[1]


def patch_args(kind: str) -> ArgsFactory:
    """unfold: an (N, C, H, W) image; fold: the (N, C·kH·kW, L) patches of such an image.

    kernel_size, dilation, padding, stride each an int or a pair, left out or given.
    """

    def draw_patches(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        def pair(low: int, high: int) -> Any:
            a, b = draw(st.integers(low, high)), draw(st.integers(low, high))
            return a if a == b and draw(st.booleans()) else [a, b]

        kwargs: dict[str, Any] = {"kernel_size": pair(1, 3)}
        for name, low, high in (("dilation", 1, 2), ("padding", 0, 1), ("stride", 1, 2)):
            if draw(st.booleans()):
                kwargs[name] = pair(low, high)
        k, d, p, _ = (_pair(kwargs.get(n, dflt)) for n, dflt in
                      (("kernel_size", 1), ("dilation", 1), ("padding", 0), ("stride", 1)))
        reach = [d[i] * (k[i] - 1) + 1 - 2 * p[i] for i in range(2)]
        size = [max(r, 1) + draw(st.integers(0, 3)) for r in reach]
        n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
        if kind == "unfold":
            shape = (n, c, *size)
            if int(np.prod(shape)) > MAX_ELEMENTS[mode]:
                shape = (1, 1, *size)
            return [draw(arrays(dtype, shape, mode))], kwargs
        _, _, _, _, counts = _patch_grid(tuple(size), kwargs["kernel_size"], d, p, kwargs.get("stride", 1))
        shape = (n, c * k[0] * k[1], counts[0] * counts[1])
        if int(np.prod(shape)) > MAX_ELEMENTS[mode]:
            shape = (1, k[0] * k[1], counts[0] * counts[1])
        kwargs["output_size"] = size if size[0] != size[1] or draw(st.booleans()) else size[0]
        return [draw(arrays(dtype, shape, mode))], kwargs

    return composite(draw_patches)
