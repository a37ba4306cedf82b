"""The image family (``keras.ops.image``): argument strategies and float64 references.

Owns every strategy and reference that ``specs/ops/image.py`` uses, written
here with NumPy from Keras' documented conventions, never by calling a backend:

- layout: ``data_format`` channels_last / channels_first, batched (4-D) and
  unbatched (3-D) images, handled once by :func:`to_nhwc` / :func:`from_nhwc`;
- resampling: ``jax.image``'s documented scheme (half-pixel centres: output
  pixel ``i`` samples input coordinate ``(i + 0.5) / scale - translation / scale
  - 0.5``; a kernel per method, widened by ``1 / scale`` when antialiasing a
  downsample; weights renormalised over the taps inside the image; samples
  outside ``[-0.5, size - 0.5]`` give zero) for ``resize`` and
  ``scale_and_translate``;
- point sampling (``map_coordinates``, ``affine_transform``,
  ``perspective_transform``, ``elastic_transform``): pixel centres at integer
  coordinates, order 0 rounds, order 1 is multilinear over the corners, each
  corner index mapped by the fill mode (``constant`` corners outside the
  image contribute ``fill_value``), as Keras documents for
  ``map_coordinates`` (scipy issue 2640 fixed);
- filters: Gaussian kernels and Sobel as "same" correlations with zero
  padding, every product formed (NaN * 0 is NaN, as in ``oracle.conv``);
- colour conversions (the dm_pix / TensorFlow formulas), patches, padding,
  cropping and SSIM (Wang et al. 2004 with a Gaussian window, valid filtering).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import ml_dtypes
import numpy as np
from hypothesis import strategies as st

from conformance import strategies
from conformance.strategies import VALUES
from conformance.tolerance import VALUE_TOLERANCE
from conformance.wire import dtype_from_name

LAYOUTS = ("channels_last", "channels_first")
EPS32 = float(np.finfo(np.float32).eps)
GRAY_WEIGHTS = np.array([0.2989, 0.5870, 0.1140])  # documented as tf.image.rgb_to_grayscale's


# -- layout ---------------------------------------------------------------------------
def to_nhwc(x: np.ndarray, data_format: str | None) -> np.ndarray:
    """A 3-D or 4-D image in ``data_format`` as a 4-D channels-last batch."""
    x4 = x if x.ndim == 4 else x[None]
    return np.moveaxis(x4, 1, -1) if data_format == "channels_first" else x4


def from_nhwc(y: np.ndarray, data_format: str | None, batched: bool) -> np.ndarray:
    y = np.moveaxis(y, -1, 1) if data_format == "channels_first" else y
    return y if batched else y[0]


def unit(values: np.ndarray) -> np.ndarray:
    """Domain of colour images: (0, 1), where the conversions are documented."""
    return (np.tanh(values) + 1.0) / 2.0


def image_shape(data_format: str, batched: bool, batch: int, height: int, width: int,
                channels: int) -> tuple[int, ...]:
    spatial = (height, width, channels) if data_format == "channels_last" else (channels, height, width)
    return (batch, *spatial) if batched else spatial


@st.composite
def images(draw: Any, dtype: str, mode: str, channels: Sequence[int] = (1, 2, 3),
           sides: tuple[int, int] = (1, 6), batched: bool | None = None,
           data_format: str | None = None, domain: Any = None) -> tuple[np.ndarray, str, bool]:
    """An image of ``dtype``: layout, batching and sizes drawn; values filled by NumPy."""
    data_format = data_format or draw(st.sampled_from(LAYOUTS))
    batched = draw(st.booleans()) if batched is None else batched
    low, high = sides
    if mode != VALUES:
        high = min(high, low + 3)
    h, w = draw(st.integers(low, high)), draw(st.integers(low, high))
    batch = draw(st.integers(1, 2)) if batched else 1
    c = draw(st.sampled_from(list(channels)))
    shape = image_shape(data_format, batched, batch, h, w, c)
    return draw(strategies.arrays(dtype, shape, mode, domain)), data_format, batched


def spatial_of(x: np.ndarray, data_format: str) -> tuple[int, int]:
    return (x.shape[-3], x.shape[-2]) if data_format == "channels_last" else (x.shape[-2], x.shape[-1])


# -- colour ---------------------------------------------------------------------------
def _channels_axis(data_format: str | None) -> int:
    return -3 if data_format == "channels_first" else -1


def rgb_to_grayscale(images: np.ndarray, data_format: str | None = None) -> np.ndarray:
    """Weights 0.2989, 0.5870, 0.1140; one channel passes through; integers truncate back."""
    axis = _channels_axis(data_format)
    if images.shape[axis] == 1:
        return images
    gray = np.expand_dims(np.tensordot(np.moveaxis(images.astype(np.float64), axis, -1), GRAY_WEIGHTS,
                                       axes=1), axis)
    return np.trunc(gray).astype(np.int64) if images.dtype.kind in "iu" else gray


def grayscale_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """A weighted sum: the weights times |x|."""
    return np.abs(rgb_to_grayscale(np.abs(args[0].astype(np.float64)), **kwargs))


def _split(images: np.ndarray, data_format: str | None) -> list[np.ndarray]:
    axis = _channels_axis(data_format)
    return [np.take(images, i, axis=axis) for i in range(3)]


def rgb_to_hsv(images: np.ndarray, data_format: str | None = None) -> np.ndarray:
    """Hue, saturation, value in [0, 1]; ties in the maximum prefer red, then green."""
    r, g, b = _split(images, data_format)
    value = np.maximum(np.maximum(r, g), b)
    rng = value - np.minimum(np.minimum(r, g), b)
    saturation = np.where(value > 0, rng / np.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * np.where(rng > 0, rng, 1.0))
    hue = np.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = np.where(value == r, norm * (g - b), hue)
    hue = np.where(rng > 0, hue, 0.0)
    hue = hue + (hue < 0.0)
    return np.stack([hue, saturation, value], axis=_channels_axis(data_format))


def hsv_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Hue divides a difference by the range: its rounding grows with value / range."""
    r, g, b = _split(np.asarray(args[0], dtype=np.float64), kwargs.get("data_format"))
    value = np.maximum(np.maximum(r, g), b)
    rng = value - np.minimum(np.minimum(r, g), b)
    hue_scale = np.where(rng > 0, 1.0 + value / np.where(rng > 0, rng, 1.0), 1.0)
    return np.stack([hue_scale, 1.0 + hue_scale, value], axis=_channels_axis(kwargs.get("data_format")))


