"""Specs of ``keras.ops.image``: colour, resampling, point sampling, filters, patches, pad/crop, SSIM.

The argument strategies of each op live here; references, layout helpers and
the shared image strategy live in :mod:`conformance.families.image`. Every
spec draws both ``data_format`` values (passed explicitly: Keras'
``image_data_format`` default is channels_last; a separate spec leaves it out
where a backend reads ``None`` differently), batched and unbatched images.

Interpolating ops take no special values: whether an implementation forms the
products of zero weights with NaN/inf neighbours (a separable weight-matrix
implementation does, a two-tap one does not) is not specified.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from conformance import promotion
from conformance.families import image as im
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, GRAD, INT_DTYPES, arrays, composite

SAME_ARG0 = promotion.of_args([0])
IMAGE_INTS = ("uint8", "int16", "int32")


def _layout(data_format: str) -> dict[str, Any]:
    return {"data_format": data_format}


# -- colour -------------------------------------------------------------------------------
def colour_args(channels: tuple[int, ...], domain: Any = None) -> Any:
    def draw_colour(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, _ = draw(im.images(dtype, mode, channels=channels, domain=domain))
        return [x], _layout(data_format)

    return composite(draw_colour)


# -- resize ---------------------------------------------------------------------------------
def resize_args(interpolations: tuple[str, ...], antialias: bool = False, aspect: str | None = None) -> Any:
    def draw_resize(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, _ = draw(im.images(dtype, mode, sides=(1, 7)))
        size = [draw(st.integers(1, 9)), draw(st.integers(1, 9))]
        kwargs: dict[str, Any] = {"size": size, "interpolation": draw(st.sampled_from(interpolations)),
                                  "data_format": data_format}
        if antialias:
            kwargs["antialias"] = True
        elif draw(st.booleans()):
            kwargs["antialias"] = False
        if aspect == "crop":
            kwargs["crop_to_aspect_ratio"] = True
        elif aspect == "pad":
            kwargs["pad_to_aspect_ratio"] = True
            kwargs["fill_value"] = draw(st.sampled_from([0.0, 1.0, -2.5]))
        if x.dtype.kind == "u":  # no x.5 results: which way a float32 sum rounds them is arbitrary
            k = {key: v for key, v in kwargs.items() if key != "size"}
            exact = im.resize_float(x, size, **{"antialias": False, "crop_to_aspect_ratio": False,
                                                 "pad_to_aspect_ratio": False, "fill_value": 0.0, **k})
            assume(not (np.abs(exact - np.floor(exact) - 0.5) < 1e-3).any())
        return [x], kwargs

    return composite(draw_resize)


def scale_and_translate_args(methods: tuple[str, ...]) -> Any:
    def draw_st(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, batched = draw(im.images(dtype, mode, sides=(1, 6)))
        spatial = [0, 1] if data_format == "channels_last" else [1, 2]
        if batched:
            spatial = [d + 1 for d in spatial]
        if draw(st.booleans()):  # one spatial axis only
            spatial = [draw(st.sampled_from(spatial))]
        out_shape = list(x.shape)
        scale, translation = [], []
        for d in spatial:
            out_shape[d] = draw(st.integers(1, 8))
            # dyadic scales and shifts: exact in every float dtype
            scale.append(draw(st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0])))
            translation.append(draw(st.sampled_from([-1.5, -0.5, 0.0, 0.25, 1.0, 2.0])))
            # a sample on the edge of the input (-0.5 or size - 0.5) is inside or outside by
            # rounding (1 / 1.25 is not exact): no case decides it
            sample = (np.arange(out_shape[d]) + 0.5 - translation[-1]) / scale[-1] - 0.5
            edges = np.minimum(np.abs(sample + 0.5), np.abs(sample - (x.shape[d] - 0.5)))
            assume(not (edges < 1e-4).any())
        kwargs = {"output_shape": out_shape, "scale": scale, "translation": translation,
                  "spatial_dims": spatial, "method": draw(st.sampled_from(methods)),
                  "antialias": draw(st.booleans())}
        return [x], kwargs

    return composite(draw_st)


# -- point sampling -----------------------------------------------------------------------
#: coordinate fractions: no .5 ties for order 0 (backends round ties differently); dyadic, exact
NEAREST_FRACTIONS = (0.0, 0.125, 0.375, 0.625, 0.875)
LINEAR_FRACTIONS = (0.0, 0.125, 0.25, 0.5, 0.75, 0.875)


def map_coordinates_args(fill_modes: tuple[str, ...]) -> Any:
    def draw_map(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        rank = draw(st.integers(1, 3))
        low = 2 if "mirror" in fill_modes else 1  # mirror of a single pixel is a degenerate period
        shape = [draw(st.integers(low, 5 if rank < 3 else 3)) for _ in range(rank)]
        x = draw(arrays(dtype, shape, mode))
        order = draw(st.sampled_from([0, 1]))
        out_shape = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 2)))]
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        fractions = np.array(NEAREST_FRACTIONS if order == 0 else LINEAR_FRACTIONS)
        coords = [rng.integers(-2, n + 2, size=out_shape) + rng.choice(fractions, size=out_shape)
                  for n in shape]
        kwargs: dict[str, Any] = {"order": order, "fill_mode": draw(st.sampled_from(fill_modes))}
        if kwargs["fill_mode"] == "constant" and draw(st.booleans()):
            kwargs["fill_value"] = draw(st.sampled_from([0.0, 1.0, -3.0]))
        coords = np.array(coords, dtype=np.float32)
        if x.dtype.kind in "iu":  # no x.5 results: backends round those ties differently
            exact = im.map_coordinates(x.astype(np.float64), coords, **kwargs)
            assume(not (np.abs(exact - np.floor(exact) - 0.5) < 1e-3).any())
        return [x, coords], kwargs

    return composite(draw_map)


QUARTERS = (-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


def _affine_row(draw: Any, size_x: int, size_y: int) -> list[float]:
    """a0 a1 a2 b0 b1 b2 0 0: quarter coefficients, offsets at 1/8 (never a .5 tie, exact in float32)."""
    a0, a1, b0, b1 = (draw(st.sampled_from(QUARTERS)) for _ in range(4))
    assume(a0 * b1 - a1 * b0 != 0)  # invertible: TensorFlow's gradient inverts the transform
    a2 = draw(st.integers(-2, size_x)) + draw(st.sampled_from([0.125, 0.375, -0.125]))
    b2 = draw(st.integers(-2, size_y)) + draw(st.sampled_from([0.125, 0.375, -0.125]))
    return [a0, a1, a2, b0, b1, b2, 0.0, 0.0]


def affine_args(fill_modes: tuple[str, ...]) -> Any:
    def draw_affine(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, batched = draw(im.images(dtype, mode, sides=(1, 6)))
        h, w = im.spatial_of(x, data_format)
        rows = [_affine_row(draw, w, h) for _ in range(x.shape[0] if batched else 1)]
        transform = np.array(rows if (batched and (len(rows) > 1 or draw(st.booleans()))) else rows[0],
                             dtype=np.float32)
        kwargs: dict[str, Any] = {"interpolation": draw(st.sampled_from(["bilinear", "nearest"])),
                                  "fill_mode": draw(st.sampled_from(fill_modes)), "data_format": data_format}
        if kwargs["fill_mode"] == "constant" and draw(st.booleans()):
            kwargs["fill_value"] = draw(st.sampled_from([0.0, 1.0, -3.0]))
        return [x, transform], kwargs

    return composite(draw_affine)


def perspective_args() -> Any:
    def draw_perspective(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, batched = draw(im.images(dtype, mode, sides=(2, 6)))
        h, w = im.spatial_of(x, data_format)
        count = x.shape[0] if batched else 1  # (N, 4, 2) points: one set per image, as documented
        corners = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float64)
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        # start points: the corners moved inwards by up to a third of the image
        inward = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
        reach = np.array([max(w - 1, 1), max(h - 1, 1)]) / 3.0
        # odd eighths: a corner never maps to a .5 tie of nearest rounding
        starts = corners + inward * (2 * np.floor(rng.uniform(0, 1, size=(count, 4, 2)) * reach * 4) + 1) / 8
        ends = np.broadcast_to(corners, starts.shape)
        if not batched or (count == 1 and draw(st.booleans())):
            starts, ends = starts[0], ends[0]
        kwargs: dict[str, Any] = {"interpolation": draw(st.sampled_from(["bilinear", "nearest"])),
                                  "data_format": data_format}
        if draw(st.booleans()):
            kwargs["fill_value"] = draw(st.sampled_from([0.0, 1.0]))
        return [x, starts.astype(np.float32), np.array(ends, dtype=np.float32)], kwargs

    return composite(draw_perspective)


def elastic_args() -> Any:
    def draw_elastic(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, _ = draw(im.images(dtype, mode, sides=(2, 6)))
        kwargs = {"alpha": 0.0, "sigma": draw(st.sampled_from([0.5, 1.0, 2.0])),
                  "interpolation": draw(st.sampled_from(["bilinear", "nearest"])),
                  "fill_mode": draw(st.sampled_from(["constant", "nearest", "wrap", "reflect"])),
                  "seed": draw(st.integers(0, 1000)), "data_format": data_format}
        return [x], kwargs

    return composite(draw_elastic)


# -- filters ----------------------------------------------------------------------------------
def gaussian_args(anisotropic: bool = False, default_format: bool = False) -> Any:
    def draw_gaussian(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, _ = draw(im.images(dtype, mode, sides=(1, 7),
                                           data_format="channels_last" if default_format else None))
        size = draw(st.sampled_from([1, 3, 5]))
        sigma = [draw(st.sampled_from([0.5, 1.0, 1.5, 3.0]))] * 2
        kwargs: dict[str, Any] = {"kernel_size": [size, size], "sigma": sigma}
        if anisotropic:
            kwargs["kernel_size"] = [3, 3]
            kwargs["sigma"] = draw(st.sampled_from([[0.5, 2.0], [2.0, 0.5], [1.0, 3.0]]))
        if not default_format:
            kwargs["data_format"] = data_format
        return [x], kwargs

    return composite(draw_gaussian)


def sobel_args(zero_border: bool = False) -> Any:
    def draw_sobel(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, _ = draw(im.images(dtype, mode, batched=True, sides=(5, 7) if zero_border else (1, 6)))
        if zero_border:  # a two-pixel frame of zeros: every border convention agrees
            x = x.copy()
            frame = np.ones(im.spatial_of(x, data_format), dtype=bool)
            frame[2:-2, 2:-2] = False
            if data_format == "channels_first":
                x[:, :, frame] = 0
            else:
                x[:, frame, :] = 0
        return [x], _layout(data_format)

    return composite(draw_sobel)


def ssim_args(defaults: bool = False) -> Any:
    def draw_ssim(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        size = 11 if defaults else draw(st.sampled_from([1, 3, 5]))
        x, data_format, batched = draw(im.images(dtype, mode, channels=(1, 3), sides=(size, size + 2),
                                                 domain=im.unit))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        # identical images are SSIM's maximum: a zero gradient that rounding dominates
        noise = draw(st.sampled_from([0.05, 0.3] if mode == GRAD else [0.0, 0.05, 0.3]))
        y = np.clip(x.astype(np.float64) + noise * rng.standard_normal(x.shape), 0.0, 1.0).astype(x.dtype)
        kwargs: dict[str, Any] = {"data_format": data_format}
        if not defaults:
            kwargs.update(filter_size=size, filter_sigma=draw(st.sampled_from([0.5, 1.5])),
                          max_val=draw(st.sampled_from([1.0, 2.0])))
            if draw(st.booleans()):
                kwargs.update(k1=0.05, k2=0.1)
        return [x, y], kwargs

    return composite(draw_ssim)


# -- patches, pad, crop -------------------------------------------------------------------------
def patches_args(rank: int, data_format: str) -> Any:
    def draw_patches(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        batched = draw(st.booleans())
        window = [draw(st.integers(1, 3 if rank == 2 else 2)) for _ in range(rank)]
        dilated = draw(st.booleans())
        dilation = [draw(st.integers(1, 2)) for _ in range(rank)] if dilated else [1] * rank
        strides = None if dilated else [draw(st.integers(1, 3)) for _ in range(rank)]
        reach = [(k - 1) * d + 1 for k, d in zip(window, dilation)]
        spatial = [draw(st.integers(r, r + (3 if rank == 2 else 1))) for r in reach]
        channels = draw(st.integers(1, 3 if rank == 2 else 2))
        batch = [draw(st.integers(1, 2))] if batched else []
        shape = [*batch, *spatial, channels] if data_format == "channels_last" else [*batch, channels, *spatial]
        x = draw(arrays(dtype, shape, mode))
        kwargs: dict[str, Any] = {"size": window if (rank == 3 or len(set(window)) > 1 or draw(st.booleans()))
                                  else window[0],
                                  "padding": draw(st.sampled_from(["valid", "same"])), "data_format": data_format}
        if strides is not None and (draw(st.booleans()) or strides != window):
            kwargs["strides"] = strides
        if dilated:  # strides default to size: dilation needs strides=1 given (documented)
            kwargs["strides"] = 1 if draw(st.booleans()) else [1] * rank
            kwargs["dilation_rate"] = dilation if len(set(dilation)) > 1 else dilation[0]
        return [x], kwargs

    return composite(draw_patches)


def pad_crop_args(grow: bool) -> Any:
    verb = "padding" if grow else "cropping"

    def draw_pad_crop(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x, data_format, _ = draw(im.images(dtype, mode, sides=(1, 6)))
        h, w = im.spatial_of(x, data_format)
        kwargs: dict[str, Any] = {"data_format": data_format}
        kwargs.update(im.two_of_three(draw, h, grow, (f"top_{verb}", f"bottom_{verb}", "target_height")))
        kwargs.update(im.two_of_three(draw, w, grow, (f"left_{verb}", f"right_{verb}", "target_width")))
        return [x], kwargs

    return composite(draw_pad_crop)


INTERP_NOTE = "special values left out: see the module docstring. "

SPECS = [
    # -- colour ----------------------------------------------------------------------------
    OpSpec("ops.image.rgb_to_grayscale", colour_args((1, 3)), im.rgb_to_grayscale, FLOAT_DTYPES + IMAGE_INTS,
           grad=True, conditioning=im.grayscale_scale, signed_zeros=False,
           notes="3 or 1 channels (1 passes through); integer images truncate the weighted sum back to "
                 "their dtype"),
    OpSpec("ops.image.rgb_to_hsv", colour_args((3,), im.unit), im.rgb_to_hsv, FLOAT_DTYPES, grad=True,
           special=False, conditioning=im.hsv_scale, signed_zeros=False,
           notes="float images in (0, 1), where Keras documents the conversion; ties in the maximum "
                 "(small-integer profile) included. No special values: outside [0, 1] is undefined"),
    OpSpec("ops.image.hsv_to_rgb", colour_args((3,), im.unit), im.hsv_to_rgb, FLOAT_DTYPES, grad=True,
           special=False, conditioning=im.rgb_scale, signed_zeros=False,
           notes="float images in (0, 1), where Keras documents the conversion"),
    # -- resize ------------------------------------------------------------------------------
    OpSpec("ops.image.resize", resize_args(("bilinear",)), im.resize, FLOAT_DTYPES, grad=True,
           special=False, conditioning=im.resize_scale, signed_zeros=False,
           notes=INTERP_NOTE + "bilinear, up and down, antialias left out or False; half-pixel centres"),
    OpSpec("ops.image.resize", resize_args(("nearest",)), im.resize, FLOAT_DTYPES, grad=True,
           special=False, conditioning=im.resize_scale, signed_zeros=False, name="ops.image.resize.nearest",
           notes=INTERP_NOTE + "input floor((i + 0.5) * in / out)"),
    OpSpec("ops.image.resize", resize_args(("bicubic",)), im.resize, FLOAT_DTYPES, grad=True,
           special=False, conditioning=im.resize_scale, signed_zeros=False, name="ops.image.resize.bicubic",
           notes=INTERP_NOTE + "Keys cubic (a = -0.5), weights renormalised over the taps inside the "
                               "image (jax.image / TF's half-pixel bicubic)"),
    OpSpec("ops.image.resize", resize_args(("bilinear", "bicubic"), antialias=True), im.resize, FLOAT_DTYPES,
           grad=True, special=False, conditioning=im.resize_scale, signed_zeros=False,
           name="ops.image.resize.antialias",
           notes=INTERP_NOTE + "antialias=True: the kernel widened by in / out when downsampling"),
    OpSpec("ops.image.resize", resize_args(("bilinear", "nearest"), aspect="crop"), im.resize, FLOAT_DTYPES,
           grad=True, special=False, conditioning=im.resize_scale, signed_zeros=False,
           name="ops.image.resize.crop_to_aspect_ratio",
           notes=INTERP_NOTE + "the centred largest window of the target aspect ratio, then resized"),
    OpSpec("ops.image.resize", resize_args(("bilinear", "nearest"), aspect="pad"), im.resize, FLOAT_DTYPES,
           grad=True, special=False, conditioning=im.resize_scale, signed_zeros=False,
           name="ops.image.resize.pad_to_aspect_ratio",
           notes=INTERP_NOTE + "padded evenly on the short side with fill_value, then resized"),
    OpSpec("ops.image.resize", resize_args(("bilinear", "nearest", "bicubic")), im.resize, ("uint8",),
           special=False, name="ops.image.resize.uint8",
           notes="uint8 images: Keras rounds (half to even) and saturates the resampled values back"),
    OpSpec("ops.image.scale_and_translate", scale_and_translate_args(("linear", "bilinear", "cubic")),
           im.scale_and_translate, FLOAT_DTYPES, grad=True, special=False,
           conditioning=im.scale_and_translate_scale, signed_zeros=False,
           notes=INTERP_NOTE + "one or two spatial axes; dyadic scales and translations; antialias both"),
    OpSpec("ops.image.scale_and_translate", scale_and_translate_args(("lanczos3", "lanczos5")),
           im.scale_and_translate, FLOAT_DTYPES, grad=True, special=False,
           conditioning=im.scale_and_translate_scale, signed_zeros=False,
           name="ops.image.scale_and_translate.lanczos", notes=INTERP_NOTE + "Lanczos kernels of radius 3 and 5"),
    # -- point sampling ----------------------------------------------------------------------
    OpSpec("ops.image.map_coordinates", map_coordinates_args(("constant", "nearest", "wrap", "reflect")),
           im.map_coordinates, FLOAT_DTYPES, result_dtype=SAME_ARG0, grad=True, grad_wrt=(0,), mixed_args=(0,),
           special=False, conditioning=im.map_coordinates_scale, signed_zeros=False,
           notes=INTERP_NOTE + "rank 1 to 3; order 0 and 1; float32 coordinates, outside the input too, "
                               "never on a .5 tie for order 0. Gradients with respect to the input only"),
    OpSpec("ops.image.map_coordinates", map_coordinates_args(("mirror",)), im.map_coordinates, FLOAT_DTYPES,
           result_dtype=SAME_ARG0, grad=True, grad_wrt=(0,), mixed_args=(0,), special=False,
           conditioning=im.map_coordinates_scale, signed_zeros=False, name="ops.image.map_coordinates.mirror",
           notes=INTERP_NOTE + "fill_mode=\"mirror\" (c d c b | a b c d | c b a b), inputs of 2 or more per axis"),
    OpSpec("ops.image.map_coordinates", map_coordinates_args(("constant", "nearest", "wrap", "reflect")),
           im.map_coordinates, IMAGE_INTS, result_dtype=SAME_ARG0, mixed_args=(0,), special=False,
           name="ops.image.map_coordinates.int",
           notes="integer inputs: the interpolated value rounded half away from zero"),
    OpSpec("ops.image.affine_transform", affine_args(("constant", "nearest", "reflect")), im.affine_transform,
           FLOAT_DTYPES, result_dtype=SAME_ARG0, grad=True, grad_wrt=(0,), mixed_args=(0,), special=False,
           conditioning=im.affine_scale, signed_zeros=False,
           notes=INTERP_NOTE + "c0 = c1 = 0 (Keras documents them as TensorFlow-only); quarter "
                               "coefficients and 1/8 offsets: exact in float32, no rounding ties"),
    OpSpec("ops.image.affine_transform", affine_args(("wrap",)), im.affine_transform, FLOAT_DTYPES,
           result_dtype=SAME_ARG0, grad=True, grad_wrt=(0,), mixed_args=(0,), special=False,
           conditioning=im.affine_scale, signed_zeros=False, name="ops.image.affine_transform.wrap",
           notes=INTERP_NOTE + "fill_mode=\"wrap\": each corner index wrapped, so a sample between the "
                               "last and the first pixel blends them"),
    OpSpec("ops.image.perspective_transform", perspective_args(), im.perspective_transform, FLOAT_DTYPES,
           result_dtype=SAME_ARG0, grad=True, grad_wrt=(0,), mixed_args=(0,), special=False,
           conditioning=im.perspective_scale, signed_zeros=False,
           notes=INTERP_NOTE + "end points the image corners, start points moved inwards; the homography "
                               "solved in float64 here (backends solve it in float32: the conditioning "
                               "allows a float32 coordinate error times the image's slope)"),
    OpSpec("ops.image.elastic_transform", elastic_args(), im.elastic_identity, FLOAT_DTYPES,
           special=False, signed_zeros=False,
           notes="alpha=0 only: the random displacement field is scaled to zero and the output must be "
                 "the input, whatever the seed, sigma, interpolation and fill mode. No special values: "
                 "bilinear sampling at a pixel centre still multiplies the neighbour by a zero weight"),
    # -- filters -------------------------------------------------------------------------------
    OpSpec("ops.image.gaussian_blur", gaussian_args(), im.gaussian_blur, FLOAT_DTYPES, grad=True,
           conditioning=im.gaussian_blur_scale, signed_zeros=False,
           notes="square odd kernels 1, 3, 5 and equal sigmas; zero padding (\"same\")"),
    OpSpec("ops.image.gaussian_blur", gaussian_args(anisotropic=True), im.gaussian_blur, FLOAT_DTYPES,
           grad=True, conditioning=im.gaussian_blur_scale, signed_zeros=False,
           name="ops.image.gaussian_blur.anisotropic",
           notes="sigma = (height, width) as documented, the two different"),
    OpSpec("ops.image.gaussian_blur", gaussian_args(default_format=True), im.gaussian_blur, FLOAT_DTYPES,
           grad=True, conditioning=im.gaussian_blur_scale, signed_zeros=False,
           name="ops.image.gaussian_blur.default_format",
           notes="data_format left out: keras.config.image_data_format(), channels_last"),
    OpSpec("ops.image.sobel_edges", sobel_args(), im.sobel_edges, FLOAT_DTYPES, grad=True,
           conditioning=im.sobel_scale, signed_zeros=False,
           notes="batches only (rank 4, as documented); zero padding at the border, as a \"same\" "
                 "convolution (Keras documents no border rule)"),
    OpSpec("ops.image.sobel_edges", sobel_args(zero_border=True), im.sobel_edges, FLOAT_DTYPES,
           conditioning=im.sobel_scale, signed_zeros=False, name="ops.image.sobel_edges.zero_border",
           notes="images framed by two rows and columns of zeros, where zero, mirror and symmetric "
                 "padding agree: the interior, whatever the border rule. No gradient check: the gradient "
                 "reaches the border pixels, where the rules differ"),
    OpSpec("ops.image.ssim", ssim_args(), im.ssim, FLOAT_DTYPES, result_dtype=SAME_ARG0,
           mixed_args=(0,), special=False, conditioning=im.ssim_scale, signed_zeros=False,
           notes="images in (0, 1) and a noisy copy; filter sizes 1, 3, 5 (valid filtering); max_val, "
                 "filter_sigma, k1, k2 given. No special values: a scalar of the whole image. No gradient "
                 "check: the variances are E[x^2] - mu^2, whose float32 cancellation exceeds the fixed "
                 "gradient tolerance (the engine has no gradient conditioning)"),
    OpSpec("ops.image.ssim", ssim_args(defaults=True), im.ssim, FLOAT_DTYPES, result_dtype=SAME_ARG0,
           mixed_args=(0,), special=False, conditioning=im.ssim_scale, signed_zeros=False,
           name="ops.image.ssim.defaults", notes="defaults: filter_size 11 (11x11 to 13x13 images), sigma 1.5"),
    # -- patches, pad, crop ---------------------------------------------------------------------
    OpSpec("ops.image.extract_patches", patches_args(2, "channels_last"), im.extract_patches, FLOAT_DTYPES,
           grad=True, signed_zeros=False,
           notes="2-D patches, size an int or a tuple; strides or dilation_rate (never both, as documented); "
                 "both paddings. Patches are a gather: a NaN or inf stays in its own slot"),
    OpSpec("ops.image.extract_patches", patches_args(2, "channels_first"), im.extract_patches, FLOAT_DTYPES,
           grad=True, signed_zeros=False, name="ops.image.extract_patches.channels_first",
           notes="as ops.image.extract_patches with data_format=\"channels_first\""),
    OpSpec("ops.image.extract_patches_3d", patches_args(3, "channels_last"), im.extract_patches, FLOAT_DTYPES,
           grad=True, signed_zeros=False, notes="3-D patches of volumes, as extract_patches"),
    OpSpec("ops.image.extract_patches_3d", patches_args(3, "channels_first"), im.extract_patches,
           FLOAT_DTYPES, grad=True, signed_zeros=False, name="ops.image.extract_patches_3d.channels_first",
           notes="as ops.image.extract_patches_3d with data_format=\"channels_first\""),
    OpSpec("ops.image.pad_images", pad_crop_args(grow=True), im.pad_images, FLOAT_DTYPES + INT_DTYPES,
           grad=True, notes="exactly two of top/bottom/target_height (and of left/right/target_width)"),
    OpSpec("ops.image.crop_images", pad_crop_args(grow=False), im.crop_images, FLOAT_DTYPES + INT_DTYPES,
           grad=True, notes="exactly two of top/bottom/target_height (and of left/right/target_width)"),
]
