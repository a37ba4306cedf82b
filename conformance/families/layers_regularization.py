"""Strategies, references and judges of the regularization layers.

Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout and
ActivityRegularization. At inference each is the identity (compared by value, its
gradient too). In training the random ones are judged, never compared across
adapters: every output element must be what the layer's law allows for it (0 or
x / (1 - rate) for a dropout, whole channels for a spatial one, the two affine values
of AlphaDropout), and the share dropped, or the noise's mean and variance, within
``Z_MAX`` standard errors of the law's. The inputs are large (about 2,000 elements)
and nonzero, so that a dropped unit is told from a kept one and the moments mean something.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import strategies
from conformance.families.layers_core import first_input
from conformance.objects import CallInputs, LayerResult
from conformance.wire import dtype_from_name

#: standard errors a share or a moment may stray: two-sided 5.7e-7 per judged case
Z_MAX = 5.0
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
#: the rounding allowed when an output is checked against x / (1 - rate), by dtype
RELATIVE = {"float32": 1e-5, "float64": 1e-12}
Judge = Callable[[dict[str, np.ndarray]], "str | None"]


def rate_config(rates: tuple[float, ...], **extra: st.SearchStrategy) -> Any:
    """A rate (0: the identity in training too) and a seed; ``extra`` more arguments."""
    return lambda dtype: st.fixed_dictionaries({"rate": st.sampled_from(rates), "seed": st.integers(0, 10_000),
                                                **extra})


@st.composite
def _large_inputs(draw: Any, config: dict, dtype: str, mode: str, rank: int) -> CallInputs:
    """(batch, spatial..., channels) of rank 3 to 5 and 500 to 2,000 elements, |x| >= 0.5 (a zero would read as dropped);
    channels_first when the config says so; small in a gradient case (identity at inference)."""
    if mode == strategies.GRAD:
        shape = [2] + [3] * (rank - 1)
    else:
        spatial = {3: [64], 4: [8, 8], 5: [4, 4, 4]}[rank]
        shape = [draw(st.integers(2, 4)), *spatial, draw(st.integers(4, 8))]
        if config.get("data_format") == "channels_first":
            shape = [shape[0], shape[-1], *shape[1:-1]]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], size=shape) * (0.5 + np.abs(rng.standard_normal(shape)))
    return {"args": [x.astype(dtype_from_name(dtype))], "kwargs": {}}


def large_inputs(rank: int) -> Any:
    return lambda config, dtype, mode: _large_inputs(config, dtype, mode, rank)


def _share_judge(dropped: int, units: int, rate: float) -> str | None:
    """The number of dropped units against Binomial(units, rate)."""
    spread = np.sqrt(units * rate * (1 - rate))
    if abs(dropped - units * rate) > Z_MAX * spread + 1:
        return f"{dropped} of {units} units dropped, expected {units * rate:.1f} ± {Z_MAX * spread:.1f} (rate {rate})"
    return None


def _dropout_judge(x: np.ndarray, rate: float, shared_axes: tuple[int, ...]) -> Judge:
    """Each element 0 or x / (1 - rate); the units (elements, or slices along ``shared_axes``)
    dropped as a whole; their number binomial."""

    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        got = np.asarray(outputs["out"], np.float64)
        if got.shape != x.shape:
            return f"shape {got.shape}, expected {x.shape}"
        tolerance = RELATIVE.get(outputs["out"].dtype.name, 1e-3)
        dropped = got == 0
        kept_right = np.abs(got - x / (1 - rate)) <= tolerance * np.abs(x / (1 - rate))
        if not (dropped | kept_right).all():
            index = tuple(np.argwhere(~(dropped | kept_right))[0])
            return f"at {index}: {got[index]!r} is neither 0 nor x / (1 - rate) = {x[index] / (1 - rate)!r}"
        if shared_axes:
            whole = dropped.all(axis=shared_axes)
            if not (whole | ~dropped.any(axis=shared_axes)).all():
                return f"a unit is dropped in part: the drop is not shared along axes {shared_axes}"
            dropped = whole
        return _share_judge(int(dropped.sum()), dropped.size, rate)

    return judge


def _identity_or(judge: Callable[[], Judge], x: np.ndarray, training: bool, active: bool) -> LayerResult:
    """At inference (or with nothing to draw) the input itself; in training, the judge."""
    if not training or not active:
        return LayerResult(x)
    return LayerResult(x, judges={"out": judge()})


def _noise_axes(config: dict, ndim: int) -> tuple[int, ...]:
    """The axes along which one draw is shared: a spatial dropout's spatial axes, or the
    noise_shape's 1s (None and the input's own size: drawn per element)."""
    if "noise_shape" in config and config["noise_shape"] is not None:
        return tuple(i for i, n in enumerate(config["noise_shape"]) if n == 1)
    return ()


def dropout_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
    x, rate = first_input(inputs), config["rate"]
    return _identity_or(lambda: _dropout_judge(x, rate, _noise_axes(config, x.ndim)), x, training, rate > 0)


def spatial_dropout_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
    """Whole channels dropped: one draw per (batch, channel), shared along the spatial axes."""
    x, rate = first_input(inputs), config["rate"]
    channels = 1 if config.get("data_format") == "channels_first" else x.ndim - 1
    spatial = tuple(a for a in range(1, x.ndim) if a != channels)
    return _identity_or(lambda: _dropout_judge(x, rate, spatial), x, training, rate > 0)


def _moments_judge(values: Callable[[np.ndarray], np.ndarray], mean: float, std: float, what: str) -> Judge:
    """``values(output)`` must have the law's mean and standard deviation (Z_MAX standard errors;
    the variance's error for a normal law: std² · sqrt(2 / (n - 1)))."""

    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        sample = values(np.asarray(outputs["out"], np.float64)).ravel()
        n = sample.size
        got_mean, got_var = float(sample.mean()), float(sample.var(ddof=1))
        if abs(got_mean - mean) > Z_MAX * std / np.sqrt(n):
            return f"{what}: mean {got_mean:.4g}, expected {mean} ± {Z_MAX * std / np.sqrt(n):.3g} (n = {n})"
        if abs(got_var - std**2) > Z_MAX * std**2 * np.sqrt(2 / (n - 1)):
            return f"{what}: variance {got_var:.4g}, expected {std**2:.4g} ± {Z_MAX * std**2 * np.sqrt(2 / (n - 1)):.3g}"
        return None

    return judge


