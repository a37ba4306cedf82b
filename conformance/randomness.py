"""Random ops (``keras.random``): the ``RandomSpec`` record and its statistical judge.

Random values are never compared by value, neither with an oracle nor across
adapters. Each adapter's draw is judged on its own against the law that
``scipy.stats`` gives for the op's arguments (an independent oracle):

* shape and dtype exactly; every value finite and inside the law's support
  (``[minval, maxval)`` for ``uniform``/``randint``, ``mean ± 2·stddev`` for
  ``truncated_normal`` with one ulp of the result dtype for the final rounding,
  ``[0, counts]`` and whole numbers for ``binomial`` …);
* mean and variance within ``Z_MAX`` standard errors of the law's (the standard
  error of the variance from the law's fourth moment);
* goodness of fit at level ``ALPHA`` for one case: one-sample Kolmogorov-Smirnov
  against the law's CDF for continuous laws, Pearson's chi-square (classes
  pooled until every expected count is >= 5) for discrete ones (KS's null
  distribution assumes a continuous law). A float16/bfloat16 draw is compared
  with the law *rounded to that dtype* (each value stands for the interval of
  reals that round to it), so correct rounding, zeros from underflow included,
  is not a misfit.

Sample size and level are fixed: ``SAMPLE`` = 10,000 values per case (the KS
critical distance at ``ALPHA`` is then about 0.023, e.g. a mean shifted by
0.06 standard deviations of a normal). ``ALPHA`` = 1e-5 and ``Z_MAX`` = 5
(two-sided 5.7e-7 per moment) per case make a (spec, check, adapter) cell of
the default profile's 40 cases reject a correct sampler with probability below
1e-3: that is the stated level of a cell. A failure is reproducible: an int
seed fixes an adapter's values.

Conventions with the adapters (``adapters/keras3.py``, ``seeded_calls``):
the ``distribution`` check passes ``seed`` as an int in ``kwargs``; the
``determinism`` check sets ``params["seeds"] = [s, s, s + 1]`` and the adapter
returns one output per call (``out0``…): out0 must equal out1 bit for bit,
out2 must differ. ``random.SeedGenerator`` is exercised through the op its
case names (``Case.api`` is ``random.normal`` …, the spec's name stays
``random.SeedGenerator``): a seed entry ``{"generator": s, "instance": k}`` is
the ``keras.random.SeedGenerator(s)`` of instance k, created on first use, so
``[g(s,0), g(s,0), g(s,1), g(s,1), g(s+1,2)]`` gives two consecutive draws of one
generator, the same two from a second generator of the same seed, and one from
another seed.

A case is labelled (``Draw.dtype``, what a known divergence's ``dtypes`` name)
with its result dtype, the logits' dtype for ``categorical``, and ``empty``
when its result has no values.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from scipy import stats

from conformance.adapter import OP, Case
from conformance.spec import Draw, Expected, Spec
from conformance.wire import dtype_from_name

DISTRIBUTION, DETERMINISM, STREAM = "distribution", "determinism", "stream"
#: values per case (a fixed sample size, so the power of the tests is fixed)
SAMPLE = 10_000
#: level of the goodness-of-fit test of one case
ALPHA = 1e-5
#: moments must lie within this many standard errors
Z_MAX = 5.0
#: the label (``Draw.dtype``, which known divergences name) of a case whose result is
#: empty: a backend that fails on empty shapes only is recorded without hiding its statistics
EMPTY = "empty"
#: below this many values only shape, dtype and bounds are judged
MIN_STATISTICS = 200

Structure = Callable[[np.ndarray], "tuple[str | None, np.ndarray]"]


@dataclasses.dataclass(frozen=True)
class Law:
    """The distribution the values of one call must follow."""

    dist: Any  # a frozen scipy.stats distribution
    discrete: bool = False
    low: float = -math.inf
    high: float = math.inf
    high_open: bool = False  # the upper bound itself is excluded
    integer: bool = False  # every value must be a whole number
    bound_ulps: float = 0.0  # slack at the bounds, in ulps of the result dtype


@dataclasses.dataclass
class RandomCall:
    """One drawn call of a random op and what its result must satisfy.

    ``structure`` (optional) checks what is exact about a result (dropout keeps
    or zeroes, shuffle permutes) and returns the sample the law describes.
    """

    args: list[np.ndarray]
    kwargs: dict[str, Any]  # JSON-able, without the seed
    shape: tuple[int, ...]
    dtype: str  # the expected result dtype
    law: Law | None
    structure: Structure | None = None
    api: str | None = None  # the op the case calls; default: the spec's api
    label: str | None = None  # the dtype known divergences may name; default ``dtype``
    constant: bool = False  # the result has one possible value (a single class of nonzero probability)

    @property
    def degenerate(self) -> bool:
        """Too few values, or a law with one value: different seeds may agree."""
        if self.constant or int(np.prod(self.shape)) < MIN_STATISTICS:
            return True
        return self.law is not None and float(self.law.dist.var()) == 0.0


@dataclasses.dataclass
class RandomSpec(Spec):
    """One ``keras.random`` function, judged by statistics (module docstring)."""

    api: str
    calls: Callable[[], st.SearchStrategy]  # a strategy of RandomCall
    checks_: tuple[str, ...] = (DISTRIBUTION, DETERMINISM)
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.api

    def checks(self) -> tuple[str, ...]:
        return self.checks_

    def draw(self, check: str) -> st.SearchStrategy:
        @st.composite
        def draw_random(draw: Any) -> Draw:
            call = draw(self.calls())
            seed = draw(st.integers(0, 2**31 - 2))
            return self.prepare(check, call, seed)

        return draw_random()

    def prepare(self, check: str, call: RandomCall, seed: int) -> Draw:
        api = call.api or self.api
        params: dict[str, Any]
        if check == DISTRIBUTION:
            params = {"kwargs": {**call.kwargs, "seed": seed}}
            judge = distribution_judge(call)
        elif check == DETERMINISM:
            params = {"kwargs": call.kwargs, "seeds": [seed, seed, seed + 1]}
            judge = determinism_judge(call)
        elif check == STREAM:
            gen = [{"generator": seed, "instance": 0}, {"generator": seed, "instance": 1},
                   {"generator": seed + 1, "instance": 2}]
            params = {"kwargs": call.kwargs, "seeds": [gen[0], gen[0], gen[1], gen[1], gen[2]]}
            judge = stream_judge(call)
        else:
            raise ValueError(f"unknown check {check!r}")
        case = Case(OP, api, check, list(call.args), params)
        ref = np.empty(call.shape, dtype=np.float64)
        label = EMPTY if 0 in call.shape else call.label or call.dtype
        return Draw(case, {"out" if check == DISTRIBUTION else "out0":
                           Expected(ref, call.dtype, None, {}, judge=judge)}, dtype=label)


# -- judges ---------------------------------------------------------------------------
def distribution_judge(call: RandomCall) -> Callable[[dict[str, np.ndarray]], str | None]:
    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        return judge_values(outputs["out"], call)

    return judge


def determinism_judge(call: RandomCall) -> Callable[[dict[str, np.ndarray]], str | None]:
    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        for name in ("out0", "out1", "out2"):
            failure = judge_form(outputs.get(name), call)
            if failure:
                return f"{name}: {failure}"
        if not same_values(outputs["out0"], outputs["out1"]):
            return ("the same int seed twice gave different values: "
                    f"{differs(outputs['out0'], outputs['out1'])}")
        if not call.degenerate and same_values(outputs["out0"], outputs["out2"]):
            return "seeds s and s+1 gave identical values"
        return None

    return judge


def stream_judge(call: RandomCall) -> Callable[[dict[str, np.ndarray]], str | None]:
    """Two SeedGenerators of one seed give one sequence; consecutive draws differ."""

    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        missing = sorted({f"out{i}" for i in range(5)} - set(outputs))
        if missing:
            return f"outputs {missing} missing: one output per seed is expected"
        for name in ("out0", "out1"):
            failure = judge_values(outputs.get(name), call)
            if failure:
                return f"{name} (draw {name[-1]} of a SeedGenerator): {failure}"
        for first, second in (("out0", "out2"), ("out1", "out3")):
            failure = judge_form(outputs.get(second), call)
            if failure:
                return f"{second}: {failure}"
            if not same_values(outputs[first], outputs[second]):
                return (f"two SeedGenerators of the same seed differ at draw {first[-1]}: "
                        f"{differs(outputs[first], outputs[second])}")
        if not call.degenerate:
            if same_values(outputs["out0"], outputs["out1"]):
                return "two consecutive draws of one SeedGenerator are identical: it does not advance"
            if same_values(outputs["out0"], outputs["out4"]):
                return "SeedGenerators of seeds s and s+1 gave identical first draws"
        return None

    return judge


def same_values(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit (NaN equal to NaN), at equal shape and dtype."""
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def differs(a: np.ndarray, b: np.ndarray) -> str:
    if a.shape != b.shape or a.dtype != b.dtype:
        return f"{a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)}"
    wa, wb = np.asarray(a, np.float64).reshape(-1), np.asarray(b, np.float64).reshape(-1)
    count = int(np.sum((wa != wb) & ~(np.isnan(wa) & np.isnan(wb))))
    return f"{count} of {a.size} values differ (first values {wa[:3]} vs {wb[:3]})"