def hsv_to_rgb(images: np.ndarray, data_format: str | None = None) -> np.ndarray:
    h, s, v = _split(images, data_format)
    dh = np.mod(h, 1.0) * 6.0
    dr = np.clip(np.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = np.clip(2.0 - np.abs(dh - 2.0), 0.0, 1.0)
    db = np.clip(2.0 - np.abs(dh - 4.0), 0.0, 1.0)
    planes = [v * (1.0 - s + s * d) for d in (dr, dg, db)]
    return np.stack(planes, axis=_channels_axis(data_format))


def rgb_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """A few products of values in [0, 1]; 6 * hue amplifies the hue's rounding."""
    return np.abs(ref) + 6.0 * np.abs(ref).max(initial=0.0)


# -- resampling kernels (jax.image's) ------------------------------------------------
def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - np.abs(x))


def _keys_cubic(x: np.ndarray) -> np.ndarray:
    """Keys (1981) cubic with a = -0.5."""
    x = np.abs(x)
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return np.where(x >= 2.0, 0.0, out)


def _lanczos(radius: int) -> Callable[[np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray) -> np.ndarray:
        x = np.abs(x)
        return np.where(x > radius, 0.0, np.sinc(x) * np.sinc(x / radius))

    return kernel


KERNELS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": _triangle, "bilinear": _triangle, "trilinear": _triangle, "triangle": _triangle,
    "cubic": _keys_cubic, "bicubic": _keys_cubic, "tricubic": _keys_cubic,
    "lanczos3": _lanczos(3), "lanczos5": _lanczos(5),
}


