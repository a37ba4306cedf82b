"""Specs of ``keras.random``: every sampler, ``dropout``, ``shuffle`` and ``SeedGenerator``.

Judged by statistics, never by value (conformance/randomness.py): each case
draws the op's arguments, a seed and a shape of SAMPLE values (or, now and
then, a small or empty shape judged on shape, dtype and bounds only); the law
of the result is a ``scipy.stats`` distribution built from the arguments.
Distribution parameters are multiples of 1/8 that every float dtype holds
exactly, so the law is the same whatever dtype the backend computes in.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from scipy import stats

from conformance import randomness
from conformance.randomness import SAMPLE, STREAM, Law, RandomCall, RandomSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES
from conformance.wire import dtype_from_name

#: shapes holding SAMPLE values
BIG_SHAPES = ((SAMPLE,), (100, 100), (4, 25, 100))  # few: JAX compiles each (shape, dtype) once
#: shapes judged on shape, dtype and bounds only (fewer than MIN_STATISTICS values)
SMALL_SHAPES = ((), (0,), (3, 0), (1,), (7, 3))
FLOATX = "float32"


@st.composite
def sample_shape(draw: Any) -> tuple[int, ...]:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(SMALL_SHAPES))
    return draw(st.sampled_from(BIG_SHAPES))


def eighths(low: int, high: int) -> st.SearchStrategy:
    """k/8 for k in [low, high]: exact in bfloat16 up to |x| < 32."""
    return st.integers(low, high).map(lambda k: k / 8)


@st.composite
def float_dtype(draw: Any, kwargs: dict) -> str:
    """A float dtype given as ``dtype=``, or left out (floatx, float32)."""
    choice = draw(st.sampled_from((None, *FLOAT_DTYPES)))
    if choice is None:
        return FLOATX
    kwargs["dtype"] = choice
    return choice


def _optional(draw: Any, kwargs: dict, name: str, strategy: st.SearchStrategy, default: float) -> float:
    if draw(st.booleans()):
        kwargs[name] = draw(strategy)
        return kwargs[name]
    return default


# -- samplers -------------------------------------------------------------------------
@st.composite
def normal_calls(draw: Any, api: str | None = None) -> RandomCall:
    shape = draw(sample_shape())
    kwargs: dict[str, Any] = {"shape": list(shape)}
    mean = _optional(draw, kwargs, "mean", eighths(-40, 40), 0.0)
    stddev = _optional(draw, kwargs, "stddev", eighths(1, 32), 1.0)
    dtype = draw(float_dtype(kwargs))
    return RandomCall([], kwargs, shape, dtype, Law(stats.norm(mean, stddev)), api=api)


@st.composite
def truncated_normal_calls(draw: Any) -> RandomCall:
    shape = draw(sample_shape())
    kwargs: dict[str, Any] = {"shape": list(shape)}
    mean = _optional(draw, kwargs, "mean", eighths(-40, 40), 0.0)
    stddev = _optional(draw, kwargs, "stddev", eighths(1, 32), 1.0)
    dtype = draw(float_dtype(kwargs))
    law = Law(stats.truncnorm(-2.0, 2.0, loc=mean, scale=stddev),
              low=mean - 2 * stddev, high=mean + 2 * stddev, bound_ulps=1.0)
    return RandomCall([], kwargs, shape, dtype, law)


@st.composite
def uniform_calls(draw: Any, api: str | None = None) -> RandomCall:
    shape = draw(sample_shape())
    kwargs: dict[str, Any] = {"shape": list(shape)}
    minval = _optional(draw, kwargs, "minval", eighths(-80, 80), 0.0)
    if draw(st.booleans()):
        kwargs["maxval"] = minval + draw(eighths(1, 80))
    maxval = kwargs.get("maxval", 1.0)
    if maxval <= minval:  # minval given alone, at or above the default maxval
        kwargs["maxval"] = maxval = minval + 1.0
    dtype = draw(float_dtype(kwargs))
    law = Law(stats.uniform(minval, maxval - minval), low=minval, high=maxval, high_open=True)
    return RandomCall([], kwargs, shape, dtype, law, api=api)


@st.composite
def randint_calls(draw: Any, api: str | None = None) -> RandomCall:
    shape = draw(sample_shape())
    dtype = draw(st.sampled_from(("int32", *INT_DTYPES)))
    info = np.iinfo(dtype)
    kind = draw(st.sampled_from(("small", "medium", "full")))
    if kind == "full" and info.bits <= 16:  # the whole dtype range (maxval is exclusive)
        minval, maxval = int(info.min), int(info.max)
    else:
        low, high = max(int(info.min), -5000), min(int(info.max), 5000)
        width = min(draw(st.integers(1, 20) if kind == "small" else st.integers(21, 5000)), high - low)
        minval = draw(st.integers(low, high - width))
        maxval = minval + width
    kwargs: dict[str, Any] = {"shape": list(shape), "minval": minval, "maxval": maxval}
    if dtype != "int32" or draw(st.booleans()):
        kwargs["dtype"] = dtype
    law = Law(stats.randint(minval, maxval), discrete=True, low=minval, high=maxval,
              high_open=True, integer=True)
    return RandomCall([], kwargs, shape, dtype, law, api=api)


@st.composite
def gamma_calls(draw: Any) -> RandomCall:
    shape = draw(sample_shape())
    alpha = draw(eighths(1, 400))
    kwargs: dict[str, Any] = {"shape": list(shape), "alpha": alpha}
    dtype = draw(float_dtype(kwargs))
    return RandomCall([], kwargs, shape, dtype, Law(stats.gamma(alpha), low=0.0))


@st.composite
def beta_calls(draw: Any) -> RandomCall:
    shape = draw(sample_shape())
    alpha, beta = draw(eighths(1, 80)), draw(eighths(1, 80))
    kwargs: dict[str, Any] = {"shape": list(shape), "alpha": alpha, "beta": beta}
    dtype = draw(float_dtype(kwargs))
    return RandomCall([], kwargs, shape, dtype, Law(stats.beta(alpha, beta), low=0.0, high=1.0))


@st.composite
def binomial_calls(draw: Any) -> RandomCall:
    shape = draw(sample_shape())
    counts = draw(st.sampled_from((1, 2, 5, 10, 37, 100)))
    p = draw(st.integers(0, 32)) / 32
    kwargs: dict[str, Any] = {"shape": list(shape), "counts": counts, "probabilities": p}
    dtype = draw(float_dtype(kwargs))
    law = Law(stats.binom(counts, p), discrete=True, low=0, high=counts, integer=True)
    return RandomCall([], kwargs, shape, dtype, law)


# -- categorical ----------------------------------------------------------------------
@st.composite
def categorical_calls(draw: Any) -> RandomCall:
    batch = draw(st.sampled_from((1, 2, 4)))
    classes = draw(st.integers(2, 20))
    logits_dtype = draw(st.sampled_from(("float32", "float64", "float16", "bfloat16")))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    logits = rng.integers(-32, 33, size=(batch, classes)) / 8  # exact in every float dtype
    if draw(st.booleans()):  # a class of probability 0 in each row
        logits[np.arange(batch), rng.integers(0, classes, size=batch)] = -np.inf
    num_samples = SAMPLE // batch if draw(st.integers(0, 5)) else draw(st.sampled_from((0, 1, 7)))
    kwargs: dict[str, Any] = {"num_samples": num_samples}
    dtype = draw(st.sampled_from(("int32", "int32", "int64", "int16", "uint8")))
    if dtype != "int32" or draw(st.booleans()):
        kwargs["dtype"] = dtype
    x = logits.astype(dtype_from_name(logits_dtype))
    single = bool(np.all(np.isfinite(logits).sum(axis=1) == 1))
    return RandomCall([x], kwargs, (batch, num_samples), dtype, None,
                      structure=_categorical_structure(x), label=logits_dtype, constant=single)


def _categorical_structure(logits: np.ndarray) -> randomness.Structure:
    wide = logits.astype(np.float64)
    probs = np.exp(wide - wide.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)

    def check(got: np.ndarray) -> tuple[str | None, np.ndarray]:
        classes = probs.shape[1]
        values = got.astype(np.int64)
        if values.size and (values.min() < 0 or values.max() >= classes):
            return f"class indices outside [0, {classes}): min {values.min()}, max {values.max()}", got
        chi2, dof = 0.0, 0
        for row, p in zip(values, probs):
            counts = np.bincount(row, minlength=classes)
            if np.any(counts[p == 0]):
                return f"drew classes {np.flatnonzero(counts * (p == 0))} whose logit is -inf", got
            if row.size >= randomness.MIN_STATISTICS:
                pval = randomness.chi_square_p(counts[p > 0], p[p > 0])
                chi2 += float(stats.chi2.isf(pval, 1)) if pval < 1 else 0.0
                dof += 1
        if dof:
            pval = float(stats.chi2.sf(chi2, dof))  # rows are independent: Fisher-like sum of chi2(1) scores
            if pval < randomness.ALPHA:
                return (f"class frequencies do not follow softmax(logits): chi-square p={pval:.2g} "
                        f"< {randomness.ALPHA:g} over {dof} rows; first row counts "
                        f"{np.bincount(values[0], minlength=classes)}, expected "
                        f"{np.round(probs[0] * values.shape[1], 1)}"), got
        return None, got

    return check


# -- dropout --------------------------------------------------------------------------
DROPOUT_SHAPES = (((SAMPLE,), None), ((100, 100), None), ((2, 5000), (1, 5000)),
                  ((5000, 2), (5000, 1)), ((4, 50, 50), (1, 50, 50)), ((7, 3), None), ((0, 4), None))


@st.composite
def dropout_calls(draw: Any) -> RandomCall:
    shape, noise = draw(st.sampled_from(DROPOUT_SHAPES))
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    rate = draw(st.integers(1, 15)) / 16
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = (rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)).astype(dtype_from_name(dtype))
    kwargs: dict[str, Any] = {"rate": rate}
    if noise is not None:
        kwargs["noise_shape"] = list(noise)
    law = Law(stats.bernoulli(1 - rate), discrete=True, low=0, high=1, integer=True)
    return RandomCall([x], kwargs, shape, dtype, law, structure=_dropout_structure(x, rate, noise))


def _dropout_structure(x: np.ndarray, rate: float, noise: tuple[int, ...] | None) -> randomness.Structure:
    scaled = x.astype(np.float64) / (1 - rate)
    eps = float(randomness._finfo(x.dtype.name).eps)

    def check(got: np.ndarray) -> tuple[str | None, np.ndarray]:
        wide = got.astype(np.float64)
        kept = wide != 0
        wrong = kept & (np.abs(wide - scaled) > 2 * eps * np.abs(scaled))
        if np.any(wrong):
            i = np.flatnonzero(wrong)[0]
            return (f"{int(wrong.sum())} kept values are not inputs / (1 - rate): e.g. x={x.reshape(-1)[i]!r} "
                    f"gave {wide.reshape(-1)[i]!r}, expected {scaled.reshape(-1)[i]!r}"), got
        mask = kept
        if noise is not None:
            first = mask[tuple(slice(0, 1) if n == 1 else slice(None) for n in noise)]
            if np.any(mask != first):
                return f"the dropout mask varies along the axes where noise_shape={list(noise)} is 1", got
            mask = first
        return None, mask.astype(np.float64)

    return check


# -- shuffle --------------------------------------------------------------------------
SHUFFLE_CASES = (((2000,), 0), ((1000, 3), 0), ((3, 1000), 1), ((3, 1000), -1), ((2, 1000, 2), 1),
                 ((1,), 0), ((0,), 0), ((5, 4), 1), ((4, 3, 2), 2))
#: the largest id each dtype holds exactly
EXACT = {"float16": 2048, "bfloat16": 256, "int8": 127, "uint8": 255, "int16": 32767, "uint16": 65535}


@st.composite
def shuffle_calls(draw: Any) -> RandomCall:
    shape, axis = draw(st.sampled_from(SHUFFLE_CASES))
    size = int(np.prod(shape))
    fits = [d for d in (*FLOAT_DTYPES, *INT_DTYPES) if EXACT.get(d, 2**24) >= size]
    dtype = draw(st.sampled_from(fits))
    x = np.arange(size).reshape(shape).astype(dtype_from_name(dtype))
    kwargs: dict[str, Any] = {}
    if axis != 0 or draw(st.booleans()):
        kwargs["axis"] = axis
    law = Law(stats.uniform(0, 1), low=0.0, high=1.0)
    return RandomCall([x], kwargs, shape, dtype, law, structure=_shuffle_structure(shape, axis))


def _shuffle_structure(shape: tuple[int, ...], axis: int) -> randomness.Structure:
    """Whole slices along ``axis`` must be permuted; the permutation must look uniform.

    The sample is the permutation's Lehmer code: its digit i counts later
    entries smaller than entry i, uniform on {0..m-1-i} and independent for a
    uniform permutation; (digit + 1/2) / (m - i) over the first half is ~U(0, 1).
    """
    axis = axis % len(shape)

    def check(got: np.ndarray) -> tuple[str | None, np.ndarray]:
        ids = got.astype(np.float64)
        if got.size == 0:
            return None, np.zeros(0)
        if np.any(ids != np.round(ids)) or ids.min() < 0 or ids.max() >= got.size:
            return "the result holds values that are not in the input", got
        coords = np.unravel_index(ids.astype(np.int64), shape)
        positions = np.indices(shape)
        for k in range(len(shape)):
            if k != axis and np.any(coords[k] != positions[k]):
                return f"elements moved along axis {k}, not only along the shuffled axis {axis}", got
        source = np.moveaxis(coords[axis], axis, 0).reshape(shape[axis], -1)
        if np.any(source != source[:, :1]):
            return f"slices along axis {axis} were not moved whole", got
        perm = source[:, 0]
        if np.unique(perm).size != perm.size:
            return "the result is not a permutation of the input (repeated slices)", got
        m = perm.size
        half = m // 2
        later_smaller = np.triu(perm[None, :] < perm[:, None], 1).sum(axis=1)[:half]
        return None, (later_smaller + 0.5) / (m - np.arange(half))

    return check


# -- SeedGenerator --------------------------------------------------------------------
def seed_generator_calls() -> st.SearchStrategy:
    return st.one_of(normal_calls("random.normal"), uniform_calls("random.uniform"),
                     randint_calls("random.randint"))


SPECS = [
    RandomSpec("random.normal", normal_calls),
    RandomSpec("random.uniform", uniform_calls,
               notes="bounds are [minval, maxval): maxval itself is a failure, as documented"),
    RandomSpec("random.truncated_normal", truncated_normal_calls,
               notes="support mean ± 2·stddev, one ulp of slack for the final rounding"),
    RandomSpec("random.randint", randint_calls,
               notes="ranges up to 5000 wide and the whole int8/uint8/int16/uint16 range; "
                     "wider int32/int64 ranges are not drawn (chi-square over the support)"),
    RandomSpec("random.gamma", gamma_calls, notes="alpha scalar (1/8 .. 50)"),
    RandomSpec("random.beta", beta_calls, notes="alpha, beta scalars; array parameters are not drawn"),
    RandomSpec("random.binomial", binomial_calls,
               notes="counts and probabilities scalars (probabilities 0 and 1 included); "
                     "array parameters are not drawn"),
    RandomSpec("random.categorical", categorical_calls,
               notes="per-row chi-square against softmax(logits); -inf logits must never be drawn"),
    RandomSpec("random.dropout", dropout_calls,
               notes="kept values must be inputs / (1 - rate) within 2 eps; the mask is Bernoulli(1 - rate) "
                     "and constant along noise_shape's unit axes"),
    RandomSpec("random.shuffle", shuffle_calls,
               notes="slices move whole; uniformity from the permutation's Lehmer code"),
    RandomSpec("random.SeedGenerator", seed_generator_calls, checks_=(STREAM,),
               notes="exercised as seed= of normal, uniform and randint: two generators of one seed "
                     "repeat one stream, consecutive draws differ, each follows the law"),
]
