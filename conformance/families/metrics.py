"""Strategies and float64 references for ``keras.metrics``: accumulated over batches, then reset.

A metric is updated with two to four batches (each drawn by a loss's inputs factory of
conformance/families/losses.py: shapes may differ between batches, as a metric's state
does not depend on them), its ``result()`` judged after each and after ``reset_state()``
and the first batch again (:class:`conformance.objects.MetricSpec`).

* mean metrics (a ``MeanMetricWrapper``: the losses' per-sample values, accuracies):
  the weighted mean of per-sample values over every batch so far
  (``reduce_to_samplewise_values``: a (batch,) weight weighs each sample's mean);
* confusion-matrix metrics (TruePositives..., Precision, Recall): counts of
  ``y_pred > threshold`` (strictly) weighted by the sample weights, per threshold.

The metric's ``dtype`` is in its config (every Keras generation's Metric takes one): the
reference clips and thresholds in it, as the metric does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import strategies
from conformance.families.losses import PerSample, _rng, _sample_weight
from conformance.objects import MetricSpec

Batches = list[dict]
Refs = dict[str, np.ndarray]


def with_dtype(**fields: st.SearchStrategy) -> Callable[[str], st.SearchStrategy]:
    """A metric config: its dtype (the case's) and its own drawn arguments."""
    return lambda dtype: st.fixed_dictionaries({"dtype": st.just(dtype), **fields})


def batches_of(inputs: Any) -> Callable[[dict, str], st.SearchStrategy]:
    """Two to four batches, each drawn by a loss's inputs factory for the metric's config."""
    return lambda config, dtype: st.lists(inputs(config, dtype, strategies.VALUES), min_size=2, max_size=4)


def _accumulated(config: dict, batches: Batches, terms: Callable[[dict], tuple[np.ndarray, np.ndarray]],
                 result: Callable[[np.ndarray], np.ndarray]) -> Refs:
    """``result(state)`` after each batch and after a reset then the first batch; the state is
    the running sum of ``terms(batch)``: what ``update_state`` adds."""
    out: Refs = {}
    state: np.ndarray | None = None
    for step, batch in enumerate(batches, start=1):
        added = np.asarray(terms(batch))
        state = added if state is None else state + added
        out[f"result{step}"] = result(state)
    out["after_reset"] = result(np.asarray(terms(batches[0])))
    return out


def _weights_of(batch: dict, values: np.ndarray) -> np.ndarray:
    weight = batch["kwargs"].get("sample_weight")
    return np.ones_like(values) if weight is None else np.broadcast_to(
        weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim)), values.shape)


def _divide_no_nan(total: float, count: float) -> float:
    return 0.0 if count == 0 else total / count


# -- mean metrics --------------------------------------------------------------------------------
def mean_reference(per_sample: PerSample, transform: Callable[[float], float] = lambda x: x
                   ) -> Callable[[dict, Batches], Refs]:
    """The weighted mean of per-sample values over every batch so far (``transform``: RMSE's sqrt)."""

    def reference(config: dict, batches: Batches) -> Refs:
        def terms(batch: dict) -> np.ndarray:
            y_true, y_pred = batch["args"]
            values = per_sample(config, y_true, y_pred, config["dtype"])[0]
            weights = _weights_of(batch, values)
            return np.array([np.sum(values * weights), np.sum(weights)])

        return _accumulated(config, batches, terms, lambda s: np.asarray(transform(_divide_no_nan(s[0], s[1]))))

    return reference


def mean_conditioning(per_sample: PerSample, square_root: bool = False
                      ) -> Callable[[dict, Batches, Refs], Refs]:
    """|ref| + the weighted mean of the magnitudes times sqrt(terms summed): each term's rounding
    is relative to its magnitude. Under a square root an absolute error d of the mean x is
    at most min(sqrt(d), d / (2 sqrt x)) in the result."""

    def conditioning(config: dict, batches: Batches, refs: Refs) -> Refs:
        magnitude = mean_reference(lambda c, t, p, d: (per_sample(c, t, p, d)[1], None, None))(config, batches)
        terms = np.sqrt(sum(np.size(b["args"][1]) for b in batches))
        out = {}
        for name, ref in refs.items():
            error = np.abs(magnitude[name]) * terms
            if square_root:
                error = np.minimum(np.sqrt(error), error / (2.0 * np.maximum(np.abs(ref), 1e-300)))
            out[name] = np.abs(ref) + error
        return out

    return conditioning


def mean_metric_spec(api: str, config: Callable[[str], st.SearchStrategy], inputs: Any, per_sample: PerSample,
                     square_root: bool = False, **options: Any) -> MetricSpec:
    """A ``keras.metrics`` class that is a mean of per-sample values (a ``MeanMetricWrapper``)."""
    transform = (lambda x: float(np.sqrt(x))) if square_root else (lambda x: x)
    return MetricSpec(api, config, batches_of(inputs), mean_reference(per_sample, transform),
                      conditioning=mean_conditioning(per_sample, square_root), **options)