#: half-width of each kernel's support, in input pixels before antialias scaling
KERNEL_RADIUS = {"linear": 1, "bilinear": 1, "trilinear": 1, "triangle": 1, "cubic": 2, "bicubic": 2,
                 "tricubic": 2, "lanczos3": 3, "lanczos5": 5}


def weight_matrix(in_size: int, out_size: int, scale: float, translation: float, method: str,
                  antialias: bool, dtype: str | None = None) -> np.ndarray:
    """(out, in) resampling weights at half-pixel centres (see the module docstring).

    ``dtype`` given: the magnitudes for the tolerance instead, |w| plus, on every input
    inside the kernel's support, the error a weight computed in ``dtype`` carries, to first
    order: the sample position is rounded (up to eps times the input size, as positions run
    to it), the kernel's own argument too (Lanczos: sin of pi times up to the radius), and
    the kernel's slope (about 1) carries both into the weight, plus the weight's rounding:
    eps * (1 + size + pi * radius). A Lanczos weight that is exactly 0 at an integer offset
    is then ~1e-6 in float32, and times a large neighbour that is the whole error (measured:
    every backend's lanczos5 float32 result 28 ulp from the float64 one, all alike).
    """
    inv = 1.0 / scale
    kernel_scale = max(inv, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5) * inv - translation * inv - 0.5
    distance = np.abs(sample[:, None] - np.arange(in_size)[None, :]) / kernel_scale
    w = KERNELS[method](distance)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(np.abs(total) > 1000.0 * EPS32, w / np.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    if dtype is not None:
        # <=, and a margin: a neighbour exactly at the kernel's edge has weight 0, which a
        # rounded sample position moves inside
        support = distance <= KERNEL_RADIUS[method] * (1 + 1e-6)
        reach = 1 + in_size + np.pi * KERNEL_RADIUS[method]
        w = np.abs(w) + weight_rounding(dtype) * reach * support
    return np.where(inside[:, None], w, 0.0)


def weight_rounding(dtype: str) -> float:
    """A weight's rounding error (about eps of ``dtype``; weights are O(1)) in units of the
    dtype's relative tolerance, which multiplies the scale."""
    if dtype not in VALUE_TOLERANCE:
        return 0.0
    return float(ml_dtypes.finfo(dtype_from_name(dtype)).eps) / VALUE_TOLERANCE[dtype].rtol


def nearest_matrix(in_size: int, out_size: int) -> np.ndarray:
    """Nearest neighbour at half-pixel centres: input floor((i + 0.5) * in / out)."""
    source = np.minimum(np.floor((np.arange(out_size) + 0.5) * in_size / out_size).astype(int), in_size - 1)
    return (source[:, None] == np.arange(in_size)[None, :]).astype(np.float64)


def apply_along(x: np.ndarray, matrix: np.ndarray, axis: int) -> np.ndarray:
    """Contract ``axis`` of ``x`` with an (out, in) matrix; every product formed."""
    moved = np.moveaxis(x, axis, -1)
    return np.moveaxis(np.einsum("...i,oi->...o", moved, matrix), -1, axis)


# -- resize ---------------------------------------------------------------------------
def _aspect_ratio(x: np.ndarray, size: Sequence[int], crop: bool, pad: bool,
                  fill_value: float) -> np.ndarray:
    """Crop (centred) or pad (evenly on the short side) an NHWC batch to the target aspect ratio."""
    height, width = x.shape[1], x.shape[2]
    th, tw = size
    if crop:
        ch = max(min(height, int(float(width * th) / tw)), 1)
        cw = max(min(width, int(float(height * tw) / th)), 1)
        h0, w0 = int(float(height - ch) / 2), int(float(width - cw) / 2)
        return x[:, h0:h0 + ch, w0:w0 + cw, :]
    if pad:
        ph = max(height, int(float(width * th) / tw))
        pw = max(width, int(float(height * tw) / th))
        h0, w0 = int(float(ph - height) / 2), int(float(pw - width) / 2)
        if h0 > 0:
            return np.pad(x, [(0, 0), (h0, h0), (0, 0), (0, 0)], constant_values=fill_value)
        if w0 > 0:
            return np.pad(x, [(0, 0), (0, 0), (w0, w0), (0, 0)], constant_values=fill_value)
    return x


def resize_float(images: np.ndarray, size: Sequence[int], interpolation: str, antialias: bool,
                  crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool, fill_value: float,
                  data_format: str | None, magnitude: bool = False,
                  weights_dtype: str | None = None) -> np.ndarray:
    x = _aspect_ratio(to_nhwc(images.astype(np.float64), data_format), size, crop_to_aspect_ratio,
                      pad_to_aspect_ratio, fill_value)
    if magnitude:
        x = np.abs(x)
    for axis, out in ((1, size[0]), (2, size[1])):
        n = x.shape[axis]
        if interpolation == "nearest":
            m = nearest_matrix(n, out)
        else:
            m = weight_matrix(n, out, out / n, 0.0, interpolation, antialias,
                              (weights_dtype or images.dtype.name) if magnitude else None)
        x = apply_along(x, np.abs(m) if magnitude else m, axis)
    return from_nhwc(x, data_format, images.ndim == 4)


def resize(images: np.ndarray, size: Sequence[int], interpolation: str = "bilinear",
           antialias: bool = False, crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0,
           data_format: str | None = None) -> np.ndarray:
    """``ops.image.resize``; integer images are rounded (half to even) and saturated back."""
    if fill_mode != "constant":
        raise ValueError("fill_mode: only 'constant' is supported")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("only one of crop_to_aspect_ratio and pad_to_aspect_ratio")
    out = resize_float(images, size, interpolation, antialias, crop_to_aspect_ratio,
                        pad_to_aspect_ratio, fill_value, data_format)
    if images.dtype.kind in "iu":
        return np.clip(np.round(out), 0, 255).astype(np.int64)  # the specs draw uint8 images only
    return out


def resize_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray,
                 dtype: str = "float64") -> np.ndarray:
    """|weights| applied to |x|: cubic and Lanczos weights are negative in places; plus the
    error of weights computed in ``dtype`` (weight_matrix)."""
    k = {"interpolation": "bilinear", "antialias": False, "crop_to_aspect_ratio": False,
         "pad_to_aspect_ratio": False, "fill_value": 0.0, "data_format": None, **kwargs}
    k.pop("fill_mode", None)
    return resize_float(args[0], magnitude=True, weights_dtype=dtype, **k)


