"""The per-sample values of every ``keras.losses`` loss, in float64, with their magnitudes.

Each function is ``per_sample(config, y_true, y_pred, dtype) -> (values, magnitudes, mask)``
(conformance/families/losses.py says how they are reduced and judged), written from
Keras 3.15's keras/src/losses/losses.py and the backends' ``binary_crossentropy`` /
``categorical_crossentropy`` (keras/src/backend/*/nn.py): probabilities are clipped to
``[epsilon, 1 - epsilon]`` in the case's dtype, logits go through an exact log-sigmoid
or log-softmax. A magnitude is what the rounding of the loss's terms is relative to.
"""

from __future__ import annotations

import numpy as np

from conformance import oracle
from conformance.families.losses import EPSILON, clip_bounds

Values = tuple[np.ndarray, np.ndarray, np.ndarray | None]
LOG2 = np.log(2.0)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def mean_squared_error(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    return np.mean((p - t) ** 2, axis=-1), np.mean((np.abs(p) + np.abs(t)) ** 2, axis=-1), None


def mean_absolute_error(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    return np.mean(np.abs(p - t), axis=-1), np.mean(np.abs(p) + np.abs(t), axis=-1), None


def mean_absolute_percentage_error(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """100 mean |t - p| / max(|t|, eps): a zero target divides by epsilon."""
    denominator = np.maximum(np.abs(t), clip_bounds(dtype)[0])
    return (100.0 * np.mean(np.abs(t - p) / denominator, axis=-1),
            100.0 * np.mean((np.abs(t) + np.abs(p)) / denominator, axis=-1), None)


def mean_squared_logarithmic_error(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """Values at or below zero are replaced by epsilon before log(x + 1)."""
    eps = clip_bounds(dtype)[0]
    first, second = np.log(np.maximum(p, eps) + 1.0), np.log(np.maximum(t, eps) + 1.0)
    return (np.mean((first - second) ** 2, axis=-1),
            np.mean((np.abs(first) + np.abs(second) + 1.0) ** 2, axis=-1), None)


def _l2_normalize(x: np.ndarray, axis: int) -> np.ndarray:
    """ops.nn.normalize: x * min(rsqrt(sum x^2), 1 / eps); a zero vector stays zero."""
    square_sum = np.sum(x * x, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        inverse = np.minimum(1.0 / np.sqrt(square_sum), 1.0 / EPSILON)
    return x * inverse


def cosine_similarity(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    axis = config.get("axis", -1)
    values = -np.sum(_l2_normalize(t, axis) * _l2_normalize(p, axis), axis=axis)
    return values, np.ones_like(values) * 4.0, None


def huber(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """0.5 e^2 where |e| <= delta (the bound itself too), delta |e| - 0.5 delta^2 beyond."""
    delta = float(config.get("delta", 1.0))
    error = p - t
    values = np.where(np.abs(error) <= delta, 0.5 * error**2, delta * np.abs(error) - 0.5 * delta**2)
    size = np.abs(p) + np.abs(t)
    return np.mean(values, axis=-1), np.mean(0.5 * size**2 + delta * size + 0.5 * delta**2, axis=-1), None


def log_cosh(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """log(cosh(x)), exact; Keras computes x + softplus(-2x) - log 2, which cancels near 0."""
    x = p - t
    values = np.logaddexp(x, -x) - LOG2
    return np.mean(values, axis=-1), np.mean(np.abs(x) + _softplus(-2.0 * x) + LOG2, axis=-1), None


def _hinge_labels(t: np.ndarray) -> np.ndarray:
    """0/1 labels become -1/1 when every label is 0 or 1 (convert_binary_labels_to_hinge)."""
    return 2.0 * t - 1.0 if np.all((t == 0) | (t == 1)) else t


def hinge(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    t = _hinge_labels(t)
    return np.mean(np.maximum(1.0 - t * p, 0.0), axis=-1), np.mean(1.0 + np.abs(t * p), axis=-1), None


def squared_hinge(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    t = _hinge_labels(t)
    return (np.mean(np.maximum(1.0 - t * p, 0.0) ** 2, axis=-1),
            np.mean((1.0 + np.abs(t * p)) ** 2, axis=-1), None)


def categorical_hinge(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    positive = np.sum(t * p, axis=-1)
    negative = np.max((1.0 - t) * p, axis=-1)
    magnitude = np.sum(np.abs(t * p), axis=-1) + np.max(np.abs((1.0 - t) * p), axis=-1) + 1.0
    return np.maximum(negative - positive + 1.0, 0.0), magnitude, None


def kl_divergence(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """Both clipped to [eps, 1] first."""
    eps = clip_bounds(dtype)[0]
    t, p = np.clip(t, eps, 1.0), np.clip(p, eps, 1.0)
    return (np.sum(t * np.log(t / p), axis=-1),
            np.sum(t * (np.abs(np.log(t)) + np.abs(np.log(p)) + 2.0), axis=-1), None)


def poisson(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    log = np.log(p + clip_bounds(dtype)[0])
    return np.mean(p - t * log, axis=-1), np.mean(np.abs(p) + np.abs(t) * (np.abs(log) + 2.0), axis=-1), None


def _binary_smoothed(config: dict, t: np.ndarray) -> np.ndarray:
    smoothing = float(config.get("label_smoothing", 0.0))
    return t * (1.0 - smoothing) + 0.5 * smoothing if smoothing else t


def _binary_terms(t: np.ndarray, p: np.ndarray, from_logits: bool, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise binary crossentropy and its magnitude: exact from logits, clipped otherwise."""
    if from_logits:
        # -t log sigmoid(x) - (1 - t) log sigmoid(-x)
        values = t * _softplus(-p) + (1.0 - t) * _softplus(p)
        return values, (np.abs(t) + np.abs(1.0 - t)) * (np.abs(p) + _softplus(np.abs(p)) + 1.0)
    low, high = clip_bounds(dtype)
    clipped = np.clip(p, low, high)
    log_p, log_q = np.log(clipped), np.log(1.0 - clipped)
    values = -(t * log_p + (1.0 - t) * log_q)
    # 1 - p rounds relative to 1: its log is off by eps / (1 - p)
    return values, np.abs(t) * (np.abs(log_p) + 2.0) + np.abs(1.0 - t) * (np.abs(log_q) + 2.0 / (1.0 - clipped))


def binary_crossentropy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    values, magnitude = _binary_terms(_binary_smoothed(config, t), p, bool(config.get("from_logits")), dtype)
    return np.mean(values, axis=-1), np.mean(magnitude, axis=-1), None


def binary_focal_crossentropy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """(1 - p_t)^gamma times the clipped crossentropy of sigmoid(x) (not of x: logits are squashed first)."""
    t = _binary_smoothed(config, t)
    if config.get("from_logits"):
        p = oracle.sigmoid(p)
    bce, magnitude = _binary_terms(t, p, False, dtype)
    p_t = t * p + (1.0 - t) * (1.0 - p)
    gamma = float(config.get("gamma", 2.0))
    focal = (1.0 - p_t) ** gamma
    values = focal * bce
    magnitude = (focal + gamma) * magnitude
    if config.get("apply_class_balancing"):
        alpha = float(config.get("alpha", 0.25))
        weight = t * alpha + (1.0 - t) * (1.0 - alpha)
        values, magnitude = weight * values, np.abs(weight) * magnitude
    return np.mean(values, axis=-1), np.mean(magnitude, axis=-1), None


def _categorical_smoothed(config: dict, t: np.ndarray) -> np.ndarray:
    smoothing = float(config.get("label_smoothing", 0.0))
    return t * (1.0 - smoothing) + smoothing / t.shape[-1] if smoothing else t


def _log_probabilities(p: np.ndarray, from_logits: bool, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """log p along the last axis and its magnitude: log-softmax of logits, or p / sum(p) clipped."""
    if from_logits:
        log_p = oracle.log_softmax(p, axis=-1)
        return log_p, np.abs(p) + np.max(np.abs(p), axis=-1, keepdims=True) + np.abs(log_p) + 1.0
    low, high = clip_bounds(dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_p = np.log(np.clip(p / np.sum(p, axis=-1, keepdims=True), low, high))
    return log_p, np.abs(log_p) + 3.0


def categorical_crossentropy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    t = _categorical_smoothed(config, t)
    log_p, magnitude = _log_probabilities(p, bool(config.get("from_logits")), dtype)
    return -np.sum(t * log_p, axis=-1), np.sum(np.abs(t) * magnitude, axis=-1), None


def categorical_focal_crossentropy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """alpha (1 - p)^gamma (-t log p), p normalized and clipped (softmax first from logits)."""
    t = _categorical_smoothed(config, t)
    if config.get("from_logits"):
        p = oracle.softmax(p, axis=-1)
    low, high = clip_bounds(dtype)
    output = np.clip(p / np.sum(p, axis=-1, keepdims=True), low, high)
    gamma, alpha = float(config.get("gamma", 2.0)), float(config.get("alpha", 0.25))
    modulating = (1.0 - output) ** gamma
    values = alpha * modulating * (-t * np.log(output))
    magnitude = alpha * (modulating + gamma) * np.abs(t) * (np.abs(np.log(output)) + 3.0)
    return np.sum(values, axis=-1), np.sum(magnitude, axis=-1), None


def sparse_categorical_crossentropy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """Crossentropy of integer labels; entries whose label is ``ignore_class`` are 0 and masked."""
    labels = t.reshape(t.shape[:-1]) if t.ndim == p.ndim and t.shape[-1] == 1 else t
    ignore = config.get("ignore_class")
    valid = np.ones(labels.shape, bool) if ignore is None else labels != ignore
    log_p, magnitude = _log_probabilities(p, bool(config.get("from_logits")), dtype)
    safe = np.where(valid, labels, 0).astype(np.int64)
    picked = np.take_along_axis(log_p, safe[..., None], axis=-1)[..., 0]
    size = np.take_along_axis(magnitude, safe[..., None], axis=-1)[..., 0]
    return np.where(valid, -picked, 0.0), np.where(valid, size, 0.0), None if ignore is None else valid


def dice(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """1 - 2 sum(t p) / (sum t + sum p + eps) over ``axis`` (None: every axis, one scalar)."""
    axis = _axis(config)
    intersection = np.sum(t * p, axis=axis)
    denominator = np.sum(t, axis=axis) + np.sum(p, axis=axis) + EPSILON
    values = 1.0 - 2.0 * intersection / denominator
    return values, 1.0 + 4.0 * np.sum(np.abs(t) + np.abs(p), axis=axis) / np.abs(denominator), None


def tversky(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    axis = _axis(config)
    alpha, beta = float(config.get("alpha", 0.5)), float(config.get("beta", 0.5))
    intersection = np.sum(t * p, axis=axis)
    false_positive = np.sum((1.0 - p) * t, axis=axis)
    false_negative = np.sum(p * (1.0 - t), axis=axis)
    denominator = intersection + alpha * false_positive + beta * false_negative + EPSILON
    size = np.sum(np.abs(t) + np.abs(p) + np.abs(t * p), axis=axis) * (1.0 + alpha + beta)
    return 1.0 - intersection / denominator, 1.0 + 4.0 * size / np.abs(denominator), None


def _axis(config: dict) -> int | tuple[int, ...] | None:
    axis = config.get("axis")
    return tuple(axis) if isinstance(axis, list) else axis


def circle(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """Circle loss of integer labels and embeddings against themselves; positive losses are the mask."""
    gamma, margin = float(config.get("gamma", 80.0)), float(config.get("margin", 0.4))
    labels = t.reshape(-1)
    distances = np.maximum(1.0 - p @ p.T, 0.0)
    positive = labels[:, None] == labels[None, :]
    negative = ~positive
    if config.get("remove_diagonal", True):
        positive = positive & ~np.eye(len(labels), dtype=bool)
    pos_weights = np.maximum((margin + distances) * positive, 0.0)
    neg_weights = np.maximum((1.0 + margin - distances) * negative, 0.0)
    pos_logits = -gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * (1.0 - margin - distances)
    with np.errstate(divide="ignore"):
        p_loss = _logsumexp(np.where(positive, pos_logits, -np.inf))
        n_loss = _logsumexp(np.where(negative, neg_logits, -np.inf))
    values = _softplus(p_loss + n_loss)
    # gamma multiplies distances of size ~1: the logits' rounding is relative to gamma (1 + margin)^2
    magnitude = np.full(values.shape, gamma * (2.0 + margin) ** 2 * p.shape[-1])
    return values, magnitude, values > 0


def _logsumexp(x: np.ndarray) -> np.ndarray:
    top = np.max(x, axis=1, keepdims=True)
    finite = np.where(np.isfinite(top), top, 0.0)
    return (finite + np.log(np.sum(np.exp(x - finite), axis=1, keepdims=True)))[:, 0]


def categorical_generalized_cross_entropy(config: dict, t: np.ndarray, p: np.ndarray, dtype: str) -> Values:
    """(1 - p_label^q) / q."""
    q = float(config.get("q", 0.5))
    labels = t.reshape(-1).astype(np.int64)
    picked = np.take_along_axis(p, labels[:, None], axis=-1)[:, 0]
    return (1.0 - picked**q) / q, (1.0 + picked**q * 2.0) / q, None
