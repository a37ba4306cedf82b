"""The statistical judge of random ops (conformance/randomness.py), on arrays, without workers.

A NumPy sampler that follows each op's documented law must pass; samplers that
are wrong on purpose (shifted mean, wrong bounds, wrong dtype, a seed that does
not repeat, a shuffle that does not shuffle…) must be caught, through the same
``runner.judge`` the engine uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conformance.specs.random import SPECS
from hypothesis import given, settings
from scipy import stats

from conformance import randomness
from conformance.adapter import Outcome
from conformance.randomness import (
    DETERMINISM,
    DISTRIBUTION,
    STREAM,
    Law,
    RandomCall,
    judge_sample,
    ks_statistic,
)
from conformance.runner import DIVERGED, PASS, judge
from conformance.wire import dtype_from_name

BY_NAME = {spec.name: spec for spec in SPECS}
Sampler = Callable[[np.random.Generator, str, list, dict], np.ndarray]


def numpy_sampler(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
    """What each op documents, in NumPy (float64, cast to the requested dtype)."""
    name = api.split(".")[-1]
    shape = tuple(kw.get("shape", ()))
    dtype = kw.get("dtype", "int32" if name in ("randint", "categorical") else "float32")
    if name == "normal":
        out = rng.normal(kw.get("mean", 0.0), kw.get("stddev", 1.0), shape)
    elif name == "truncated_normal":
        out = stats.truncnorm.rvs(-2, 2, kw.get("mean", 0.0), kw.get("stddev", 1.0), size=shape,
                                  random_state=rng)
    elif name == "uniform":
        lo, hi = kw.get("minval", 0.0), kw.get("maxval", 1.0)
        out = np.minimum(rng.uniform(lo, hi, shape), np.nextafter(np.float32(hi), np.float32(lo)))
        out = np.where(out.astype(dtype_from_name(dtype)).astype(np.float64) >= hi, lo, out)
    elif name == "randint":
        out = rng.integers(kw["minval"], kw["maxval"], shape)
    elif name == "gamma":
        out = rng.gamma(kw["alpha"], size=shape)
    elif name == "beta":
        out = rng.beta(kw["alpha"], kw["beta"], shape)
    elif name == "binomial":
        out = rng.binomial(kw["counts"], kw["probabilities"], shape)
    elif name == "categorical":
        logits = args[0].astype(np.float64)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out = np.stack([rng.choice(p.shape[1], kw["num_samples"], p=row) for row in p])
    elif name == "dropout":
        x = args[0]
        keep = rng.uniform(size=tuple(kw.get("noise_shape", x.shape))) >= kw["rate"]
        scaled = (x.astype(np.float64) / (1 - kw["rate"])).astype(x.dtype)
        return np.where(np.broadcast_to(keep, x.shape), scaled, np.zeros_like(x))
    elif name == "shuffle":
        x = args[0]
        axis = kw.get("axis", 0)
        return np.take(x, rng.permutation(x.shape[axis]), axis=axis)
    else:
        raise AssertionError(api)
    return np.asarray(out).astype(dtype_from_name(dtype))


def answer(draw: Any, sampler: Sampler = numpy_sampler, repeatable: bool = True) -> Outcome:
    """A fake adapter: the case's seeds resolved as adapters/keras3.py does."""
    case = draw.case
    kw = dict(case.params["kwargs"])
    if "seeds" not in case.params:
        seed = kw.pop("seed")
        return Outcome.ok({"out": sampler(np.random.default_rng(seed), case.api, case.args, kw)})
    generators: dict[int, np.random.Generator] = {}
    outputs = {}
    for i, seed in enumerate(case.params["seeds"]):
        if isinstance(seed, dict):
            rng = generators.setdefault(seed["instance"], np.random.default_rng(seed["generator"]))
        else:
            rng = np.random.default_rng(seed if repeatable else seed * 1000 + i)
        outputs[f"out{i}"] = sampler(rng, case.api, case.args, kw)
    return Outcome.ok(outputs)


def verdict(spec_name: str, check: str, sampler: Sampler = numpy_sampler, examples: int = 6,
            repeatable: bool = True) -> list[str]:
    """Statuses of ``examples`` drawn cases; messages of the failures."""
    found: list[str] = []

    @settings(max_examples=examples, database=None, derandomize=True, deadline=None)
    @given(BY_NAME[spec_name].draw(check))
    def run(draw: Any) -> None:
        result = judge(draw, answer(draw, sampler, repeatable))
        found.append(PASS if result.status == PASS else f"{result.status}: {result.message}")

    run()
    return found