resize_scale.needs_dtype = True  # type: ignore[attr-defined]


def scale_and_translate(images: np.ndarray, output_shape: Sequence[int], scale: np.ndarray,
                        translation: np.ndarray, spatial_dims: Sequence[int], method: str,
                        antialias: bool = True, magnitude: bool = False,
                        weights_dtype: str | None = None) -> np.ndarray:
    x = np.abs(images.astype(np.float64)) if magnitude else images.astype(np.float64)
    for i, d in enumerate(spatial_dims):
        m = weight_matrix(x.shape[d], int(output_shape[d]), float(scale[i]), float(translation[i]),
                          method, antialias, (weights_dtype or images.dtype.name) if magnitude else None)
        x = apply_along(x, np.abs(m) if magnitude else m, d)
    return x


def scale_and_translate_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray,
                              dtype: str = "float64") -> np.ndarray:
    return scale_and_translate(*args, **kwargs, magnitude=True, weights_dtype=dtype)


scale_and_translate_scale.needs_dtype = True  # type: ignore[attr-defined]


# -- point sampling -------------------------------------------------------------------
def _fix_index(index: np.ndarray, size: int, mode: str) -> np.ndarray:
    if mode == "wrap":
        return np.mod(index, size)
    if mode == "mirror":  # (c d c b | a b c d | c b a b)
        if size == 1:
            return np.zeros_like(index)
        period = 2 * (size - 1)
        folded = np.mod(index, period)
        return np.where(folded >= size, period - folded, folded)
    if mode == "reflect":  # (d c b a | a b c d | d c b a)
        folded = np.mod(index, 2 * size)
        return np.where(folded >= size, 2 * size - 1 - folded, folded)
    return np.clip(index, 0, size - 1)  # nearest; constant (its validity is checked apart)