def judge_form(got: np.ndarray | None, call: RandomCall) -> str | None:
    if got is None:
        return "missing output"
    if tuple(got.shape) != tuple(call.shape):
        return f"shape {tuple(got.shape)}, expected {tuple(call.shape)}"
    if got.dtype.name != call.dtype:
        return f"dtype {got.dtype.name}, expected {call.dtype}"
    return None


def judge_values(got: np.ndarray | None, call: RandomCall) -> str | None:
    """Shape, dtype, the exact structure, then the law: bounds, moments, goodness of fit."""
    failure = judge_form(got, call)
    if failure or got is None:
        return failure
    sample = got
    if call.structure is not None:
        failure, sample = call.structure(got)
        if failure:
            return failure
    if call.law is None:
        return None
    return judge_sample(np.asarray(sample), call.law, call.dtype if call.structure is None else "float64")


def judge_sample(sample: np.ndarray, law: Law, dtype: str = "float64") -> str | None:
    """Judge values against a law; ``dtype`` is the dtype they were rounded to."""
    x = np.asarray(sample, dtype=np.float64).reshape(-1)
    if x.size == 0:
        return None
    if not np.all(np.isfinite(x)):
        return f"{int(np.sum(~np.isfinite(x)))} non-finite values (first {x[~np.isfinite(x)][:3]})"
    failure = _bounds(x, law, dtype)
    if failure or x.size < MIN_STATISTICS:
        return failure
    return _moments(x, law) or (_chi_square(x, law) if law.discrete else _kolmogorov(x, law, dtype))