# -- a correct sampler passes ----------------------------------------------------------
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_numpy_sampler_passes(spec: Any) -> None:
    for check in spec.checks():
        failures = [v for v in verdict(spec.name, check, examples=8) if v != PASS]
        assert not failures, f"{spec.name} {check}: {failures[0]}"


# -- wrong samplers are caught ---------------------------------------------------------
def wrapped(change: Callable[[np.ndarray, str, dict], np.ndarray], only: str) -> Sampler:
    def sampler(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        out = numpy_sampler(rng, api, args, kw)
        return change(out, api, kw) if api.endswith(only) and out.size >= 1000 else out

    return sampler


def caught(spec: str, check: str, sampler: Sampler, needle: str, **kw: Any) -> None:
    results = verdict(spec, check, sampler, examples=12, **kw)
    failures = [r for r in results if r != PASS]
    assert failures, f"{spec}: a wrong sampler passed every case"
    assert all(f.startswith(DIVERGED) for f in failures)
    assert any(needle in f for f in failures), failures[0]


def test_shifted_mean_is_caught() -> None:
    shift = wrapped(lambda o, a, kw: (o.astype(np.float64) + 0.1 * kw.get("stddev", 1.0)).astype(o.dtype),
                    "normal")
    caught("random.normal", DISTRIBUTION, shift, "mean")


def test_wrong_spread_is_caught() -> None:
    wide = wrapped(lambda o, a, kw: (o.astype(np.float64) * 1.1 - 0.1 * kw.get("mean", 0.0)).astype(o.dtype),
                   "normal")
    caught("random.normal", DISTRIBUTION, wide, "variance")


def test_wrong_shape_of_law_is_caught_by_ks() -> None:
    """Same mean and variance, another law: only the goodness of fit can tell."""
    def laplace(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        out = numpy_sampler(rng, api, args, kw)
        if out.size < 1000:
            return out
        m, s = kw.get("mean", 0.0), kw.get("stddev", 1.0)
        return rng.laplace(m, s / np.sqrt(2), out.shape).astype(out.dtype)

    caught("random.normal", DISTRIBUTION, laplace, "Kolmogorov-Smirnov")


def test_uniform_reaching_maxval_is_caught() -> None:
    def closed(o: np.ndarray, api: str, kw: dict) -> np.ndarray:
        out = o.copy()
        out.reshape(-1)[0] = kw.get("maxval", 1.0)
        return out

    caught("random.uniform", DISTRIBUTION, wrapped(closed, "uniform"), "outside the support")


def test_truncated_normal_past_two_stddev_is_caught() -> None:
    def untruncated(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        out = numpy_sampler(rng, api, args, kw)
        if out.size < 1000:
            return out
        return rng.normal(kw.get("mean", 0.0), kw.get("stddev", 1.0), out.shape).astype(out.dtype)

    caught("random.truncated_normal", DISTRIBUTION, untruncated, "outside the support")


def test_randint_including_maxval_is_caught() -> None:
    def inclusive(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        out = numpy_sampler(rng, api, args, kw)
        return rng.integers(kw["minval"], kw["maxval"], out.shape, endpoint=True).astype(out.dtype)

    caught("random.randint", DISTRIBUTION, inclusive, "outside the support")


def test_randint_off_law_is_caught_by_chi_square() -> None:
    def biased(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        out = numpy_sampler(rng, api, args, kw)
        lo, hi = kw["minval"], kw["maxval"]
        if out.size < 1000 or hi - lo < 2:
            return out
        # even values a third more likely: mean and variance barely move, the frequencies do
        odd = (out - lo) % 2 == 1
        return np.where(odd & (rng.uniform(size=out.shape) < 0.25), out - 1, out).astype(out.dtype)

    caught("random.randint", DISTRIBUTION, biased, "rejects")


def test_wrong_dtype_is_caught() -> None:
    caught("random.gamma", DISTRIBUTION, wrapped(lambda o, a, kw: o.astype(np.float64)
                                                 if o.dtype != np.float64 else o.astype(np.float32), "gamma"),
           "dtype")


def test_nonrepeatable_seed_is_caught() -> None:
    caught("random.beta", DETERMINISM, numpy_sampler, "same int seed twice", repeatable=False)


def test_ignoring_the_seed_is_caught() -> None:
    def constant(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        del rng
        return numpy_sampler(np.random.default_rng(7), api, args, kw)

    caught("random.uniform", DETERMINISM, constant, "seeds s and s+1")


def test_seed_generator_that_does_not_advance_is_caught() -> None:
    def restart(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        return numpy_sampler(np.random.default_rng(int(rng.bit_generator.seed_seq.entropy)), api, args, kw)

    caught("random.SeedGenerator", STREAM, restart, "does not advance")


def test_unscaled_dropout_is_caught() -> None:
    def unscaled(o: np.ndarray, api: str, kw: dict) -> np.ndarray:
        return (o.astype(np.float64) * (1 - kw["rate"])).astype(o.dtype)

    caught("random.dropout", DISTRIBUTION, wrapped(unscaled, "dropout"), "inputs / (1 - rate)")


def test_dropout_with_the_wrong_rate_is_caught() -> None:
    def keep_more(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        return numpy_sampler(rng, api, args, {**kw, "rate": kw["rate"] * 0.8})

    results = verdict("random.dropout", DISTRIBUTION, keep_more, examples=12)
    assert any(r != PASS for r in results)


def test_identity_shuffle_is_caught() -> None:
    caught("random.shuffle", DISTRIBUTION, wrapped(lambda o, a, kw: np.sort(o, axis=kw.get("axis", 0)),
                                                   "shuffle"), "standard errors")


def test_shuffle_of_each_row_is_caught() -> None:
    def per_row(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        x = args[0]
        return rng.permuted(x, axis=kw.get("axis", 0)) if x.ndim > 1 else numpy_sampler(rng, api, args, kw)

    caught("random.shuffle", DISTRIBUTION, per_row, "moved whole")


def test_categorical_ignoring_logits_is_caught() -> None:
    def flat(rng: np.random.Generator, api: str, args: list, kw: dict) -> np.ndarray:
        logits = np.where(np.isfinite(args[0].astype(np.float64)), 0.0, -np.inf)
        return numpy_sampler(rng, api, [logits], kw)

    caught("random.categorical", DISTRIBUTION, flat, "softmax(logits)")


# -- the statistics themselves ---------------------------------------------------------
def test_ks_statistic_matches_scipy_for_continuous_samples() -> None:
    x = np.random.default_rng(1).normal(size=2000)
    assert ks_statistic(x, stats.norm.cdf) == pytest.approx(stats.kstest(x, "norm").statistic)


def test_rounded_low_precision_draw_is_not_a_misfit() -> None:
    """Gamma(1/8) in float16: a fifth of the values underflow to 0, as correct rounding gives."""
    x = np.random.default_rng(2).gamma(0.125, size=randomness.SAMPLE).astype(np.float16)
    assert np.mean(x == 0) > 0.05
    assert judge_sample(x, Law(stats.gamma(0.125), low=0.0), "float16") is None
    assert judge_sample(x, Law(stats.gamma(0.125), low=0.0), "float64") is not None


def test_float32_values_rounded_to_one_are_not_a_misfit() -> None:
    """Beta(1/8, 1/8) in float32: about 6% of the values round to exactly 1.0."""
    x = np.random.default_rng(4).beta(0.125, 0.125, size=randomness.SAMPLE).astype(np.float32)
    assert np.mean(x == 1) > 0.03
    assert judge_sample(x, Law(stats.beta(0.125, 0.125), low=0.0, high=1.0), "float32") is None
    x = np.random.default_rng(4).beta(0.125, 0.125, size=randomness.SAMPLE).astype(dtype_from_name("bfloat16"))
    assert judge_sample(x, Law(stats.beta(0.125, 0.125), low=0.0, high=1.0), "bfloat16") is None


def test_degenerate_law_needs_its_single_value() -> None:
    law = Law(stats.binom(5, 1.0), discrete=True, low=0, high=5, integer=True)
    assert judge_sample(np.full(500, 5.0), law) is None
    assert "single value" in (judge_sample(np.r_[np.full(499, 5.0), 4.0], law) or "")


def test_false_alarm_rate_is_near_alpha() -> None:
    """A correct sampler is rejected about as often as the stated levels say (here: never in 300)."""
    rng = np.random.default_rng(3)
    law = Law(stats.norm(1.0, 2.0))
    failures = [judge_sample(rng.normal(1.0, 2.0, 2000), law) for _ in range(300)]
    assert not any(failures)


def test_small_draws_are_judged_on_form_only() -> None:
    call = RandomCall([], {}, (3,), "float32", Law(stats.norm()))
    assert randomness.judge_values(np.array([40.0, 0, 0], np.float32), call) is None
    assert "shape" in (randomness.judge_values(np.zeros(4, np.float32), call) or "")