def map_coordinates(inputs: np.ndarray, coordinates: np.ndarray, order: int, fill_mode: str = "constant",
                    fill_value: float = 0.0) -> np.ndarray:
    """Order 0 rounds (the specs draw no .5 ties); order 1 blends 2**rank corners."""
    if order not in (0, 1):
        raise ValueError("order must be 0 or 1")
    if fill_mode not in ("constant", "nearest", "wrap", "mirror", "reflect"):
        raise ValueError(f"fill_mode {fill_mode!r}")
    x = np.asarray(inputs, dtype=np.float64)
    coordinates = np.asarray(coordinates, dtype=np.float64)
    if coordinates.shape[0] != x.ndim:
        raise ValueError("coordinates' first dimension must be the rank of inputs")
    per_axis = []
    for c, size in zip(coordinates, x.shape):
        if order == 0:
            nodes = [(np.round(c).astype(np.int64), np.ones_like(c))]
        else:
            low = np.floor(c)
            nodes = [(low.astype(np.int64), 1.0 - (c - low)), (low.astype(np.int64) + 1, c - low)]
        per_axis.append([(_fix_index(i, size, fill_mode), (i >= 0) & (i < size), w) for i, w in nodes])
    out = np.zeros(coordinates.shape[1:])
    for corner in itertools.product(*per_axis):
        value = x[tuple(i for i, _, _ in corner)]
        if fill_mode == "constant":
            value = np.where(np.logical_and.reduce([v for _, v, _ in corner]), value, fill_value)
        out = out + np.prod([w for _, _, w in corner], axis=0) * value
    if inputs.dtype.kind in "iu":
        return np.trunc(out + np.copysign(0.5, out)).astype(np.int64)  # half away from zero
    return out


def _sample_image(x4: np.ndarray, rows: np.ndarray, cols: np.ndarray, order: int, fill_mode: str,
                  fill_value: float) -> np.ndarray:
    """Sample each image b of an NHWC batch at (rows[b], cols[b]) (each H x W), per channel."""
    out = np.empty(x4.shape)
    for b in range(x4.shape[0]):
        for ch in range(x4.shape[-1]):
            out[b, ..., ch] = map_coordinates(x4[b, ..., ch], np.stack([rows[b], cols[b]]), order,
                                              fill_mode, fill_value)
    return out


ORDERS = {"nearest": 0, "bilinear": 1}


def affine_transform(images: np.ndarray, transform: np.ndarray, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0,
                     data_format: str | None = None) -> np.ndarray:
    """Output (x, y) samples the input at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)."""
    if fill_mode not in ("constant", "nearest", "wrap", "reflect"):
        raise ValueError(f"fill_mode {fill_mode!r}")
    x4 = to_nhwc(images.astype(np.float64), data_format)
    t = np.broadcast_to(np.asarray(transform, dtype=np.float64).reshape(-1, 8), (x4.shape[0], 8))
    y, x = np.meshgrid(np.arange(x4.shape[1]), np.arange(x4.shape[2]), indexing="ij")
    rows, cols = [], []
    for a0, a1, a2, b0, b1, b2, c0, c1 in t:
        k = c0 * x + c1 * y + 1.0
        cols.append((a0 * x + a1 * y + a2) / k)
        rows.append((b0 * x + b1 * y + b2) / k)
    out = _sample_image(x4, np.array(rows), np.array(cols), ORDERS[interpolation], fill_mode, fill_value)
    return from_nhwc(out, data_format, images.ndim == 4)


