"""Strategies and float64 references for ``keras.losses``: every loss class, every reduction.

A loss is described by a :class:`LossFamily`: how its inputs are drawn (a *kind*:
real targets, binary or categorical probabilities or logits, integer labels, ±1
labels, embeddings) and its per-sample values in float64 with their magnitude
(what the rounding of each term is relative to, for the tolerance). The reduction
is Keras 3's ``reduce_weighted_values`` (:func:`reduce_loss`), written from
keras/src/losses/loss.py. The clip bounds ``epsilon`` and ``1 - epsilon`` are taken
in the case's dtype, as every backend clips (``1 - 1e-7`` is 0.99999988 in float32):
that is why a loss's reference is told the dtype (:class:`LossCaseSpec`).

The edges each loss special-cases are drawn on purpose: saturated probabilities
(exact 0 and 1), all-equal logits, large logits, zero vectors (cosine), labels at the
class bounds, an error exactly at Huber's delta, all-binary hinge labels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.objects import LOSS_CONFIG_ROUND_TRIP, LOSS_GRADIENTS, LOSS_VALUES, CallableSpec

EPSILON = 1e-7  # keras.backend.epsilon()

# -- reductions ----------------------------------------------------------------------------------
#: Keras 3's reductions (keras.losses.Loss); Keras 2 knows sum_over_batch_size, sum and none
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none")
#: the reductions every Keras generation has (the other two are Keras 3's: a variant of their own)
COMMON_REDUCTIONS = ("sum_over_batch_size", "sum", "none")


def reduction_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"reduction": st.sampled_from(REDUCTIONS)})


def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(0.0 if b == 0 else a / b)


def reduce_loss(per_sample: np.ndarray, sample_weight: np.ndarray | None, reduction: str,
                mask: np.ndarray | None = None) -> np.ndarray:
    """Keras 3's reduction of per-sample losses (``reduce_weighted_values``), weighted first.

    ``sum_over_batch_size`` and ``mean`` divide the weighted sum by the number of
    per-sample values, ``mean_with_sample_weight`` by the sum of the weights (given
    one), each with divide-no-nan (0 / 0 is 0); ``none`` keeps them. A (batch,) weight
    weighs each sample, over every further axis (the documented meaning). A mask (a
    loss's ignored entries) merges into the weight as ``apply_mask`` does: for the mean
    reductions its valid entries weigh total / valid, so the mean is over valid entries.
    """
    if mask is not None:
        valid = float(np.sum(mask))
        mask_weight = np.where(mask, _divide_no_nan(np.asarray(float(mask.size)), np.asarray(valid)), 0.0) \
            if reduction in ("mean", "sum_over_batch_size") else mask.astype(np.float64)
        sample_weight = mask_weight if sample_weight is None else _per_sample(sample_weight, mask_weight) * mask_weight
    weights = np.ones_like(per_sample) if sample_weight is None else _per_sample(sample_weight, per_sample)
    weighted = per_sample * weights
    if reduction == "none" or weighted.ndim == 0:
        return weighted
    total = np.sum(weighted)
    if reduction == "sum":
        return np.asarray(total)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(total, np.sum(weights))
    return _divide_no_nan(total, np.asarray(weighted.size, np.float64))


def _per_sample(weight: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A weight of leading shape broadcast over the trailing axes of ``like``."""
    return np.broadcast_to(weight.reshape(weight.shape + (1,) * (like.ndim - weight.ndim)), like.shape)


# -- a loss: its inputs, its per-sample values -----------------------------------------------------
#: ``per_sample(config, y_true, y_pred, dtype)`` -> (values, magnitudes, mask or None), float64
PerSample = Callable[[dict, np.ndarray, np.ndarray, str], tuple[np.ndarray, np.ndarray, np.ndarray | None]]


def clip_bounds(dtype: str) -> tuple[float, float]:
    """``epsilon`` and ``1 - epsilon`` as a tensor of ``dtype`` holds them."""
    return float(np.asarray(EPSILON, dtype)), float(np.asarray(1.0 - EPSILON, dtype))


@dataclasses.dataclass
class LossCaseSpec(CallableSpec):
    """A loss spec whose reference and conditioning see the case's dtype (``config["dtype"]``).

    Keras clips probabilities to ``[epsilon, 1 - epsilon]`` in the tensor's dtype; the
    float64 oracle must clip where the implementation does. The dtype is added to the
    config the reference sees, never to the one sent (Keras 2 losses take no ``dtype``).
    """

    def prepare(self, check: Any, config: dict, inputs: dict, weights: dict, dtype: str, seed: int = 0) -> Any:
        self._case_dtype = dtype
        return super().prepare(check, config, inputs, weights, dtype, seed)

    def _reference(self, config: dict, weights: dict, inputs: dict, training: bool) -> Any:
        return super()._reference({**config, "dtype": self._case_dtype}, weights, inputs, training)


def loss_reference(per_sample: PerSample) -> Callable[[dict, dict, dict, bool], np.ndarray]:
    def reference(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
        y_true, y_pred = inputs["args"]
        values, _, mask = per_sample(config, y_true, y_pred, config.get("dtype", "float64"))
        return reduce_loss(values, inputs["kwargs"].get("sample_weight"), config.get("reduction", "sum_over_batch_size"),
                           mask)

    return reference


def loss_conditioning_of(per_sample: PerSample) -> Callable[[dict, dict, dict, Any], np.ndarray]:
    """|ref| + the magnitudes reduced the same way (|weights|), times sqrt(terms) for the sums."""

    def conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
        y_true, y_pred = inputs["args"]
        _, magnitude, mask = per_sample(config, y_true, y_pred, "float64")
        weight = inputs["kwargs"].get("sample_weight")
        reduced = reduce_loss(magnitude, None if weight is None else np.abs(weight),
                              config.get("reduction", "sum_over_batch_size"), mask)
        return np.abs(ref) + np.abs(reduced) * np.sqrt(max(np.size(y_pred), 1))

    return conditioning


def loss_spec(api: str, config: Callable[[str], st.SearchStrategy], inputs: Any, per_sample: PerSample,
              **options: Any) -> LossCaseSpec:
    """A ``keras.losses`` class: values, config round trip, gradients; computed in floatx."""
    options.setdefault("checks_", (LOSS_VALUES, LOSS_CONFIG_ROUND_TRIP, LOSS_GRADIENTS))
    options.setdefault("floatx", True)
    options.setdefault("signed_zeros", False)  # a zero loss is a cancellation (x - x, 1 - 1)
    return LossCaseSpec(api, config, inputs, loss_reference(per_sample), lambda c, i: {},
                        conditioning=loss_conditioning_of(per_sample), **options)


# -- configs -----------------------------------------------------------------------------------
def with_reduction(reductions: tuple[str, ...] = COMMON_REDUCTIONS, **fields: st.SearchStrategy
                   ) -> Callable[[str], st.SearchStrategy]:
    """A config factory: a reduction from ``reductions`` and the loss's own drawn arguments."""
    return lambda dtype: st.fixed_dictionaries({"reduction": st.sampled_from(reductions), **fields})


# -- inputs -----------------------------------------------------------------------------------
@st.composite
def _batch_features(draw: Any, max_features: int = 4, min_features: int = 1) -> tuple[int, int]:
    return draw(st.integers(1, 4)), draw(st.integers(min_features, max_features))


def _sample_weight(draw: Any, batch: int, dtype: str, mode: str) -> dict:
    """A non-negative (batch,) weight with zeros among its values, or none."""
    if not draw(st.booleans()):
        return {}
    weight = np.abs(draw(strategies.arrays(dtype, (batch,), mode)))
    return {"sample_weight": weight}


def _rng(draw: Any) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _probabilities(rng: np.random.Generator, shape: tuple[int, ...], profile: str) -> np.ndarray:
    """Values in [0, 1]; ``saturated`` puts exact 0s and 1s among them (where clipping acts)."""
    values = rng.uniform(0.0, 1.0, size=shape)
    if profile == "saturated":
        values = np.where(rng.random(shape) < 0.5, np.round(values), values)
    return values


def _logits(rng: np.random.Generator, shape: tuple[int, ...], profile: str) -> np.ndarray:
    """Logits: normal, large (|x| up to 40, where a sigmoid saturates in float32), or all equal per row."""
    if profile == "large":
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(5.0, 40.0, size=shape)
    if profile == "equal":
        return np.repeat(rng.standard_normal(shape[:-1] + (1,)), shape[-1], axis=-1)
    return 2.0 * rng.standard_normal(shape)


def _distribution(rng: np.random.Generator, shape: tuple[int, ...], profile: str) -> np.ndarray:
    """Rows that sum to one along the last axis: softmax of normals, one-hot (saturated), uniform."""
    if profile == "saturated":
        return np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]
    if profile == "equal":
        return np.full(shape, 1.0 / shape[-1])
    return oracle.softmax(2.0 * rng.standard_normal(shape))


def _finish(dtype: str, y_true: np.ndarray, y_pred: np.ndarray, weight: dict) -> dict:
    y_true = y_true if y_true.dtype.kind in "iu" else y_true.astype(dtype)
    return {"args": [y_true, y_pred.astype(dtype)], "kwargs": weight}


def _grad_mode(mode: str) -> bool:
    return mode == strategies.GRAD


@st.composite
def _real_pair(draw: Any, config: dict, dtype: str, mode: str, nonnegative: bool = False) -> dict:
    """y_true, y_pred of shape (batch, features), drawn by the engine's value profiles."""
    batch, features = draw(_batch_features())
    y_true = draw(strategies.arrays(dtype, (batch, features), mode))
    y_pred = draw(strategies.arrays(dtype, (batch, features), mode))
    if _grad_mode(mode):  # apart from y_true (both seeds shrink to one value): off the kink of |t - p|
        y_pred = y_pred + np.asarray(0.5, dtype)
    if nonnegative:  # (in grad mode y_pred stays 0.5 away from the kink of log(y_pred + eps))
        y_true, y_pred = np.abs(y_true), np.abs(y_pred) + np.asarray(0.5 if _grad_mode(mode) else 0.0, dtype)
    return {"args": [y_true, y_pred], "kwargs": _sample_weight(draw, batch, dtype, mode)}


def real_pair(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _real_pair(config, dtype, mode)


def nonnegative_pair(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _real_pair(config, dtype, mode, nonnegative=True)


@st.composite
def _binary(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """Binary targets (0/1 or soft) and probabilities (saturated too) or logits (large, equal)."""
    batch, features = draw(_batch_features())
    rng = _rng(draw)
    grad = _grad_mode(mode)
    y_true = rng.uniform(0, 1, (batch, features)) if draw(st.booleans()) else \
        rng.integers(0, 2, (batch, features)).astype(np.float64)
    if config.get("from_logits"):
        y_pred = _logits(rng, (batch, features), "normal" if grad else draw(st.sampled_from(("normal", "large"))))
    else:
        y_pred = _probabilities(rng, (batch, features), "inner" if grad else draw(st.sampled_from(("inner", "saturated"))))
        if grad:  # away from the clip bounds, where the derivative jumps
            y_pred = 0.05 + 0.9 * y_pred
    return _finish(dtype, y_true, y_pred, _sample_weight(draw, batch, dtype, mode))


def binary(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _binary(config, dtype, mode)


@st.composite
def _categorical(draw: Any, config: dict, dtype: str, mode: str, sparse: bool = False,
                 labels_shape: str = "flat") -> dict:
    """One-hot or soft targets (integer labels when sparse) and distributions or logits over classes.

    Labels include both class bounds (0 and classes - 1); predictions include one-hot rows
    (saturated), uniform rows and all-equal logits. With ``ignore_class`` some labels are it.
    """
    batch, classes = draw(_batch_features(max_features=5, min_features=2))
    rng = _rng(draw)
    grad = _grad_mode(mode)
    if config.get("from_logits"):
        y_pred = _logits(rng, (batch, classes), "normal" if grad else draw(st.sampled_from(("normal", "large", "equal"))))
    else:
        y_pred = _distribution(rng, (batch, classes), "inner" if grad else draw(st.sampled_from(("inner", "saturated", "equal"))))
    labels = rng.integers(0, classes, size=batch)
    labels[0] = draw(st.sampled_from((0, classes - 1)))
    if sparse:
        ignore = config.get("ignore_class")
        if ignore is not None:
            labels = np.where(rng.random(batch) < 0.4, ignore, labels)
        y_true = labels.astype(np.int32)
        if labels_shape == "column":
            y_true = y_true[:, None]
    elif not grad and draw(st.booleans()):  # one-hot: 0 and 1 are KLDivergence's clip bounds (kinks)
        y_true = np.eye(classes)[labels]
    else:
        y_true = _distribution(rng, (batch, classes), "inner")
    return _finish(dtype, y_true, y_pred, _sample_weight(draw, batch, dtype, mode))


def categorical(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _categorical(config, dtype, mode)


def sparse_labels(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _categorical(config, dtype, mode, sparse=True)


@st.composite
def _hinge_pair(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """±1 labels, or 0/1 labels (every one binary: Keras converts them to ±1), and real predictions."""
    batch, features = draw(_batch_features())
    rng = _rng(draw)
    signs = rng.choice([-1.0, 1.0], size=(batch, features))
    if _grad_mode(mode):
        signs.reshape(-1)[0] = -1.0  # not all binary: a perturbed label must not switch the conversion
        y_true = signs
    else:
        y_true = signs if draw(st.booleans()) else (signs > 0).astype(np.float64)
    y_pred = draw(strategies.arrays(dtype, (batch, features), mode))
    return _finish(dtype, y_true, y_pred, _sample_weight(draw, batch, dtype, mode))


def hinge_pair(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _hinge_pair(config, dtype, mode)


@st.composite
def _cosine_pair(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """Real vectors, with whole zero rows (a zero norm: Keras's normalize caps 1/norm at 1/eps)."""
    pair = draw(_real_pair(config, dtype, mode))
    if not _grad_mode(mode) and draw(st.booleans()):
        which = draw(st.integers(0, 1))
        pair["args"][which] = pair["args"][which].copy()
        pair["args"][which][0] = 0
    return pair


def cosine_pair(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _cosine_pair(config, dtype, mode)


@st.composite
def _mask_pair(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """Binary masks (or soft ones) as targets and probabilities as predictions, for Dice and Tversky."""
    batch, features = draw(_batch_features())
    rng = _rng(draw)
    y_true = rng.integers(0, 2, (batch, features)).astype(np.float64)
    if draw(st.booleans()):
        y_true = rng.uniform(0, 1, (batch, features))
    y_pred = _probabilities(rng, (batch, features), "inner" if _grad_mode(mode) else draw(st.sampled_from(("inner", "saturated"))))
    return _finish(dtype, y_true, y_pred, _sample_weight(draw, batch, dtype, mode) if config.get("axis") else {})


def mask_pair(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _mask_pair(config, dtype, mode)


@st.composite
def _embeddings(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """Integer labels (batch,) and L2-normalized embeddings (batch, dim), as Circle expects."""
    batch, dim = draw(st.integers(2, 5)), draw(st.integers(1, 4))
    rng = _rng(draw)
    labels = rng.integers(0, draw(st.integers(1, 3)), size=batch).astype(np.int32)
    vectors = rng.standard_normal((batch, dim))
    vectors = vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)
    if _grad_mode(mode):  # unit vectors put each self-distance 1 - |p|^2 on the kink of max(d, 0)
        vectors = 0.8 * vectors
    return _finish(dtype, labels, vectors, _sample_weight(draw, batch, dtype, mode))


def embeddings(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _embeddings(config, dtype, mode)


@st.composite
def _generalized(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """Integer labels (batch,) and class probabilities, for CategoricalGeneralizedCrossEntropy."""
    pair = draw(_categorical(config, dtype, mode, sparse=True))
    if _grad_mode(mode):  # p ** q has an infinite slope at p = 0
        pair["args"][1] = (0.05 + 0.9 * pair["args"][1].astype(np.float64)).astype(dtype)
    return pair


def generalized(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _generalized(config, dtype, mode)


@st.composite
def _rank3_with_sample_weight(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """(batch, steps, features) with steps == batch >= 2 and a (batch,) weight, always given.

    The per-sample losses are (batch, steps): the documented meaning weighs sample i by
    weight[i] over its steps. With steps == batch the weight also broadcasts against the
    last axis, which is what Keras 3's ``squeeze_or_expand_to_same_rank`` leaves it to do
    (a quietly different answer, not a shape error): a recorded divergence.
    """
    batch, features = draw(st.integers(2, 3)), draw(st.integers(1, 3))
    shape = (batch, batch, features)
    y_true = draw(strategies.arrays(dtype, shape, mode))
    y_pred = draw(strategies.arrays(dtype, shape, mode))
    weight = np.abs(draw(strategies.arrays(dtype, (batch,), mode)))
    return {"args": [y_true, y_pred], "kwargs": {"sample_weight": weight}}


def rank3_with_sample_weight(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _rank3_with_sample_weight(config, dtype, mode)


# -- loss functions: per sample, unreduced ---------------------------------------------------------
def _function_reference(per_sample: PerSample) -> Callable[[dict, dict, dict, bool], np.ndarray]:
    """The function's own arguments (``inputs["kwargs"]``) are the per-sample config."""

    def reference(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
        y_true, y_pred = inputs["args"]
        return per_sample({**inputs["kwargs"], "dtype": config["dtype"]}, y_true, y_pred, config["dtype"])[0]

    return reference


def _function_conditioning(per_sample: PerSample) -> Callable[[dict, dict, dict, Any], np.ndarray]:
    """|ref| + the per-sample magnitude, times sqrt(terms along the reduced axis) for the mean."""

    def conditioning(config: dict, weights: dict, inputs: dict, ref: Any) -> np.ndarray:
        y_true, y_pred = inputs["args"]
        _, magnitude, _ = per_sample(dict(inputs["kwargs"]), y_true, y_pred, "float64")
        return np.abs(ref) + np.abs(magnitude) * np.sqrt(max(np.shape(y_pred)[-1], 1))

    return conditioning


def _function_inputs(inputs: Any, arguments: st.SearchStrategy) -> Any:
    """The function's keyword arguments drawn first (they decide logits or probabilities), then the
    loss's inputs for them, without a sample weight (a function has none)."""

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> dict:
        kwargs = draw(arguments)
        drawn = draw(inputs(kwargs, dtype, mode))
        return {"args": drawn["args"], "kwargs": kwargs}

    return draw_inputs


def loss_function_spec(api: str, inputs: Any, per_sample: PerSample, arguments: st.SearchStrategy | None = None,
                       **options: Any) -> LossCaseSpec:
    """A ``keras.losses`` function (``binary_crossentropy``): ``fn(y_true, y_pred, **arguments)`` per
    sample, unreduced; values and gradients (it has no config to round-trip); computed in floatx."""
    options.setdefault("checks_", (LOSS_VALUES, LOSS_GRADIENTS))
    options.setdefault("floatx", True)
    options.setdefault("signed_zeros", False)
    return LossCaseSpec(api, lambda dtype: st.just({}), _function_inputs(inputs, st.just({}) if arguments is None else arguments),
                        _function_reference(per_sample), lambda c, i: {},
                        conditioning=_function_conditioning(per_sample), **options)


def function_spec(api: str, inputs: Any, per_sample: PerSample, values_only: bool = False,
                  **arguments: st.SearchStrategy) -> LossCaseSpec:
    """``api(y_true, y_pred, **arguments)`` (``losses.huber``, ``metrics.binary_accuracy``), each
    argument drawn; ``values_only`` where a gradient means nothing (an accuracy)."""
    options = {"checks_": (LOSS_VALUES,)} if values_only else {}
    return loss_function_spec(api, inputs, per_sample, st.fixed_dictionaries(arguments), **options)