def gaussian_noise_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
    """Training: x + N(0, stddev²), judged by the moments of out - x."""
    x, std = first_input(inputs), config["stddev"]
    return _identity_or(lambda: _moments_judge(lambda out: out - x, 0.0, std, "out - x"), x, training, std > 0)


def gaussian_dropout_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
    """Training: x · N(1, rate / (1 - rate)), judged by the moments of out / x."""
    x, rate = first_input(inputs), config["rate"]
    std = float(np.sqrt(rate / (1 - rate))) if rate < 1 else 0.0
    return _identity_or(lambda: _moments_judge(lambda out: out / x, 1.0, std, "out / x"), x, training,
                        0 < rate < 1)


def _alpha_judge(x: np.ndarray, rate: float) -> Judge:
    """Each element a·x + b (kept) or a·alpha' + b (dropped), alpha' = -SELU scale · alpha,
    a = ((1 - rate)(1 + rate · alpha'²))^-1/2, b = -a · alpha' · rate; the dropped share binomial."""
    alpha_p = -SELU_ALPHA * SELU_SCALE
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    kept_value, dropped_value = a * x + b, a * alpha_p + b

    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        got = np.asarray(outputs["out"], np.float64)
        tolerance = RELATIVE.get(outputs["out"].dtype.name, 1e-3) * 10
        kept = np.abs(got - kept_value) <= tolerance * (np.abs(kept_value) + 1)
        dropped = np.abs(got - dropped_value) <= tolerance * (abs(dropped_value) + 1)
        if not (kept | dropped).all():
            index = tuple(np.argwhere(~(kept | dropped))[0])
            return (f"at {index}: {got[index]!r} is neither a·x + b = {kept_value[index]!r} nor "
                    f"a·alpha' + b = {dropped_value!r}")
        return _share_judge(int((dropped & ~kept).sum()), x.size, rate)

    return judge


def alpha_dropout_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
    x, rate = first_input(inputs), config["rate"]
    return _identity_or(lambda: _alpha_judge(x, rate), x, training, 0 < rate < 1)


def activity_regularization_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"l1": st.sampled_from((0.0, 0.01, 1.0)), "l2": st.sampled_from((0.0, 0.01, 1.0))})


def identity_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    """ActivityRegularization's output is its input; the loss it adds is not a call's output."""
    return first_input(inputs)