def homography(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The 8 coefficients mapping each end (output) point to its start (input) point."""
    rows, target = [], []
    for (sx, sy), (ex, ey) in zip(start, end):
        rows.append([ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey])
        rows.append([0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey])
        target += [sx, sy]
    return np.linalg.solve(np.array(rows, dtype=np.float64), np.array(target, dtype=np.float64))


def perspective_transform(images: np.ndarray, start_points: np.ndarray, end_points: np.ndarray,
                          interpolation: str = "bilinear", fill_value: float = 0.0,
                          data_format: str | None = None) -> np.ndarray:
    starts = np.asarray(start_points, dtype=np.float64).reshape(-1, 4, 2)
    ends = np.asarray(end_points, dtype=np.float64).reshape(-1, 4, 2)
    batch = to_nhwc(images, data_format).shape[0]
    transforms = np.array([homography(s, e) for s, e in zip(starts, ends)])
    return affine_transform(images, np.broadcast_to(transforms, (batch, 8)), interpolation, "constant",
                            fill_value, data_format)


def local_slope(x4: np.ndarray) -> np.ndarray:
    """max |difference| to a neighbouring pixel, per pixel of an NHWC batch (0 at edges beyond)."""
    a = np.abs(np.asarray(x4, dtype=np.float64))
    slope = np.zeros_like(a)
    for axis in (1, 2):
        d = np.abs(np.diff(x4.astype(np.float64), axis=axis))
        pad_lo = [(0, 0)] * 4
        pad_hi = [(0, 0)] * 4
        pad_lo[axis], pad_hi[axis] = (1, 0), (0, 1)
        slope = np.maximum(slope, np.maximum(np.pad(d, pad_lo), np.pad(d, pad_hi)))
    return slope


def perspective_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """|ref| plus the image's largest slope times the coordinates' size.

    Every backend solves the homography in float32 (the points' documented
    dtype); a coordinate error of a few float32 ulps times the image's slope is
    the rounding of a float32 result.
    """
    data_format = kwargs.get("data_format")
    x4 = to_nhwc(np.asarray(args[0], dtype=np.float64), data_format)
    bound = local_slope(x4).max(initial=0.0) * (1.0 + max(x4.shape[1], x4.shape[2]))
    return np.abs(ref) + np.abs(args[0]).max(initial=0.0) + bound


def elastic_identity(images: np.ndarray, **_: Any) -> np.ndarray:
    """alpha = 0: every displacement is zero, the output samples each pixel at its centre."""
    return images.astype(np.float64)


# -- filters ----------------------------------------------------------------------------
def gaussian_1d(size: int, sigma: float) -> np.ndarray:
    x = np.arange(size) - (size - 1) / 2.0
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def correlate_same(x4: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Depthwise "same" correlation of an NHWC batch with a (kh, kw) kernel, zero padding.

    TF's "same": the extra row or column of padding goes after. Every product is
    formed, so a NaN or inf meets the zero taps too.
    """
    kh, kw = kernel.shape
    ph, pw = kh - 1, kw - 1
    padded = np.pad(x4, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    h, w = x4.shape[1], x4.shape[2]
    out = np.zeros(x4.shape)
    for i, j in np.ndindex(kh, kw):
        out = out + kernel[i, j] * padded[:, i:i + h, j:j + w, :]
    return out


def gaussian_blur(images: np.ndarray, kernel_size: Sequence[int] = (3, 3), sigma: Sequence[float] = (1.0, 1.0),
                  data_format: str | None = None, magnitude: bool = False) -> np.ndarray:
    """As documented: kernel_size and sigma are (height, width)."""
    kernel = np.outer(gaussian_1d(int(kernel_size[0]), float(sigma[0])),
                      gaussian_1d(int(kernel_size[1]), float(sigma[1])))
    x4 = to_nhwc(images.astype(np.float64), data_format)
    out = correlate_same(np.abs(x4) if magnitude else x4, kernel)
    return from_nhwc(out, data_format, images.ndim == 4)


def gaussian_blur_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """The blur of |x| (a weighted sum with positive weights)."""
    return gaussian_blur(args[0], **kwargs, magnitude=True)


SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


def sobel_edges(images: np.ndarray, data_format: str | None = None, magnitude: bool = False) -> np.ndarray:
    """(..., 2) holding [dy, dx]: "same" correlations with the Sobel kernels, zero padding."""
    if images.ndim != 4:
        raise ValueError("sobel_edges takes a batch of images (rank 4)")
    x4 = to_nhwc(images.astype(np.float64), data_format)
    kernels = (np.abs(SOBEL_Y), np.abs(SOBEL_Y.T)) if magnitude else (SOBEL_Y, SOBEL_Y.T)
    if magnitude:
        x4 = np.abs(x4)
    edges = np.stack([correlate_same(x4, k) for k in kernels], axis=-1)
    return np.moveaxis(edges, 3, 1) if data_format == "channels_first" else edges


def sobel_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    return sobel_edges(args[0], **kwargs, magnitude=True)


def ssim_parts(image1: np.ndarray, image2: np.ndarray, max_val: float, filter_size: int, filter_sigma: float,
               k1: float, k2: float, data_format: str | None) -> dict[str, np.ndarray]:
    """The SSIM map's terms per (image, channel), valid filtering with a Gaussian window."""
    g = gaussian_1d(filter_size, filter_sigma)
    window = np.outer(g, g)

    def blur(a: np.ndarray) -> np.ndarray:
        h, w = a.shape[1] - filter_size + 1, a.shape[2] - filter_size + 1
        out = np.zeros((a.shape[0], h, w, a.shape[3]))
        for i, j in np.ndindex(filter_size, filter_size):
            out = out + window[i, j] * a[:, i:i + h, j:j + w, :]
        return out

    x = to_nhwc(image1.astype(np.float64), data_format)
    y = to_nhwc(image2.astype(np.float64), data_format)
    mu1, mu2 = blur(x), blur(y)
    s11, s22, s12 = blur(x * x), blur(y * y), blur(x * y)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    num = (2 * mu1 * mu2 + c1) * (2 * (s12 - mu1 * mu2) + c2)
    den = (mu1 ** 2 + mu2 ** 2 + c1) * ((s11 - mu1 ** 2) + (s22 - mu2 ** 2) + c2)
    return {"map": num / den, "second": s11 + s22 + np.abs(s12), "var": (s11 - mu1 ** 2) + (s22 - mu2 ** 2) + c2}


def ssim(image1: np.ndarray, image2: np.ndarray, max_val: float = 1.0, filter_size: int = 11,
         filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03,
         data_format: str | None = None) -> np.ndarray:
    """Mean of the SSIM map over space and channels: one value per image."""
    parts = ssim_parts(image1, image2, max_val, filter_size, filter_sigma, k1, k2, data_format)
    out = parts["map"].mean(axis=(1, 2, 3))
    return out if image1.ndim == 4 else out[0]


def ssim_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Variances are formed as E[x^2] - mu^2: their rounding is that of E[x^2], amplified by
    E[x^2] / (variance + c2) in the map."""
    k = {"max_val": 1.0, "filter_size": 11, "filter_sigma": 1.5, "k1": 0.01, "k2": 0.03,
         "data_format": None, **kwargs}
    parts = ssim_parts(args[0], args[1], **k)
    amp = (1.0 + np.abs(parts["map"])) * (1.0 + parts["second"] / np.abs(parts["var"]))
    out = amp.mean(axis=(1, 2, 3))
    return out if args[0].ndim == 4 else out[0]


# -- patches, padding, cropping --------------------------------------------------------
def extract_patches(images: np.ndarray, size: Any, strides: Any = None, dilation_rate: Any = 1,
                    padding: str = "valid", data_format: str | None = None) -> np.ndarray:
    """Patches flattened (row, column, channel) into the channel axis; a gather, not a sum."""
    rank = 3 if isinstance(size, (list, tuple)) and len(size) == 3 else 2
    window = tuple(size) if isinstance(size, (list, tuple)) else (int(size),) * rank
    stride = window if not strides else (tuple(strides) if isinstance(strides, (list, tuple))
                                         else (int(strides),) * rank)
    dilation = tuple(dilation_rate) if isinstance(dilation_rate, (list, tuple)) else (int(dilation_rate),) * rank
    batched = images.ndim == rank + 2
    x = images if batched else images[None]
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    x = x.astype(np.float64) if x.dtype.kind == "f" else x
    pads = [(0, 0)]
    outs = []
    for i in range(rank):
        n, reach = x.shape[1 + i], (window[i] - 1) * dilation[i] + 1
        if padding == "same":
            out = -(-n // stride[i])
            total = max((out - 1) * stride[i] + reach - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            out = (n - reach) // stride[i] + 1
            pads.append((0, 0))
        outs.append(out)
    padded = np.pad(x, [*pads, (0, 0)])
    pieces = []
    for offset in np.ndindex(*window):
        index = tuple(slice(o * d, o * d + (n - 1) * s + 1, s) for o, d, n, s in zip(offset, dilation, outs, stride))
        pieces.append(padded[(slice(None), *index, slice(None))])
    out = np.concatenate(pieces, axis=-1)
    if data_format == "channels_first":
        out = np.moveaxis(out, -1, 1)
    return out if batched else out[0]


def _resolve(before: int | None, after: int | None, target: int | None, size: int, sign: int) -> tuple[int, int]:
    """Two of (before, after, target) given: the third (sign +1 pads, -1 crops)."""
    if before is None:
        before = sign * (target - size) - after
    if after is None:
        after = sign * (target - size) - before
    if before < 0 or after < 0:
        raise ValueError("negative padding or cropping")
    return before, after


def pad_images(images: np.ndarray, top_padding: int | None = None, left_padding: int | None = None,
               bottom_padding: int | None = None, right_padding: int | None = None,
               target_height: int | None = None, target_width: int | None = None,
               data_format: str | None = None) -> np.ndarray:
    x4 = to_nhwc(images, data_format)
    top, bottom = _resolve(top_padding, bottom_padding, target_height, x4.shape[1], 1)
    left, right = _resolve(left_padding, right_padding, target_width, x4.shape[2], 1)
    return from_nhwc(np.pad(x4, [(0, 0), (top, bottom), (left, right), (0, 0)]), data_format, images.ndim == 4)


def crop_images(images: np.ndarray, top_cropping: int | None = None, left_cropping: int | None = None,
                bottom_cropping: int | None = None, right_cropping: int | None = None,
                target_height: int | None = None, target_width: int | None = None,
                data_format: str | None = None) -> np.ndarray:
    x4 = to_nhwc(images, data_format)
    h, w = x4.shape[1], x4.shape[2]
    top, bottom = _resolve(top_cropping, bottom_cropping, target_height, h, -1)
    left, right = _resolve(left_cropping, right_cropping, target_width, w, -1)
    if top + bottom >= h or left + right >= w:
        raise ValueError("cropping leaves no pixels")
    return from_nhwc(x4[:, top:h - bottom, left:w - right, :], data_format, images.ndim == 4)


def two_of_three(draw: Any, size: int, grow: bool, names: tuple[str, str, str]) -> dict[str, int]:
    """Exactly two of (before, after, target) for one axis of pad_images / crop_images."""
    if grow:
        before, after = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    else:
        before = draw(st.integers(0, max(size - 1, 0)))
        after = draw(st.integers(0, max(size - 1 - before, 0)))
    target = size + before + after if grow else size - before - after
    values = dict(zip(names, (before, after, target)))
    left_out = draw(st.sampled_from(names))
    return {k: v for k, v in values.items() if k != left_out}



def map_coordinates_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """Order-1 weights are non-negative: the same sampling of |x| (and |fill_value|)."""
    k = dict(kwargs)
    k["fill_value"] = abs(k.get("fill_value", 0.0))
    return map_coordinates(np.abs(args[0].astype(np.float64)), args[1], **k)


def affine_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    k = dict(kwargs)
    k["fill_value"] = abs(k.get("fill_value", 0.0))
    return affine_transform(np.abs(args[0].astype(np.float64)), args[1], **k)