# -- per-sample values of the metrics that are not losses ------------------------------------------
def cosine_similarity(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    """The metric's sign is the similarity's (the loss negates it)."""
    from conformance.families.loss_values import cosine_similarity as loss  # noqa: PLC0415

    values, magnitude, mask = loss(config, t, p, dtype)
    return -values, magnitude, mask


def _exact(values: np.ndarray) -> tuple:
    """Values of 0s and 1s: exact; only their weighted mean rounds."""
    return values, np.ones_like(values), None


def accuracy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    return _exact(np.mean(t == p, axis=-1))


def binary_accuracy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    """``y_pred > threshold`` (strictly), the threshold in the metric's dtype."""
    threshold = float(np.asarray(config.get("threshold", 0.5), dtype))
    return _exact(np.mean(t == (p > threshold), axis=-1))


def binary_accuracy_elementwise(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    """The function ``metrics.binary_accuracy`` of Keras 3: one value per element (not averaged
    over the last axis; the metric's ``reduce_to_samplewise_values`` does that)."""
    threshold = float(np.asarray(config.get("threshold", 0.5), dtype))
    return _exact((t == (p > threshold)).astype(np.float64))


def categorical_accuracy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    """argmax equality; a tie is the first maximum (numpy's argmax, as every backend's)."""
    return _exact((np.argmax(t, axis=-1) == np.argmax(p, axis=-1)).astype(np.float64))


def sparse_categorical_accuracy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    labels = t.reshape(t.shape[:-1]) if t.ndim == p.ndim and t.shape[-1] == 1 else t
    return _exact((labels == np.argmax(p, axis=-1)).astype(np.float64))


def _in_top_k(labels: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """The label's score is among the k largest: fewer than k scores are strictly greater."""
    picked = np.take_along_axis(p, labels.astype(np.int64)[..., None], axis=-1)
    return (np.sum(p > picked, axis=-1) < k).astype(np.float64)


def top_k_categorical_accuracy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    return _exact(_in_top_k(np.argmax(t, axis=-1), p, int(config.get("k", 5))))


def sparse_top_k_categorical_accuracy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> tuple:
    labels = t.reshape(t.shape[:-1]) if t.ndim == p.ndim and t.shape[-1] == 1 else t
    return _exact(_in_top_k(labels, p, int(config.get("k", 5))))


# -- inputs of the accuracy and confusion metrics --------------------------------------------------
#: probabilities on a grid that holds the usual thresholds themselves (0.5, 0.25...): y_pred equal
#: to a threshold is where ``>`` and ``>=`` part
GRID = np.array([0.0, 0.25, 0.3, 0.5, 0.7, 0.75, 1.0])


@st.composite
def _thresholded(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """Binary labels (0/1) and probabilities, half of them on the threshold grid."""
    batch, features = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    rng = _rng(draw)
    y_true = rng.integers(0, 2, (batch, features)).astype(dtype)
    y_pred = np.where(rng.random((batch, features)) < 0.5, rng.choice(GRID, (batch, features)),
                      rng.uniform(0, 1, (batch, features)))
    return {"args": [y_true, y_pred.astype(dtype)], "kwargs": _sample_weight(draw, batch, dtype, mode)}


def thresholded(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _thresholded(config, dtype, mode)


@st.composite
def _exact_pair(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """Small integers in both, so that many entries are equal (Accuracy compares exactly)."""
    batch, features = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    rng = _rng(draw)
    y_true, y_pred = (rng.integers(0, 3, (batch, features)).astype(dtype) for _ in range(2))
    return {"args": [y_true, y_pred], "kwargs": _sample_weight(draw, batch, dtype, mode)}


def exact_pair(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _exact_pair(config, dtype, mode)


# -- confusion-matrix metrics ----------------------------------------------------------------------
def _confusion(config: dict, batch: dict) -> np.ndarray:
    """Weighted (tp, fp, tn, fn) per threshold, shape (4, thresholds): ``y_pred > threshold``."""
    y_true, y_pred = batch["args"]
    thresholds = np.asarray(config.get("thresholds", 0.5), config["dtype"]).astype(np.float64).reshape(-1)
    weights = _weights_of(batch, y_pred)
    positive = (y_true == 1)[None]
    predicted = y_pred[None] > thresholds.reshape(-1, *([1] * y_pred.ndim))
    counts = [positive & predicted, ~positive & predicted, ~positive & ~predicted, positive & ~predicted]
    return np.array([np.sum(c * weights[None], axis=tuple(range(1, y_pred.ndim + 1))) for c in counts])


def _scalar_when_one(config: dict, values: np.ndarray) -> np.ndarray:
    """A float threshold gives a scalar result, a list one per threshold."""
    return values if isinstance(config.get("thresholds"), list) else values.reshape(())


def confusion_reference(which: str) -> Callable[[dict, Batches], Refs]:
    """TruePositives... (a count), Precision = tp / (tp + fp), Recall = tp / (tp + fn), divide-no-nan."""

    def result(config: dict, state: np.ndarray) -> np.ndarray:
        tp, fp, tn, fn = state
        if which == "precision":
            values = np.where(tp + fp > 0, tp / np.where(tp + fp > 0, tp + fp, 1.0), 0.0)
        elif which == "recall":
            values = np.where(tp + fn > 0, tp / np.where(tp + fn > 0, tp + fn, 1.0), 0.0)
        else:
            values = {"tp": tp, "fp": fp, "tn": tn, "fn": fn}[which]
        return _scalar_when_one(config, values)

    def reference(config: dict, batches: Batches) -> Refs:
        return _accumulated(config, batches, lambda b: _confusion(config, b), lambda s: result(config, s))

    return reference


def confusion_conditioning(which: str) -> Callable[[dict, Batches, Refs], Refs]:
    """A count is a sum of non-negative weights: it rounds relative to the sum of every weight so
    far; a ratio of two such sums relative to itself, sqrt(terms) roundings each."""

    def conditioning(config: dict, batches: Batches, refs: Refs) -> Refs:
        weights = [_weights_of(b, b["args"][1]) for b in batches]
        if which in ("precision", "recall"):
            terms = np.sqrt(sum(w.size for w in weights))
            return {name: np.abs(ref) * (2.0 + terms) for name, ref in refs.items()}
        total = sum(float(np.sum(w)) for w in weights)
        return {name: np.abs(ref) + total for name, ref in refs.items()}

    return conditioning


#: thresholds: the default (0.5), a float on the grid, a list (one result per threshold); lists
#: evenly spaced over [0, 1] take Keras 3's bucketed path (_thresholds_distributed_evenly)
THRESHOLDS = st.sampled_from((0.5, 0.3, 0.75, [0.25, 0.5, 0.75], [0.0, 0.5, 1.0], [0.1, 0.7]))


def confusion_metric_spec(api: str, which: str, **options: Any) -> MetricSpec:
    return MetricSpec(api, with_dtype(thresholds=THRESHOLDS), batches_of(thresholded), confusion_reference(which),
                      conditioning=confusion_conditioning(which), **options)


# -- Mean and Sum of given values --------------------------------------------------------------------
@st.composite
def _values_batches(draw: Any, config: dict, dtype: str) -> Batches:
    """Two to four ``update_state(values, sample_weight)`` calls: values of rank 0 (one sample),
    1 or 2 (each sample's mean or sum first), a non-negative (batch,) weight or none."""
    batches = []
    for _ in range(draw(st.integers(2, 4))):
        shape = draw(st.sampled_from(((), (draw(st.integers(1, 4)),),
                                      (draw(st.integers(1, 4)), draw(st.integers(1, 3))))))
        values = draw(strategies.arrays(dtype, shape, strategies.VALUES))
        kwargs = _sample_weight(draw, shape[0], dtype, strategies.VALUES) if shape else {}
        batches.append({"args": [values], "kwargs": kwargs})
    return batches


def values_batches(config: dict, dtype: str) -> st.SearchStrategy:
    return _values_batches(config, dtype)


def _samplewise(batch: dict, reduce: Callable[..., np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``reduce_to_samplewise_values``: each sample's values reduced over its further axes, and
    the weight of each sample (ones without a weight; a scalar is one sample)."""
    values = np.asarray(batch["args"][0], np.float64).reshape(np.shape(batch["args"][0]) or (1,))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    weight = batch["kwargs"].get("sample_weight")
    return values, np.ones_like(values) if weight is None else np.asarray(weight, np.float64)


def mean_values_reference(config: dict, batches: Batches) -> Refs:
    """``metrics.Mean``: sum(samplewise mean x weight) / sum(weights), divide-no-nan."""

    def terms(batch: dict) -> np.ndarray:
        values, weights = _samplewise(batch, np.mean)
        return np.array([np.sum(values * weights), np.sum(weights)])

    return _accumulated(config, batches, terms, lambda s: np.asarray(_divide_no_nan(s[0], s[1])))


def sum_values_reference(config: dict, batches: Batches) -> Refs:
    """``metrics.Sum``: the sum of the values, each sample's weighted."""

    def terms(batch: dict) -> np.ndarray:
        values, weights = _samplewise(batch, np.sum)
        return np.array([np.sum(values * weights)])

    return _accumulated(config, batches, terms, lambda s: np.asarray(s[0]))


def values_conditioning(reference: Callable[[dict, Batches], Refs]) -> Callable[[dict, Batches, Refs], Refs]:
    """The same reduction of |values| (and the weights), times sqrt(terms summed)."""

    def conditioning(config: dict, batches: Batches, refs: Refs) -> Refs:
        magnitude = reference(config, [{"args": [np.abs(b["args"][0])], "kwargs": b["kwargs"]} for b in batches])
        terms = np.sqrt(sum(max(np.size(b["args"][0]), 1) for b in batches))
        return {name: np.abs(ref) + np.abs(magnitude[name]) * terms for name, ref in refs.items()}

    return conditioning