def _bounds(x: np.ndarray, law: Law, dtype: str) -> str | None:
    if law.integer and np.any(x != np.round(x)):
        return f"non-integer values, e.g. {x[x != np.round(x)][:3]}"
    slack_low = law.bound_ulps * _ulp(np.array([law.low]), dtype)[0] if np.isfinite(law.low) else 0.0
    slack_high = law.bound_ulps * _ulp(np.array([law.high]), dtype)[0] if np.isfinite(law.high) else 0.0
    low, high = law.low - slack_low, law.high + slack_high
    lo, hi = float(x.min()), float(x.max())
    closing = ")" if law.high_open and not law.bound_ulps else "]"
    if lo < low or hi > high or (law.high_open and not law.bound_ulps and hi >= law.high):
        return (f"values outside the support [{law.low:g}, {law.high:g}{closing}: "
                f"min {lo!r}, max {hi!r}" + (f" ({law.bound_ulps:g} ulp allowed)" if law.bound_ulps else ""))
    return None


def _moments(x: np.ndarray, law: Law) -> str | None:
    n = x.size
    with np.errstate(all="ignore"):  # a law with one value has an undefined kurtosis
        mean, var, kurt = (float(v) for v in law.dist.stats(moments="mvk"))
    got_mean, got_var = float(np.mean(x)), float(np.var(x, ddof=1))
    if var == 0.0:
        if np.any(x != mean):
            return f"the law has the single value {mean:g}; got values from {x.min():g} to {x.max():g}"
        return None
    se_mean = math.sqrt(var / n)
    z = (got_mean - mean) / se_mean
    if abs(z) > Z_MAX:
        return (f"mean {got_mean:.6g}, the law's {mean:.6g}: {z:+.1f} standard errors "
                f"(limit {Z_MAX:g}, n={n})")
    mu4 = (kurt + 3.0) * var * var
    se_var = math.sqrt(max(mu4 - var * var * (n - 3) / (n - 1), 0.0) / n)
    if se_var > 0:
        z = (got_var - var) / se_var
        if abs(z) > Z_MAX:
            return (f"variance {got_var:.6g}, the law's {var:.6g}: {z:+.1f} standard errors "
                    f"(limit {Z_MAX:g}, n={n})")
    return None


def _ulp(values: np.ndarray, dtype: str) -> np.ndarray:
    """The spacing of ``dtype`` at each value (its smallest subnormal near zero)."""
    if not _is_float(dtype):
        return np.zeros_like(values)
    info = _finfo(dtype)
    exponent = np.floor(np.log2(np.maximum(np.abs(values), float(info.tiny))))
    return np.maximum(np.exp2(exponent) * float(info.eps), float(info.smallest_subnormal))


def _is_float(dtype: str) -> bool:
    return dtype == "bfloat16" or dtype_from_name(dtype).kind == "f"  # bfloat16's kind is "V"


def _finfo(dtype: str) -> Any:
    import ml_dtypes  # noqa: PLC0415 - bfloat16's finfo

    return ml_dtypes.finfo(dtype_from_name(dtype))


def half_spacings(values: np.ndarray, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """Half the gaps to the neighbours below and above each value of ``dtype``.

    A value of a float dtype stands for the reals that round to it: the
    interval from halfway to the next value below to halfway to the next above
    (narrower on the zero side of a power of two).
    """
    ulp = _ulp(values, dtype)
    if not _is_float(dtype):
        return ulp, ulp
    magnitude = np.abs(values)
    power = (magnitude >= float(_finfo(dtype).tiny)) & (np.exp2(np.floor(np.log2(np.maximum(magnitude, 1e-300))))
                                                        == magnitude)
    toward_zero = np.where(power, ulp / 2, ulp)
    below = np.where(values > 0, toward_zero, ulp)
    above = np.where(values < 0, toward_zero, ulp)
    return below / 2, above / 2


def ks_statistic(x: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray],
                 below: np.ndarray | float = 0.0, above: np.ndarray | float = 0.0) -> float:
    """sup |ECDF - F_rounded|, where each distinct value v stands for [v - below, v + above].

    Both step functions jump only at the sample's values, so the supremum is
    taken at each distinct value (``np.unique`` order, as ``below``/``above``)
    and just below it.
    """
    values, counts = np.unique(x, return_counts=True)
    upper = np.cumsum(counts) / x.size
    lower = upper - counts / x.size
    return float(max(np.max(np.abs(upper - cdf(values + above))),
                     np.max(np.abs(lower - cdf(values - below)))))


def _kolmogorov(x: np.ndarray, law: Law, dtype: str) -> str | None:
    # each value stands for the reals that round to it in the result dtype: a draw
    # rounded correctly (float32 values of Beta(1/8, 1/8) at exactly 1.0) is no misfit
    below, above = half_spacings(np.unique(x), dtype)
    d = ks_statistic(x, law.dist.cdf, below, above)
    p = float(stats.kstwo.sf(d, x.size))
    if p < ALPHA:
        return (f"Kolmogorov-Smirnov against the law rejects: D={d:.4f}, p={p:.2g} < {ALPHA:g} "
                f"(n={x.size}); mean {np.mean(x):.5g}, sd {np.std(x):.5g}")
    return None


def _chi_square(x: np.ndarray, law: Law) -> str | None:
    """Pearson's chi-square over the law's integer support, classes pooled to expected >= 5."""
    lo = math.floor(law.dist.ppf(1e-12)) if not np.isfinite(law.low) else int(law.low)
    hi_law = law.dist.ppf(1 - 1e-12)
    hi = int(min(law.high - (1 if law.high_open else 0), hi_law)) if np.isfinite(law.high) else int(hi_law)
    support = np.arange(lo, hi + 1)
    if support.size > 1_000_000:
        return None  # moments and bounds only
    probs = law.dist.pmf(support)
    observed = np.bincount((x - lo).astype(np.int64), minlength=support.size)[:support.size]
    outside = x.size - observed.sum()
    if outside:
        return f"{outside} values where the law has (almost) no mass"
    expected = probs * x.size
    zero = (probs == 0) & (observed > 0)
    if np.any(zero):
        return f"values {support[zero][:5]} drawn, which have probability 0"
    obs_bins, exp_bins = _pool(observed, expected)
    if len(exp_bins) < 2:
        return None
    exp_bins = exp_bins * (obs_bins.sum() / exp_bins.sum())
    chi2 = float(np.sum((obs_bins - exp_bins) ** 2 / exp_bins))
    p = float(stats.chi2.sf(chi2, len(exp_bins) - 1))
    if p < ALPHA:
        return (f"chi-square against the law rejects: chi2={chi2:.1f} on {len(exp_bins) - 1} degrees "
                f"of freedom, p={p:.2g} < {ALPHA:g} (n={x.size}); mean {np.mean(x):.5g}")
    return None


def chi_square_p(observed: np.ndarray, probs: np.ndarray) -> float:
    """p-value of Pearson's chi-square for counts against class probabilities (pooled)."""
    n = observed.sum()
    obs_bins, exp_bins = _pool(np.asarray(observed, np.float64), np.asarray(probs, np.float64) * n)
    if len(exp_bins) < 2:
        return 1.0
    return float(stats.chi2.sf(np.sum((obs_bins - exp_bins) ** 2 / exp_bins), len(exp_bins) - 1))


def _pool(observed: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge neighbouring classes left to right until each expects >= 5."""
    obs_bins: list[float] = []
    exp_bins: list[float] = []
    o_acc = e_acc = 0.0
    for o, e in zip(observed, expected):
        o_acc += o
        e_acc += e
        if e_acc >= 5:
            obs_bins.append(o_acc)
            exp_bins.append(e_acc)
            o_acc = e_acc = 0.0
    if e_acc > 0 or o_acc > 0:
        if exp_bins:
            obs_bins[-1] += o_acc
            exp_bins[-1] += e_acc
        else:
            obs_bins.append(o_acc)
            exp_bins.append(e_acc)
    return np.array(obs_bins), np.array(exp_bins)
